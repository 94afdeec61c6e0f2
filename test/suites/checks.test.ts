// The checks against the reference emulator, through the harness's runner:
// every rule on every operation passes on the conforming emulator, and each
// tamper that mirrors a rule makes that rule's checks fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../harness/target/target.ts';
import type { RuleResult } from '../../harness/types.ts';
import { RULES } from '../../specs/rules.ts';
import { runCells, startTarget, summary } from './run-cells.ts';
import type { Tamper } from './run-cells.ts';
import {
  asyncRetryEmpty,
  conflictBecomesValidation,
  createsTwice,
  deleteRetryNotFound,
  foldsTokenCase,
  forgetsTokensWhenTimePasses,
  hidesMismatch,
  ignoresTokens,
  listsAnonymousItems,
  reusesVersionNumbers,
  throttlesConcurrentDuplicates,
} from './tampers.ts';

let target: Target;

/** The cells of a run but the shape rule's: `count` of them, each a pass. */
function passingCells(results: readonly RuleResult[], count: number): RuleResult[] {
  const cells = results.filter((result) => result.rule !== 'shape/responses-match-model');
  expect(cells).toHaveLength(count);
  expect(summary(cells.filter((result) => result.verdict !== 'pass'))).toBe('');
  return cells;
}

beforeAll(async () => {
  target = await startTarget();
});

afterAll(async () => {
  await target.close();
});

describe('on the conforming emulator', () => {
  it('passes every rule on every operation', async () => {
    const results = await runCells(target, { rules: '*', numRuns: 15 });
    const cells = RULES.filter((rule) => rule.checkedBy !== 'harness').reduce((total, rule) => total + rule.operations.length, 0);
    expect(results.filter((result) => result.rule !== 'shape/responses-match-model')).toHaveLength(cells);
    expect(
      results
        .filter((result) => result.verdict !== 'pass')
        .map((result) => `${result.verdict} ${result.rule} ${result.operation}: ${result.reason}`),
    ).toEqual([]);
    // A pass says what it observed.
    for (const result of results) expect(result.reason.length, `${result.rule} ${result.operation}`).toBeGreaterThan(30);
  });
});

const mirrors: [string, Tamper, string, string][] = [
  [
    'tokens ignored',
    ignoresTokens,
    'client-token/same-token-same-params,client-token/concurrent-retries,client-token/same-token-different-params',
    'CreateEnvironmentTemplateVersion,CreateEnvironmentAccountConnection',
  ],
  ['token case folded', foldsTokenCase, 'client-token/case-sensitive', 'CreateServiceTemplateVersion,CreateEnvironmentAccountConnection'],
  [
    'tokens forgotten when the clock moves',
    forgetsTokensWhenTimePasses,
    'client-token/expiry',
    'CreateEnvironmentTemplateVersion,CreateEnvironmentAccountConnection',
  ],
  [
    'mismatch not named',
    hidesMismatch,
    'client-token/same-token-different-params,idempotent-create/different-params',
    'CreateServiceTemplateVersion,CreateEnvironment',
  ],
  [
    'no conflict after a modification',
    conflictBecomesValidation,
    'idempotent-create/modified-retry',
    'CreateEnvironmentTemplate,CreateService',
  ],
  [
    'delete retries not found',
    deleteRetryNotFound,
    'idempotent-delete/retry-succeeds,idempotent-delete/retry-returns-metadata,idempotent-delete/no-further-action',
    'DeleteEnvironmentTemplateVersion,DeleteEnvironmentAccountConnection',
  ],
  ['empty answer during the deletion', asyncRetryEmpty, 'async-delete/retry-in-progress', 'DeleteEnvironment,DeleteService'],
  [
    'a duplicate for every create',
    createsTwice,
    'general/exact-resource-count,client-token/same-token-same-params',
    'CreateEnvironmentTemplateVersion,CreateEnvironmentAccountConnection',
  ],
];

describe('on a tampered emulator, the mirrored rule fails', () => {
  it.each(mirrors)('%s', async (_label, tamper, rules, operations) => {
    const results = await runCells(target, { rules, operations, numRuns: 10, tamper });
    expect(results.length).toBeGreaterThan(1);
    const notFailing = results.filter(
      (result) =>
        result.rule !== 'shape/responses-match-model' &&
        (result.verdict !== (result.level === 'MUST' ? 'fail' : 'warn') || /threw unexpectedly/.test(result.reason)),
    );
    expect(summary(notFailing)).toBe('');
  });

  it(
    "accepts a version re-created under the deleted one's numbers (max + 1 numbering) as new: " + 'it is told apart by its createdAt',
    async () => {
      const results = await runCells(target, {
        rules: 'client-token/retry-after-delete,general/exact-resource-count,client-token/same-token-same-params',
        operations: 'CreateEnvironmentTemplateVersion,CreateServiceTemplateVersion',
        numRuns: 30,
        tamper: reusesVersionNumbers,
      });
      const cells = passingCells(results, 6);
      for (const result of cells.filter((r) => r.rule === 'client-token/retry-after-delete')) {
        expect(result.reason).toMatch(/the retry created templateName=\S+ majorVersion=1 minorVersion=1 again, a new resource \(createdAt/);
      }
    },
  );

  it(
    'accepts identical requests sent at once that lose with any error (here throttled), ' + 'as long as one resource is made and named',
    async () => {
      const results = await runCells(target, {
        rules: 'client-token/concurrent-retries,idempotent-create/concurrent-retries,general/exact-resource-count',
        operations: 'CreateEnvironmentTemplateVersion,CreateEnvironmentAccountConnection,CreateEnvironmentTemplate,CreateService',
        numRuns: 30,
        tamper: throttlesConcurrentDuplicates,
      });
      const cells = passingCells(results, 8);
      for (const result of cells.filter((r) => r.rule.endsWith('/concurrent-retries')))
        expect(result.reason).toMatch(/the others answered ThrottlingException x7/);
    },
  );

  it('fails, never passes, when List items cannot be attributed to the cell (no owner field)', async () => {
    const results = await runCells(target, {
      rules: 'idempotent-create/unmodified-retry,client-token/same-token-same-params',
      operations: 'CreateEnvironmentTemplate,CreateEnvironmentTemplateVersion',
      tamper: listsAnonymousItems,
    });
    const cells = results.filter((result) => result.rule !== 'shape/responses-match-model');
    expect(cells.length).toBe(2);
    for (const result of cells) {
      expect(result.verdict, result.reason).toBe('fail');
      expect(result.reason).toMatch(/listed an item without any of (name|templateName).*cannot be attributed/);
    }
  });

  it('replays a property failure: its seed and path, alone in a fresh cell, fail the same way', async () => {
    const cell = { rules: 'general/exact-resource-count', operations: 'CreateEnvironmentTemplateVersion', tamper: ignoresTokens };
    const [result] = await runCells(target, { ...cell, numRuns: 30 });
    expect(result?.verdict, result?.reason).toBe('fail');
    // The runner replays it at once for its evidence; a replay that differed would say so.
    expect(result?.reason).not.toMatch(/replaying seed/);
    const replay = result!.replay!;
    const [again] = await runCells(target, { ...cell, seed: replay.seed, path: replay.path, numRuns: 1 });
    expect(again?.verdict, again?.reason).toBe('fail');
    // Same cause; names, tokens and keys differ from cell to cell.
    const cause = (reason: string): string =>
      reason
        .split(' Counterexample')[0]!
        .replace(/\{[^{}]*\}/g, '{...}')
        .replace(/\([^()]*\)/g, '(...)');
    expect(cause(again!.reason)).toBe(cause(result!.reason));
  });

  it('names the counterexample and the replay command of a property failure', async () => {
    const [result] = await runCells(target, {
      rules: 'client-token/case-sensitive',
      operations: 'CreateEnvironmentTemplateVersion',
      numRuns: 10,
      tamper: foldsTokenCase,
    });
    expect(result?.verdict).toBe('fail');
    expect(result?.reason).toContain('Counterexample');
    // This installation's command (harness/run/invocation.ts), never npx.
    expect(result?.replay?.command).toMatch(
      new RegExp(
        /^(?:npm start -- |\S*proton-conformance\S* )--rules client-token\/case-sensitive /.source +
          /--operations CreateEnvironmentTemplateVersion --seed \d+ --path \S+$/.source,
      ),
    );
  });
});
