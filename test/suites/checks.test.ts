// The checks against the reference emulator, through the harness's runner:
// every rule on every operation passes on the conforming emulator, and each
// tamper that mirrors a rule makes that rule's checks fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../harness/target.ts';
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
} from './tampers.ts';

let target: Target;

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
    expect(results.filter((result) => result.verdict !== 'pass').map((result) => `${result.verdict} ${result.rule} ${result.operation}: ${result.reason}`)).toEqual([]);
    // A pass says what it observed.
    for (const result of results) expect(result.reason.length, `${result.rule} ${result.operation}`).toBeGreaterThan(30);
  });
});

const mirrors: [string, Tamper, string, string][] = [
  ['tokens ignored', ignoresTokens, 'client-token/same-token-same-params,client-token/concurrent-retries,client-token/same-token-different-params', 'CreateEnvironmentTemplateVersion,CreateEnvironmentAccountConnection'],
  ['token case folded', foldsTokenCase, 'client-token/case-sensitive', 'CreateServiceTemplateVersion,CreateEnvironmentAccountConnection'],
  ['tokens forgotten when the clock moves', forgetsTokensWhenTimePasses, 'client-token/expiry', 'CreateEnvironmentTemplateVersion,CreateEnvironmentAccountConnection'],
  ['mismatch not named', hidesMismatch, 'client-token/same-token-different-params,idempotent-create/different-params', 'CreateServiceTemplateVersion,CreateEnvironment'],
  ['no conflict after a modification', conflictBecomesValidation, 'idempotent-create/modified-retry', 'CreateEnvironmentTemplate,CreateService'],
  ['delete retries not found', deleteRetryNotFound, 'idempotent-delete/retry-succeeds,idempotent-delete/retry-returns-metadata,idempotent-delete/no-further-action', 'DeleteEnvironmentTemplateVersion,DeleteEnvironmentAccountConnection'],
  ['empty answer during the deletion', asyncRetryEmpty, 'async-delete/retry-in-progress', 'DeleteEnvironment,DeleteService'],
  ['a duplicate for every create', createsTwice, 'general/exact-resource-count,client-token/same-token-same-params', 'CreateEnvironmentTemplateVersion,CreateEnvironmentAccountConnection'],
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
    expect(summary(notFailing)).toBe("");
  });

  it('names the counterexample and the replay command of a property failure', async () => {
    const [result] = await runCells(target, { rules: 'client-token/case-sensitive', operations: 'CreateEnvironmentTemplateVersion', numRuns: 10, tamper: foldsTokenCase });
    expect(result?.verdict).toBe('fail');
    expect(result?.reason).toContain('Counterexample');
    expect(result?.replay?.command).toMatch(/^npx proton-conformance --rules client-token\/case-sensitive --operations CreateEnvironmentTemplateVersion --seed \d+ --path \S+$/);
  });
});
