// A run sized to a target without a clock (harness/plan/sizing.ts, harness/plan/plan.ts):
// rehearsed first, its plan reported, property runs at their own default;
// the library entry point sizes it as the CLI does. A target with a clock
// (the embedded emulator) is not rehearsed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance } from '../../library/api.ts';
import { HOOKLESS_NUM_RUNS } from '../../harness/plan/sizing.ts';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { formatTransitionDurations } from '../../specs/transitions.ts';

const durations = {
  templateVersionRegistration: 20,
  environmentDeployment: 50,
  serviceCreation: 50,
  serviceUpdate: 50,
  environmentDeletion: 600,
  serviceDeletion: 600,
};
const expect_ = formatTransitionDurations(durations);

interface Planned {
  plan?: {
    cells: number;
    resources: number;
    requests: number;
    criticalPathMs: number;
    longest?: { rule: string; operation: string };
    durations: string;
  };
  resourcesCreated?: number;
}

let emulator: RunningEmulator;
const saved = { ...process.env };

beforeAll(async () => {
  emulator = await startEmulator({ hooks: [], durations });
  // A target without the accounts hook is signed for with the standard chain.
  process.env['AWS_ACCESS_KEY_ID'] = 'AKIDPLANTEST00000001';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'planTestSecret';
  process.env['AWS_REGION'] = 'us-east-1';
});

afterAll(async () => {
  process.env = saved;
  await emulator.close();
});

describe('a run against a target without a clock', () => {
  it('is rehearsed first: its plan names the cells, resources, requests and critical path, and the run matches it', async () => {
    const report = (await runConformance({
      endpoint: emulator.url,
      rules: 'async-delete/*,idempotent-delete/retry-succeeds',
      operations: 'DeleteEnvironment,DeleteService,DeleteEnvironmentTemplate',
      expectDurations: expect_,
      seed: 7,
    })) as Awaited<ReturnType<typeof runConformance>> & Planned;
    // In real time, an async-delete cell may honestly end inconclusive on a
    // loaded machine (the deletion ended while a retry was in flight); never fail.
    const cells = report.results.filter((r) => r.rule !== 'shape/responses-match-model');
    expect(cells).toHaveLength(5);
    expect(
      cells
        .filter((r) => r.verdict !== 'pass' && !(r.verdict === 'inconclusive' && r.rule.startsWith('async-delete/')))
        .map((r) => `${r.rule} ${r.operation}: ${r.verdict}: ${r.reason}`),
    ).toEqual([]);
    expect(cells.filter((r) => r.rule === 'idempotent-delete/retry-succeeds').map((r) => r.verdict)).toEqual(['pass']);
    expect(report.numRuns).toBe(HOOKLESS_NUM_RUNS);
    const plan = report.plan!;
    expect(plan).toMatchObject({ cells: 5, durations: expect_ });
    // The longest waits are the asynchronous deletions (600 ms; what the rehearsal's own requests took of it is not waiting).
    expect(plan.criticalPathMs).toBeGreaterThan(0);
    expect(plan.longest?.rule).toMatch(/^async-delete\//);
    // The rehearsal made what the run then made: the same cells, seed and runs.
    expect(plan.resources).toBe(report.resourcesCreated);
    expect(Math.abs(plan.requests - report.requests) / report.requests).toBeLessThan(0.25);
  });

  it('refuses durations it cannot read', async () => {
    await expect(runConformance({ endpoint: emulator.url, rules: 'async-delete/*', expectDurations: 'real/0' })).rejects.toThrow(
      /N of real\/N must be a positive number/,
    );
  });
});

describe('a run against a target with a clock', () => {
  it('is not rehearsed (waits are virtual) and keeps the default runs', async () => {
    const report = (await runConformance({
      rules: 'idempotent-delete/retry-succeeds',
      operations: 'DeleteEnvironmentTemplate',
      seed: 7,
    })) as Awaited<ReturnType<typeof runConformance>> & Planned;
    expect(report.plan).toBeUndefined();
    expect(report.numRuns).toBe(100);
  });
});
