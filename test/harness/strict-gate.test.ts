// A gate that can be strict (issue 20, item 4): --fail-on skipped,inconclusive
// makes cells with those verdicts fail the run (exit 1), and
// --require-capabilities stops a run whose target lacks a hook before any
// cell (exit 2, one line naming what is missing). The CLI's flags and the
// library's options go through one engine (harness/engine/engine.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCli } from '../../cli/args.ts';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { strictExitCode } from '../../harness/engine/gate.ts';
import { UsageError } from '../../harness/errors.ts';
import { runConformance } from '../../library/api.ts';
import type { ConformanceOptions } from '../../library/api.ts';
import { summaryLine } from '../../reporters/console.ts';

let clockless: RunningEmulator;
const seen: string[] = [];

beforeAll(async () => {
  // Every hook but the clock: client-token/expiry is skipped there (no --phase).
  clockless = await startEmulator({ port: 0, hooks: ['accounts', 'counts', 'reset', 'durations'], log: (line) => seen.push(line) });
});

afterAll(async () => {
  await clockless?.close();
});

const EXPIRY: ConformanceOptions = {
  rules: 'client-token/expiry',
  operations: 'CreateEnvironmentTemplateVersion',
  numRuns: 1,
  seed: 5,
  env: {},
};

describe('--fail-on', () => {
  it('fails a run whose cells are skipped when asked to, and only then', async () => {
    const lenient = await runConformance({ ...EXPIRY, endpoint: clockless.url });
    expect(lenient.results.map((r) => r.verdict)).toEqual(['skipped']);
    expect(lenient.exitCode).toBe(0);

    const strict = await runConformance({ ...EXPIRY, endpoint: clockless.url, failOn: 'skipped' });
    expect(strict.results.map((r) => r.verdict)).toEqual(['skipped']);
    expect(strict.exitCode).toBe(1);
    expect(strict.verdict).toBe('fail');
    expect((strict as { settings?: { failOn?: unknown } }).settings?.failOn).toEqual(['skipped']);
    // merge judges the shards' report by the same settings.
    expect(strictExitCode(strict)).toBe(1);
    expect(summaryLine(strict, { requests: 1, wallMs: 1, interrupted: false })).toMatch(
      /^FAIL \(no MUST cell failed; 1 skipped \(--fail-on skipped\)\)/,
    );

    // Naming the other verdict only: the skipped cell does not fail the run.
    const other = await runConformance({ ...EXPIRY, endpoint: clockless.url, failOn: ['inconclusive'] });
    expect(other.exitCode).toBe(0);
  });

  it('a skipped cell --expect names does not fail the run', async () => {
    const expected = await runConformance({
      ...EXPIRY,
      endpoint: clockless.url,
      failOn: 'skipped,inconclusive',
      expect: [{ rule: 'client-token/expiry', operation: 'CreateEnvironmentTemplateVersion', reason: 'no clock here' }],
    });
    expect(expected.results.map((r) => r.verdict)).toEqual(['skipped']);
    expect(expected.exitCode).toBe(0);
  });

  it('the flag takes skipped, inconclusive or both; anything else is exit 2 naming it', () => {
    expect(parseCli(['--fail-on', 'skipped,inconclusive']).failOn).toEqual(['skipped', 'inconclusive']);
    expect(parseCli(['--fail-on', 'inconclusive']).failOn).toEqual(['inconclusive']);
    expect(() => parseCli(['--fail-on', 'skipped,warn'])).toThrow(
      new UsageError("--fail-on: 'warn' is not a verdict (skipped, inconclusive)"),
    );
    expect(() => parseCli(['--fail-on', ''])).toThrow(UsageError);
  });
});

describe('--require-capabilities', () => {
  it('stops a run whose target lacks a capability before any cell, one line naming it', async () => {
    const mark = seen.length;
    const run = runConformance({ ...EXPIRY, endpoint: clockless.url, requireCapabilities: 'clock,durations,counts' });
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(
      `--require-capabilities: ${clockless.url} lacks clock (its hooks: durations, reset, counts, accounts; ` +
        'docs/emulator-hooks.md); no cell was run',
    );
    // The target was asked what it offers and whether it speaks Proton; nothing was created.
    expect(seen.slice(mark).filter((line) => / Create| Delete/.test(line))).toEqual([]);
    expect(new UsageError('x').exitCode).toBe(2);
  });

  it('lets a target that offers them run', async () => {
    const report = await runConformance({ ...EXPIRY, endpoint: clockless.url, requireCapabilities: ['durations', 'accounts'] });
    expect(report.exitCode).toBe(0);
  });

  it('the flag takes the hooks protocol capabilities; anything else is exit 2 naming it', () => {
    expect(parseCli(['--require-capabilities', 'clock,durations']).requireCapabilities).toEqual(['clock', 'durations']);
    expect(() => parseCli(['--require-capabilities', 'clock,teleport'])).toThrow(
      new UsageError("--require-capabilities: 'teleport' is not a capability (clock, durations, reset, counts, accounts)"),
    );
  });
});
