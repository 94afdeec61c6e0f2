// The vitest entry point (`import { conformanceSuite } from
// 'proton-conformance/vitest'`): registers one test per cell (rule x
// operation) in a user's own vitest run, so that their reporters (JUnit,
// IDE, CI annotations) see the contract cell by cell. The run happens once,
// in the suite's beforeAll; each test then reads its cell's verdict:
//   pass          passes
//   fail          fails, with the reason, steps, evidence and rerun command
//                 (an expected failure, with `expect`, is skipped saying so)
//   warn          passes, with an annotation (a SHOULD rule: not a failure)
//   skipped,      skipped, with the reason
//   inconclusive
// Usage, in a test file (top-level await registers the tests):
//   import { conformanceSuite } from 'proton-conformance/vitest';
//   await conformanceSuite({ endpoint: 'http://127.0.0.1:4566', rules: 'client-token/*' });
import { beforeAll, describe, it } from 'vitest';
import { detailLines } from '../reporters/detail-text.ts';
import type { DetailResult } from '../reporters/detail-text.ts';
import { planConformance, runConformance } from './api.ts';
import type { ConformanceOptions, ConformanceReport } from './api.ts';

export interface ConformanceSuiteOptions extends ConformanceOptions {
  /** The describe block's name (default 'proton-conformance'). */
  name?: string;
  /** Seconds the whole run may take (the beforeAll's timeout; default 900). */
  timeoutS?: number;
}

export async function conformanceSuite(options: ConformanceSuiteOptions = {}): Promise<void> {
  const selection = await planConformance(options);
  const cells = selection.exerciseOnly ? [] : selection.cells.map((cell) => ({ rule: cell.rule.id, operation: cell.operation }));
  const harnessRules = selection.harnessRules.map((rule) => rule.id);
  describe(options.name ?? 'proton-conformance', () => {
    let report: ConformanceReport | undefined;
    let failure: unknown;
    beforeAll(
      async () => {
        try {
          report = await runConformance(options);
        } catch (error) {
          failure = error;
        }
      },
      (options.timeoutS ?? 900) * 1000,
    );

    const results = (rule: string, operation?: string): DetailResult[] => {
      if (failure !== undefined) throw failure;
      return (report?.results ?? []).filter(
        (r) => r.rule === rule && (operation === undefined || r.operation === operation),
      ) as DetailResult[];
    };

    for (const cell of cells) {
      it(`${cell.rule} ${cell.operation}`, async (context) => {
        const [result] = results(cell.rule, cell.operation);
        if (!result) return context.skip(report?.interrupted ? 'not run: the run was interrupted' : 'not run');
        await judge(result, context);
      });
    }
    // A harness-checked rule (shape/responses-match-model) is judged on every
    // response of the run: one test, failing when any operation's does.
    for (const rule of harnessRules) {
      it(rule, async (context) => {
        const list = results(rule);
        const failing = list.filter((r) => r.verdict === 'fail' && !r.expected);
        if (failing.length > 0) throw new Error(failing.map((r) => detailLines(r).join('\n')).join('\n\n'));
        if (list.length === 0) context.skip('no response was judged');
      });
    }
  });
}

interface Context {
  skip(note?: string): never;
  annotate(message: string, type?: string): Promise<unknown>;
}

async function judge(result: DetailResult, context: Context): Promise<void> {
  switch (result.verdict) {
    case 'pass':
      return;
    case 'fail': {
      if (result.expected)
        context.skip(`expected failure: ${result.expected.reason}${result.expected.link ? ` (${result.expected.link})` : ''}`);
      const error = new Error(detailLines(result).join('\n'));
      error.name = 'ConformanceFailure';
      error.stack = `${error.name}: ${error.message}`;
      throw error;
    }
    case 'warn':
      await context.annotate(`warning (SHOULD): ${result.reason}`, 'warning');
      return;
    case 'skipped':
    case 'inconclusive':
      context.skip(`${result.verdict}: ${result.reason}`);
  }
}
