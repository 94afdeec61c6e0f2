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
import { formatMs } from '../../harness/run/wait.ts';
import { BACKOFF_RETRY_MS, settleMs } from '../../suites/lib/late-retry.ts';
import { CASES } from '../../suites/scenarios/wire.ts';

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

  it("settles by the run's measured round trip, and its paced retries follow the plan", { timeout: 120_000 }, async () => {
    // A slow target without hooks: every request waits 25 ms before it is handled.
    const slow = await startEmulator({ hooks: [], latency: { min: 25, max: 25 } });
    let report: Awaited<ReturnType<typeof runConformance>> & { plan?: Plan; sizing?: { roundTripMs: number } };
    try {
      report = await runConformance({
        endpoint: slow.url,
        rules: 'wire/lost-response-retry',
        operations: 'DeleteServiceTemplate',
        seed: 7,
      });
    } finally {
      await slow.close();
    }
    const cell = report.results[0]!;
    expect(report.results.map((r) => `${r.verdict} ${r.rule} ${r.operation}: ${r.reason}`)).toEqual([
      expect.stringMatching(/^pass wire\/lost-response-retry DeleteServiceTemplate/),
    ]);
    const measured = report.sizing!.roundTripMs;
    expect(measured).toBeGreaterThanOrEqual(25);
    const planned = report.plan!.wire.paced!;
    const ran = cell.paced!;
    // The rehearsal settles by the run's measured round trip, as the run does.
    expect(planned.settleMs).toBe(settleMs(measured, []));
    expect(ran.settleMs).toBe(planned.settleMs);
    // Each case twice more, in the plan and in the run, once per attempt its interleaving took.
    const cases = CASES['wire/lost-response-retry']!.length;
    expect(planned.retries).toBeGreaterThanOrEqual(2 * cases);
    expect(planned.retries % 2).toBe(0);
    // A case run again for its interleaving (suites/lib/interleaving.ts says how many in the reason) is retried again too.
    const again = Number(/(\d+) case run\(s\) did not meet their interleaving/.exec(cell.reason)?.[1] ?? 0);
    expect(ran.retries).toBe(2 * (cell.interleavings!.intended + again));
    expect(ran.waitedMs).toBeGreaterThanOrEqual(BACKOFF_RETRY_MS);
    expect(planLine(report.plan!)).toContain(
      `: ${planned.retries} retries at a client's pace and ${planned.reads} reads for them, up to ${formatMs(planned.waitedMs)} ` +
        `of their waits in one cell, settle time ${formatMs(planned.settleMs)}`,
    );
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
