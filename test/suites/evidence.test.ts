// Lists are evidence, not truth (suites/lib/evidence.ts, docs/lists-and-evidence.md):
// against a conforming target whose List pages lose or repeat an item now and
// then (as offset pages do while others create and delete), every verdict
// that rests on a List still passes, the weather counted in its reason; a
// real extra resource still fails through the same flaky Lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../harness/target/target.ts';
import type { Report } from '../../harness/types.ts';
import { listWeatherLine } from '../../reporters/console.ts';
import { runCells, startTarget, summary } from './run-cells.ts';
import type { Tamper } from './run-cells.ts';
import { createsTwice, flakyLists, listsFlakily } from './tampers.ts';

/** Every rule whose verdict rests on a List. */
const LIST_RULES = [
  'general/exact-resource-count',
  'idempotent-create/unmodified-retry',
  'idempotent-create/modified-retry',
  'idempotent-create/different-params',
  'idempotent-create/concurrent-retries',
  'client-token/same-token-same-params',
  'client-token/same-token-different-params',
  'client-token/concurrent-retries',
  'client-token/retry-after-delete',
  'idempotent-delete/no-further-action',
  'wire/lost-response-retry',
  'wire/interleaved-retries',
].join(',');

const OPERATIONS =
  'CreateEnvironmentTemplate,CreateEnvironmentTemplateVersion,CreateEnvironmentAccountConnection,DeleteServiceTemplate,DeleteEnvironment';

let target: Target;

beforeAll(async () => {
  target = await startTarget();
});

afterAll(async () => {
  await target.close();
});

describe('flaky Lists over a conforming target', () => {
  it('give no failure: each difference is settled by a repeated List and Get, and counted', async () => {
    const changed = { count: 0 };
    const results = await runCells(target, {
      rules: LIST_RULES,
      operations: OPERATIONS,
      numRuns: 5,
      tamper: listsFlakily(0.25, 17, changed),
    });
    const cells = results.filter((result) => result.rule !== 'shape/responses-match-model');
    expect(cells.length).toBeGreaterThan(15);
    expect(summary(cells.filter((result) => result.verdict === 'fail' || result.verdict === 'warn'))).toBe('');
    // A cell may end inconclusive only when its Lists never agreed.
    for (const cell of cells.filter((result) => result.verdict === 'inconclusive')) {
      expect(cell.reason).toMatch(/never gave the same answer twice in a row/);
    }
    expect(changed.count).toBeGreaterThan(20);
    const counted = cells.filter((result) => /List weather: \d+ difference/.test(result.reason));
    expect(counted.length).toBeGreaterThan(3);
    // Counted in the report too: per cell, and in one console line.
    for (const cell of counted) expect(cell.listWeather, `${cell.rule} ${cell.operation}`).toBeGreaterThan(0);
    const total = counted.reduce((sum, cell) => sum + cell.listWeather!, 0);
    expect(listWeatherLine({ results } as unknown as Report)).toBe(
      `List weather: ${total} differences of a List from what a repeated List and Get showed, in ${counted.length} cells; a List ` +
        'is evidence, not a verdict.',
    );
  });

  it('still show a resource created twice', async () => {
    const flaky = flakyLists(0.25, 23);
    const both: Tamper = (ctx) => {
      const twice = createsTwice(ctx);
      flaky(twice.client);
      return twice;
    };
    const results = await runCells(target, {
      rules: 'general/exact-resource-count,client-token/same-token-same-params',
      operations: 'CreateEnvironmentTemplateVersion,CreateEnvironmentAccountConnection',
      numRuns: 5,
      tamper: both,
    });
    const cells = results.filter((result) => result.rule !== 'shape/responses-match-model');
    expect(cells).toHaveLength(4);
    expect(summary(cells.filter((result) => result.verdict !== 'fail'))).toBe('');
  });
});
