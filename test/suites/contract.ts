// Reads docs/CONTRACT.md and the seed (specs/seed/) the way a person does:
// the rule tables under each category heading, the operations each category
// lists. Both are in the repository; test/contract-copy.test.ts compares
// them with the shared copies when those are present.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ContractRule {
  id: string;
  level: string;
  category: string;
  operations: string[];
}

export function readSeed(): string {
  return readFileSync(`${ROOT}specs/seed/idempotency-section-en.txt`, 'utf8');
}

export function readContract(): ContractRule[] {
  const text = readFileSync(`${ROOT}docs/CONTRACT.md`, 'utf8');
  const rules: ContractRule[] = [];
  let operations: string[] = [];
  let inRules = false;
  let wire = false;
  const everyOperation: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('## ')) {
      inRules = line.startsWith('## Category') || line.startsWith('## Across categories') || line.startsWith('## Wire faults');
      operations = line.startsWith('## Across categories') ? everyOperation : [];
      wire = line.startsWith('## Wire faults');
      continue;
    }
    // The wire category names its operations in words: every create and delete of the four categories.
    if (inRules && wire && /^Operations: every create and delete of the four categories/.test(line)) {
      operations = [...everyOperation];
      continue;
    }
    const listed = /^Operations: (.*)$/.exec(line);
    if (inRules && listed && !wire) {
      operations = listed[1]!
        .replace(/\.$/, '')
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean);
      everyOperation.push(...operations);
      continue;
    }
    // A continued "Operations:" line (the list wraps).
    if (
      inRules &&
      !wire &&
      operations.length > 0 &&
      /^[A-Z][A-Za-z]+(, [A-Z][A-Za-z]+)*[.,]?$/.test(line.trim()) &&
      !line.startsWith('|')
    ) {
      const more = line
        .replace(/\.$/, '')
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean);
      operations.push(...more);
      everyOperation.push(...more);
      continue;
    }
    const row = /^\| ([a-z-]+\/[a-z-]+) \| (MUST|SHOULD) \|/.exec(line);
    if (inRules && row) rules.push({ id: row[1]!, level: row[2]!, category: row[1]!.split('/')[0]!, operations: [...operations] });
  }
  // The rules across categories apply to every operation (listed after the categories).
  return rules.map((rule) =>
    rule.category === 'shape' || rule.category === 'general' ? { ...rule, operations: [...everyOperation] } : rule,
  );
}
