// The plan of a run against a target without a clock counts the wire cells'
// retries at a client's pace (suites/lib/late-retry.ts): their requests and
// their waits are rehearsed like any other, and the plan line says what they
// cost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { planLine } from '../../harness/plan/plan.ts';
import type { Plan } from '../../harness/plan/plan.ts';
import { runConformance } from '../../library/api.ts';
import { BACKOFF_RETRY_MS } from '../../suites/lib/late-retry.ts';

let emulator: RunningEmulator;
const saved = { ...process.env };

beforeAll(async () => {
  emulator = await startEmulator({ hooks: [] });
  // A target without the accounts hook is signed for with the standard chain.
  process.env['AWS_ACCESS_KEY_ID'] = 'AKIDPLANWIRE00000001';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'planWireSecret';
  process.env['AWS_REGION'] = 'us-east-1';
});

afterAll(async () => {
  process.env = saved;
  await emulator.close();
});

describe("the plan's wire share", () => {
  it('counts the retries at a client pace: their requests and their backoff wait', { timeout: 120_000 }, async () => {
    const report = (await runConformance({
      endpoint: emulator.url,
      rules: 'wire/lost-response-retry,wire/duplicate-delivery',
      operations: 'CreateEnvironmentTemplate',
      seed: 7,
    })) as Awaited<ReturnType<typeof runConformance>> & { plan?: Plan };
    expect(report.results.filter((r) => r.verdict !== 'pass').map((r) => `${r.rule} ${r.operation}: ${r.reason}`)).toEqual([]);
    const wire = report.plan!.wire;
    expect(wire.cells).toBe(2);
    // Six cases of wire/lost-response-retry, each retried twice more; the duplicates are not paced.
    expect(wire.requests).toBeGreaterThanOrEqual(12);
    expect(wire.longestWaitMs).toBeGreaterThanOrEqual(BACKOFF_RETRY_MS);
    expect(planLine(report.plan!)).toContain(`the 2 wire cells ${wire.requests} of the requests, each waiting up to`);
  });

  it('says nothing of wire cells where there are none', () => {
    const plan: Plan = {
      cells: 1,
      resources: 1,
      requests: 3,
      criticalPathMs: 0,
      longest: undefined,
      durations: 'real',
      rehearsalMs: 5,
      unsure: [],
      wire: { cells: 0, requests: 0, longestWaitMs: 0 },
    };
    expect(planLine(plan)).not.toContain('wire');
  });
});
