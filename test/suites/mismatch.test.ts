// The mismatch marker (docs/CONTRACT.md "The mismatch marker", specs/mismatch.ts):
// found with case, white space, hyphens and underscores ignored, in a
// ValidationException only. The two mismatch rules pass on every operation
// whichever spelling the target writes, and fail when the message names no
// mismatch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../harness/target/target.ts';
import { isMismatchError, namesMismatch } from '../../specs/mismatch.ts';
import type { CallResult } from '../../specs/commands.ts';
import { isMismatch } from '../../suites/lib/create.ts';
import { runCells, startTarget, summary } from './run-cells.ts';
import { rewordsMismatch } from './tampers.ts';

const RULES = 'client-token/same-token-different-params,idempotent-create/different-params';

const failed = (name: string, message: string): CallResult => ({ ok: false, error: { name, message, status: 400 } });

describe('the marker', () => {
  it.each([
    'IdempotentParameterMismatch',
    'Idempotent parameter mismatch',
    'idempotent_parameter_mismatch',
    'idempotent-parameter-mismatch',
    'IDEMPOTENT  PARAMETER\tMISMATCH',
    'An error occurred (ValidationException) when calling the CreateEnvironment operation: Idempotent parameter mismatch',
    'CreateEnvironment refused (idempotent_parameter_mismatch). name=x.',
  ])('is found in %j', (message) => {
    expect(namesMismatch(message)).toBe(true);
    expect(isMismatch(failed('ValidationException', message))).toBe(true);
  });

  it.each([
    'The request does not match the original request',
    'parameters differ',
    'Idempotent parameter',
    'Parameter mismatch',
    'Idempotent request: parameter mismatch',
    '',
  ])('is not found in %j', (message) => {
    expect(namesMismatch(message)).toBe(false);
    expect(isMismatch(failed('ValidationException', message))).toBe(false);
  });

  it('counts only in a ValidationException, and never in a success', () => {
    expect(isMismatchError('ConflictException', 'IdempotentParameterMismatch: x')).toBe(false);
    expect(isMismatch(failed('ConflictException', 'Idempotent parameter mismatch'))).toBe(false);
    expect(isMismatch(failed('InternalServerException', 'idempotent_parameter_mismatch'))).toBe(false);
    expect(isMismatch({ ok: true, output: { message: 'IdempotentParameterMismatch' } })).toBe(false);
  });
});

describe('the mismatch rules on every operation', () => {
  let target: Target;

  beforeAll(async () => {
    target = await startTarget();
  });

  afterAll(async () => {
    await target.close();
  });

  it.each(['Idempotent parameter mismatch', 'idempotent_parameter_mismatch', 'IdempotentParameterMismatch'])(
    'pass when the target writes %j',
    async (words) => {
      const rewritten = { count: 0 };
      const results = await runCells(target, { rules: RULES, numRuns: 5, tamper: rewordsMismatch(words, rewritten) });
      const cells = results.filter((result) => result.rule !== 'shape/responses-match-model');
      expect(cells).toHaveLength(7);
      expect(summary(cells.filter((result) => result.verdict !== 'pass'))).toBe('');
      // Every operation's mismatches went through the rewording.
      expect(rewritten.count).toBeGreaterThanOrEqual(7);
    },
  );

  it('fail on every operation when the ValidationException names no mismatch', async () => {
    const results = await runCells(target, { rules: RULES, numRuns: 5, tamper: rewordsMismatch('the parameters differ') });
    const cells = results.filter((result) => result.rule !== 'shape/responses-match-model');
    expect(cells).toHaveLength(7);
    expect(summary(cells.filter((result) => result.verdict !== 'fail'))).toBe('');
    for (const cell of cells) expect(cell.reason).toMatch(/naming the idempotent parameter mismatch/);
  });
});
