// general/exact-resource-count's concurrent commands (suites/properties/general.ts):
// their requests go through a proxy that makes them meet at the target, each
// command counts the interleaving it meant (requests-at-once) and whether the
// proxy's history shows it, and a pass where one did not happen is inconclusive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckContext, WireLink } from '../../harness/run/context.ts';
import type { Target } from '../../harness/target/target.ts';
import { runCells, startTarget, summary } from './run-cells.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const RULE = 'general/exact-resource-count';
const OPERATIONS = 'CreateEnvironmentTemplate,CreateService';

let target: Target;

beforeAll(async () => {
  target = await startTarget();
});

afterAll(async () => {
  await target?.close();
});

/** Each cell's links, made to say that their requests never met (and not held to meet). */
function neverMeeting(ctx: CheckContext): CheckContext {
  return Object.assign(Object.create(ctx) as CheckContext, {
    throughProxy: async (...args: Parameters<CheckContext['throughProxy']>) => {
      const link = await ctx.throughProxy(...args);
      return Object.assign(Object.create(link) as WireLink, {
        gather: () => undefined,
        interleaving: (which: Parameters<WireLink['interleaving']>[0]) => ({ ...link.interleaving(which), happened: false }),
      });
    },
  });
}

describe("general/exact-resource-count's concurrent commands", () => {
  it('meet at the target, and every one the cell meant is counted as exercised', { timeout: 60_000 }, async () => {
    const results = await runCells(target, { rules: RULE, operations: OPERATIONS, seed: 7, numRuns: 30 });
    expect(
      results.map((r) => r.verdict),
      summary(results),
    ).toEqual(['pass', 'pass']);
    for (const result of results) {
      const count = result.interleavings;
      expect(count, result.operation).toBeDefined();
      expect(count!.intended, result.operation).toBeGreaterThan(0);
      expect(count!.exercised, result.operation).toBe(count!.intended);
      expect(result.reason).toContain('through a proxy that makes them meet');
    }
  });

  it('leave the cell inconclusive, never pass, when their requests did not meet', { timeout: 60_000 }, async () => {
    const results = await runCells(target, { rules: RULE, operations: OPERATIONS, seed: 7, numRuns: 30, tamper: neverMeeting });
    expect(
      results.map((r) => r.verdict),
      summary(results),
    ).toEqual(['inconclusive', 'inconclusive']);
    for (const result of results) {
      expect(result.reason).toMatch(/requests-at-once .* did not happen for (\d+) of \1 concurrent commands/);
      expect(result.interleavings!.exercised).toBe(0);
    }
  });
});
