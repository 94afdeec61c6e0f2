// The CLI as a process (cli/main.ts runCliProcess), with a catalog of two
// test checks instead of the suites: one passes, one awaits a promise that
// nothing can ever settle. test/harness/unsettled.test.ts spawns it:
//   node --import tsx test/support/stalled-cli.ts [CLI flags]
import { exitWith, runCliProcess } from '../../cli/main.ts';
import type { Catalog } from '../../harness/run/catalog.ts';
import { testRule } from './catalog.ts';
import type { OperationSpec } from '../../specs/types.ts';

const OPERATION = 'CreateEnvironmentTemplate';

const rule = (id: string) => testRule(id, { operations: [OPERATION] });

const catalog: Catalog<OperationSpec> = {
  rules: [rule('client-token/test-passes'), rule('client-token/test-never-settles')],
  checks: {
    'client-token/test-passes': async () => ({ verdict: 'pass', reason: 'a test check that passes' }),
    'client-token/test-never-settles': async (ctx) => {
      ctx.step('awaiting a promise that nothing settles');
      await new Promise<never>(() => undefined);
      return { verdict: 'pass', reason: 'never reached' };
    },
  },
  operation: (name) => (name === OPERATION ? ({} as OperationSpec) : undefined),
};

exitWith(await runCliProcess(process.argv.slice(2), { loadCatalog: async () => catalog }));
