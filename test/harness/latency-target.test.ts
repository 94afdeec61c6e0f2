// Issue 17 end to end (slow tier): the default run against the emulator with
// --latency 0-100 and every hook finishes on its own, every cell passing,
// within 1.25 times the budget it printed; with --cell-timeout 5 it still
// finishes, the cells that ran out of time inconclusive with that reason, the
// report written, and nothing of the run left on the target.
import { runCliProcess } from '../support/spawn.ts';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';

/** The CLI as a process, in a clean environment with a region (a target that is not the embedded emulator needs one). */
const cli = (args: string[]) => runCliProcess(args, { AWS_REGION: 'us-east-1' });

interface Report {
  verdict: string;
  summary: { pass: number; fail: number; inconclusive: number };
  results: Array<{ verdict: string; reason: string }>;
  sizing: { budgetMs: number; latencyMs: number; sizedBy: string };
}

const nothingLeft = (emulator: RunningEmulator): boolean => Object.values(emulator.counts()).every((count) => count === 0);

describe('a target whose requests take 0 to 100 ms (emulator --latency 0-100, every hook)', () => {
  let emulator: RunningEmulator;
  let dir: string;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, latency: { min: 0, max: 100 }, seed: 17 });
    dir = await mkdtemp(join(tmpdir(), 'pc-latency-target-'));
  });
  afterAll(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the default run ends on its own with exit 0, every cell passing, within 1.25 x the budget it printed', async () => {
    const json = join(dir, 'default.json');
    const run = await cli(['--endpoint', emulator.url, '--seed', '11', '--json', json]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^latency: [\d.]+ ms per request .*; sized for a budget of 5 min \(--budget\): /m);
    const report = JSON.parse(await readFile(json, 'utf8')) as Report;
    expect(report.verdict).toBe('pass');
    expect(report.summary).toMatchObject({ fail: 0, inconclusive: 0 });
    expect(report.sizing.sizedBy).toBe('latency');
    expect(run.ms).toBeLessThanOrEqual(1.25 * report.sizing.budgetMs);
    expect(nothingLeft(emulator)).toBe(true);
  }, 600_000);

  it('with --cell-timeout 5 the run finishes: cells out of time are inconclusive with that reason, the report is written, nothing is ' +
    'left', async () => {
    const json = join(dir, 'timeout.json');
    const run = await cli(['--endpoint', emulator.url, '--rules', 'client-token/*', '--cell-timeout', '5', '--seed', '11', '--json', json]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as Report;
    const outOfTime = report.results.filter((result) => result.verdict === 'inconclusive');
    expect(outOfTime.length).toBeGreaterThan(0);
    for (const result of outOfTime) expect(result.reason).toMatch(/^the check did not finish within 5 s \(it ran \d+ ms/);
    expect(report.summary.fail).toBe(0);
    expect(nothingLeft(emulator)).toBe(true);
  }, 600_000);
});
