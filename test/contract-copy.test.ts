// Issue 12.13: the contract lives in the project (docs/CONTRACT.md), kept
// identical to the shared copy (../shared/CONTRACT.md) when that is present;
// the README links inside the repository.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const OURS = fileURLToPath(new URL('../docs/CONTRACT.md', import.meta.url));
const SHARED = fileURLToPath(new URL('../../shared/CONTRACT.md', import.meta.url));

describe('docs/CONTRACT.md', () => {
  it('is in the project', () => {
    expect(existsSync(OURS)).toBe(true);
    expect(readFileSync(OURS, 'utf8')).toMatch(/client-token\/same-token-same-params/);
  });

  it.skipIf(!existsSync(SHARED))('is identical to ../shared/CONTRACT.md (skipped when the shared copy is absent)', () => {
    expect(readFileSync(OURS, 'utf8')).toBe(readFileSync(SHARED, 'utf8'));
  });

  it('the READMEs link to it, never out of the repository', () => {
    for (const readme of ['../README.md', '../emulator/README.md', '../emulator/faults/README.md']) {
      const text = readFileSync(fileURLToPath(new URL(readme, import.meta.url)), 'utf8');
      expect(text, readme).not.toMatch(/shared\/CONTRACT\.md/);
    }
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    expect(readme).toContain('[docs/CONTRACT.md](docs/CONTRACT.md)');
    // The matrix legend has every symbol the console prints, '.' too.
    expect(readme).toMatch(/`\.` the rule does not apply/);
  });
});
