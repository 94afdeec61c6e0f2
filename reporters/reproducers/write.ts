// `--reproducers DIR` (issue 21): for every cell that fails or warns, its
// reproducer as a Node script and a shell script, and DIR/index.json listing
// them: [{ "rule", "operation", "node", "shell" }] (a cell without a
// reproducer is listed with "skipped", its reason, instead).
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report, RuleResult } from '../../harness/types.ts';
import { cannot } from '../file-output.ts';
import type { Reporter } from '../reporter.ts';
import { buildReproducer } from './build.ts';
import { nodeScript } from './node.ts';
import { shellScript } from './shell.ts';

export interface IndexEntry {
  rule: string;
  operation: string;
  node?: string;
  shell?: string;
  skipped?: string;
}

/** The cells a reproducer is written for: those that fail or warn. */
export function reproducible(result: RuleResult): boolean {
  return result.verdict === 'fail' || result.verdict === 'warn';
}

/** `--reproducers DIR` as a reporter: written once the report is final. */
export function reproducersReporter(dir: string): Reporter {
  return {
    name: 'reproducers',
    async prepare() {
      try {
        await mkdir(dir, { recursive: true });
      } catch (error) {
        throw cannot('--reproducers', dir, error);
      }
    },
    async write(report) {
      await writeReproducers(report, dir);
    },
  };
}

export async function writeReproducers(report: Report, dir: string): Promise<IndexEntry[]> {
  await mkdir(dir, { recursive: true });
  const index: IndexEntry[] = [];
  for (const result of report.results.filter(reproducible)) {
    const built = buildReproducer(result);
    if ('skipped' in built) {
      index.push({ rule: result.rule, operation: result.operation, skipped: built.skipped });
      continue;
    }
    const { reproducer } = built;
    const node = `${reproducer.name}.mjs`;
    const shell = `${reproducer.name}.sh`;
    await writeFile(join(dir, node), nodeScript(reproducer));
    await writeFile(join(dir, shell), shellScript(reproducer));
    await chmod(join(dir, node), 0o755);
    await chmod(join(dir, shell), 0o755);
    index.push({ rule: result.rule, operation: result.operation, node, shell });
  }
  await writeFile(join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  return index;
}
