// The fast tier's one run of the CLI as a process (the bin shim, as a user
// starts it): a small selection against the embedded emulator exits 0 with
// its matrix and summary on stdout and a JSON report that validates. The CLI's
// other cases as a process are in the slow tier (test/harness/cli.test.ts and
// its neighbours listed in vitest.config.ts).
import { runCliProcess } from '../support/spawn.ts';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCHEMA = fileURLToPath(new URL('../../specs/report.schema.json', import.meta.url));

describe('proton-conformance as a process (smoke)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pc-smoke-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a selection against the embedded emulator: exit 0, the matrix, the summary and a valid JSON report', async () => {
    const json = join(dir, 'report.json');
    const run = await runCliProcess(['--rules', 'client-token/format', '--num-runs', '2', '--seed', '3', '--json', json]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\(embedded emulator; hooks: /);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toMatch(/^PASS \(every MUST cell passed\): 3 of 3 cells run/m);
    const report = JSON.parse(await readFile(json, 'utf8')) as { exitCode: number; results: { rule: string; verdict: string }[] };
    const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(await readFile(SCHEMA, 'utf8')) as object);
    expect(validate(report), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    expect(report.exitCode).toBe(0);
    expect(report.results.map((r) => `${r.rule} ${r.verdict}`)).toEqual(Array(3).fill('client-token/format pass'));
  });
});
