// A run sized by its target's latency (issue 17; harness/plan/latency.ts,
// harness/plan/sizing.ts): the sizing function, --budget, and the CLI against the
// emulator's --latency, whose header and report show the sizing.
import { ONE_CELL, runCliProcess } from '../support/spawn.ts';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { duration } from '../../cli/args.ts';
import { startEmulator } from '../../emulator/index.ts';
import { BUDGET_FILL, CLIENT_MS_PER_REQUEST, MIN_NUM_RUNS, estimateMs, median, sizeForLatency } from '../../harness/plan/latency.ts';
import type { CellCost, SizingInput } from '../../harness/plan/latency.ts';

/** The CLI as a process, in a clean environment with a region (a target that is not the embedded emulator needs one). */
const cli = (args: string[]) => runCliProcess(args, { AWS_REGION: 'us-east-1' });

/** 20 property cells of 1,000 requests at 100 runs, and 10 scenario cells of 50. */
const COSTS: CellCost[] = [
  ...Array.from({ length: 20 }, () => ({ requests: 1_000, property: true, waitedMs: 0 })),
  ...Array.from({ length: 10 }, () => ({ requests: 50, property: false, waitedMs: 0 })),
];

function input(latencyMs: number, extra: Partial<SizingInput> = {}): SizingInput {
  return {
    latencyMs,
    budgetMs: 300_000,
    rehearsedNumRuns: 100,
    costs: COSTS,
    defaults: { numRuns: 100, concurrency: 12, cellTimeoutS: 60 },
    local: true,
    ...extra,
  };
}

describe('sizeForLatency', () => {
  it('keeps 100 runs when the run fits its budget, with twice the concurrency on this machine', () => {
    const sized = sizeForLatency(input(50));
    expect(sized.numRuns).toBe(100);
    expect(sized.concurrency).toBe(24);
    // 20 x 1,000 + 10 x 50 requests at 52 ms over 24 cells, but never less than one cell's 1,000 requests.
    expect(sized.estimatedMs).toBe(
      Math.max(Math.round((20_500 * (50 + CLIENT_MS_PER_REQUEST)) / 24), 1_000 * (50 + CLIENT_MS_PER_REQUEST)),
    );
    // Three times the longest cell and a minute: no cell of a conforming run times out.
    expect(sized.cellTimeoutS).toBe(Math.ceil((3 * 1_000 * (50 + CLIENT_MS_PER_REQUEST)) / 1000) + 60);
  });

  it('cuts the runs per property to fit the budget, scenario cells staying as they are', () => {
    const sized = sizeForLatency(input(400));
    expect(sized.numRuns).toBeLessThan(100);
    expect(sized.numRuns).toBeGreaterThanOrEqual(MIN_NUM_RUNS);
    expect(sized.estimatedMs).toBeLessThanOrEqual(BUDGET_FILL * 300_000);
    // One more run would not have fitted.
    expect(estimateMs(input(400), sized.numRuns + 1, sized.concurrency)).toBeGreaterThan(BUDGET_FILL * 300_000);
    // A budget twice as long allows about twice the runs.
    expect(sizeForLatency(input(400, { budgetMs: 600_000 })).numRuns).toBeGreaterThan(1.8 * sized.numRuns);
  });

  it('never goes below the fewest runs, and says the estimate is over the budget', () => {
    const sized = sizeForLatency(input(30_000));
    expect(sized.numRuns).toBe(MIN_NUM_RUNS);
    expect(sized.estimatedMs).toBeGreaterThan(300_000);
  });

  it('keeps what the user gave: --num-runs and --concurrency', () => {
    const sized = sizeForLatency(input(400, { given: { numRuns: 100, concurrency: 6 } }));
    expect(sized).toMatchObject({ numRuns: 100, concurrency: 6 });
    expect(sized.estimatedMs).toBe(estimateMs(input(400), 100, 6));
  });

  it('keeps the default concurrency for a remote target (a real account throttles)', () => {
    expect(sizeForLatency(input(50, { local: false, defaults: { numRuns: 100, concurrency: 4, cellTimeoutS: 900 } })).concurrency).toBe(4);
  });

  it('median, and --budget durations', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect([duration('--budget', '300'), duration('--budget', '90s'), duration('--budget', '5m'), duration('--budget', '1.5h')]).toEqual([
      300, 90, 300, 5400,
    ]);
    for (const bad of ['', '0', '-5', '5 minutes', 'm'])
      expect(() => duration('--budget', bad)).toThrow(/^--budget: '.*' is not a positive duration/);
  });
});

describe('the CLI against a slow target (emulator --latency)', () => {
  it('measures the round trip, prints the sizing in the header and keeps it in the report', async () => {
    const emulator = await startEmulator({ port: 0, latency: { min: 60, max: 80 } });
    const dir = await mkdtemp(join(tmpdir(), 'pc-latency-'));
    try {
      const json = join(dir, 'report.json');
      const args = ['--endpoint', emulator.url, ...ONE_CELL, '--num-runs', '4', '--budget', '2m', '--seed', '5', '--json', json];
      const run = await cli(args);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(
        /^concurrency 1, cell timeout \d+ s \(sized by the target's latency; --concurrency and --cell-timeout change them\)$/m,
      );
      const line = new RegExp(
        /^latency: ([\d.]+) ms per request \(median round trip [\d.]+ ms of 7,/.source +
          / less [\d.]+ ms to a server in this process; under 30 ms is fast\)/.source +
          /; sized for a budget of 2 min \(--budget\): 4 runs per property, concurrency 1, cell timeout \d+ s/.source +
          /; estimated [\d.]+ (ms|s) \(requests counted in a rehearsal of [\d.]+ (ms|s)\)$/.source,
        'm',
      ).exec(run.stdout);
      expect(line, run.stdout).not.toBeNull();
      // The emulator waits 60 to 80 ms; the baseline takes this machine's own share off.
      expect(Number(line![1])).toBeGreaterThanOrEqual(45);
      const report = JSON.parse(await readFile(json, 'utf8')) as { sizing: Record<string, unknown>; numRuns: number };
      expect(report.sizing).toMatchObject({ sizedBy: 'latency', budgetMs: 120_000, numRuns: 4, concurrency: 1 });
      expect(report.sizing['latencyMs']).toBe(Number(line![1]));
      expect(report.numRuns).toBe(4);
      // Nothing of the run stays on the target (each cell resets its own account).
      expect(Object.values(emulator.counts()).every((count) => count === 0)).toBe(true);
    } finally {
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it(
    "a fast target keeps its runs: not sized when its latency is under 30 ms, and 100 runs per property if this machine's load " +
      'makes it look slower',
    async () => {
      const emulator = await startEmulator({ port: 0 });
      try {
        const run = await cli(['--endpoint', emulator.url, ...ONE_CELL, '--seed', '5']);
        expect(run.code, run.stderr).toBe(0);
        const line = new RegExp(
          /^latency: ([\d.]+) ms per request \(median round trip [\d.]+ ms of 7,/.source +
            / less [\d.]+ ms to a server in this process; under 30 ms is fast\)(.*)$/.source,
          'm',
        ).exec(run.stdout);
        expect(line, run.stdout).not.toBeNull();
        if (Number(line![1]) < 30) {
          expect(line![2]).toBe(': the run is not sized by it');
          expect(run.stdout).toMatch(/^concurrency 12, cell timeout 60 s \(defaults for a target on this machine; /m);
        } else expect(line![2]).toMatch(/^; sized for a budget of 5 min \(--budget\): 100 runs per property, /);
        expect(run.stdout).toContain('100 runs per property, 1 cell');
      } finally {
        await emulator.close();
      }
    },
  );
});
