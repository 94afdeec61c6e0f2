// Issue 20 item 7 on real runs of the CLI: against an emulator with every
// client-token fault at once (27 of them: the whole suite, a third of its
// cells failing), the Markdown summary stays under 1 MiB; a run without
// --summary leaves $GITHUB_STEP_SUMMARY alone, and --quiet prints the
// failures' headlines and the summary line only; merge --summary writes the
// one summary.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientTokenFaults } from '../../emulator/faults/client-token.ts';
import { faultyEmulator, run, said } from './support.ts';

describe('sized for CI: a whole category of faults at once', () => {
  let dir: string;
  let emulator: { url: string; close(): Promise<void> };
  const file = (name: string): string => join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pc-ci-size-'));
    emulator = await faultyEmulator(Object.keys(clientTokenFaults));
  });
  afterAll(async () => {
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the Markdown stays under 1 MiB; no --summary, no step summary; --quiet; merge --summary writes it once', async () => {
    await writeFile(file('summary.md'), '# an earlier step\n');
    const env = { GITHUB_STEP_SUMMARY: file('summary.md') };
    const args = ['--endpoint', emulator.url, '--num-runs', '5', '--seed', '7', '--markdown', file('run.md'), '--json', file('run.json')];
    const quiet = await run([...args, '--quiet'], env);
    expect(quiet.code, said(quiet)).toBe(1);
    const size = (await stat(file('run.md'))).size;
    expect(size).toBeLessThan(1024 * 1024);
    const report = JSON.parse(await readFile(file('run.json'), 'utf8')) as {
      results: { verdict: string; rule: string; operation: string }[];
    };
    const failed = report.results.filter((r) => r.verdict === 'fail');
    expect(failed.length).toBeGreaterThan(20);
    expect(await readFile(file('run.md'), 'utf8')).toContain(`### Failures (${failed.length})`);
    // --quiet: a headline per failure, then the summary line; no header, matrix or evidence.
    const lines = quiet.stdout.trimEnd().split('\n');
    expect(lines.slice(0, -1)).toEqual(failed.map((r) => `✗ FAIL  ${r.rule}  ${r.operation}  (MUST)`));
    expect(lines.at(-1)).toMatch(/^FAIL \(\d+ MUST cells failed\): \d+ of \d+ cells run/);
    // No --summary: the step summary untouched.
    expect(await readFile(file('summary.md'), 'utf8')).toBe('# an earlier step\n');
    // merge --summary: the one summary.
    const merged = await run(['merge', file('run.json'), '--summary', '--quiet'], env);
    expect(merged.code, said(merged)).toBe(1);
    const summary = await readFile(file('summary.md'), 'utf8');
    expect(summary.match(/^## proton-conformance: /gm)).toHaveLength(1);
    expect(Buffer.byteLength(summary)).toBeLessThan(1024 * 1024);
  });
});
