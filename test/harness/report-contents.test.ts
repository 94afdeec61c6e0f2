// Issue 12.9 and issue 9.6: the JSON report of the main job says what was run,
// how, by which version and with what result, in one time format, sized by
// what a reader needs; the main job's output holds progress and no warning.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCliProcess } from '../support/spawn.ts';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], interruptAfterMs?: number): Promise<Run> {
  let armed = false;
  return runCliProcess(
    args,
    {},
    {
      onStdout: (_stdout, child) => {
        if (armed || interruptAfterMs === undefined) return;
        armed = true;
        setTimeout(() => child.kill('SIGINT'), interruptAfterMs);
      },
    },
  );
}

let dir: string;
let full: Run;
let fullJson: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pc-report-'));
  fullJson = join(dir, 'full.json');
  full = await cli(['--json', fullJson]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the main job', () => {
  it('passes, with progress lines on stderr and no warning or stack trace', () => {
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout + full.stderr).not.toMatch(/Warning|\n\s+at /);
    // Off a terminal: plain progress lines (cells done of total, failures, elapsed) and a final one.
    expect(full.stderr).toMatch(/^proton-conformance: \d+ of \d+ cells run, 0 failing, \d+(\.\d)? s elapsed/m);
    const total = /cells? \(plus|(\d+) cells/.exec(full.stdout) && Number(/, (\d+) cells/.exec(full.stdout)![1]);
    expect(full.stderr).toMatch(new RegExp(`^proton-conformance: ${total} of ${total} cells run, \\d+ requests, `, 'm'));
  });

  it('writes a report of at most 1 MB that says what was run, how, by which version and with what result', async () => {
    const size = (await stat(fullJson)).size;
    expect(size).toBeLessThanOrEqual(1_000_000);
    const report = JSON.parse(await readFile(fullJson, 'utf8')) as Record<string, any>;
    const schema = JSON.parse(await readFile(new URL('../../specs/report.schema.json', import.meta.url), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(report['tool']).toEqual({ name: 'proton-conformance', version: pkg.version });
    expect(report['verdict']).toBe('pass');
    expect(report['exitCode']).toBe(0);
    expect(report['settings']).toMatchObject({
      rules: null,
      operations: null,
      numRuns: 100,
      concurrency: 12,
      cellTimeoutMs: 60_000,
      path: null,
    });
    expect(report['settings']['weather']).toMatchObject({ retriesPerStep: expect.any(Number), retriesPerCell: expect.any(Number) });
    expect(report['cells']).toEqual({ total: report['selection']['cells'], run: report['selection']['cells'], interrupted: 0, notRun: 0 });
    expect(report['target']['capabilities']).toEqual(['accounts', 'clock', 'counts', 'durations', 'reset']);
    expect(report['startedAt']).toMatch(ISO);
    expect(report['finishedAt']).toMatch(ISO);
    for (const result of report['results'] as Array<Record<string, any>>) {
      if (result['durationMs'] !== undefined) expect(Number.isInteger(result['durationMs'])).toBe(true);
      if (result['verdict'] === 'pass') {
        expect(result['evidence']).toEqual([]);
        expect(result['steps']).toBeUndefined();
      }
      for (const exchange of result['evidence'] as Array<Record<string, unknown>>) {
        expect(exchange['startedAt']).toMatch(ISO);
        expect(Number.isInteger(exchange['durationMs'])).toBe(true);
      }
    }
  });

  it('an interrupted run writes a report no larger than a full one', async () => {
    const json = join(dir, 'interrupted.json');
    const run = await cli(['--json', json], 2000);
    expect(run.code, run.stderr).toBe(130);
    const report = JSON.parse(await readFile(json, 'utf8')) as Record<string, any>;
    expect(report['verdict']).toBe('interrupted');
    expect(report['exitCode']).toBe(130);
    expect((await stat(json)).size).toBeLessThanOrEqual((await stat(fullJson)).size);
  });
});
