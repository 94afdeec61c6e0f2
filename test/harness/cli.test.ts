// The CLI as a user meets it (spawned through the bin shim): exit codes and
// one-line messages for bad flags, bad endpoints and an unreachable target.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsError, closedPort, startFakeTarget } from '../support/fake-target.ts';
import type { FakeTarget } from '../support/fake-target.ts';
import { BIN, runCliProcess } from '../support/spawn.ts';
import type { Ran } from '../support/spawn.ts';

type Run = Ran;

/** The CLI as a process, in a clean environment (no endpoint or profile of the developer's leaks in), `env` added. */
const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> => runCliProcess(args, env);

/** One line on stderr, no stack trace. */
function expectOneLine(run: Run, pattern: RegExp): void {
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('proton-conformance CLI', () => {
  let port: number;
  let broken: FakeTarget;
  let stormy: FakeTarget;
  let dir: string;
  beforeAll(async () => {
    port = await closedPort();
    // A target without hooks that rejects every call (a contract answer, not weather).
    broken = await startFakeTarget({ proton: () => awsError(400, 'ValidationException', 'nothing works here') });
    stormy = await startFakeTarget({ proton: () => awsError(500, 'InternalServerException', 'always failing') });
    dir = await mkdtemp(join(tmpdir(), 'pc-cli-'));
  });
  afterAll(async () => {
    await broken.close();
    await stormy.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.concurrent('a target without hooks and no credentials is a configuration error (exit 2)', async () => {
    const run = await cli(['--endpoint', broken.url], { AWS_EC2_METADATA_DISABLED: 'true' });
    expect(run.code).toBe(2);
    expectOneLine(run, new RegExp(`^proton-conformance: no AWS credentials for ${broken.url} `));
  });

  it.concurrent('a MUST cell that fails exits 1, with the failure, its evidence and the JSON report', async () => {
    const json = join(dir, 'report.json');
    const secret = 'cliSecretKeyThatMustNotAppear0123456789ab';
    // CreateEnvironmentTemplate needs no prerequisite: the refusal is the operation's own answer
    // (a cell whose prerequisites the target refuses is inconclusive instead: test/harness/real-bundles.test.ts).
    const run = await cli(
      [
        '--endpoint',
        broken.url,
        '--rules',
        'idempotent-create/unmodified-retry',
        '--operations',
        'CreateEnvironmentTemplate',
        '--seed',
        '9',
        '--json',
        json,
      ],
      {
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLECLI000001',
        AWS_SECRET_ACCESS_KEY: secret,
        AWS_REGION: 'eu-west-1',
      },
    );
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain(`proton-conformance: target ${broken.url} (from --endpoint; hooks: none; region eu-west-1)`);
    expect(run.stdout).toContain('seed 9 (--seed 9 repeats this run)');
    expect(run.stdout).toMatch(/✗ FAIL {2}idempotent-create\/unmodified-retry {2}CreateEnvironmentTemplate {2}\(MUST\)/);
    expect(run.stdout).toContain('← 400 ValidationException');
    expect(run.stdout).toMatch(/^FAIL \(\d+ MUST cells? failed\)/m);
    const report = JSON.parse(await readFile(json, 'utf8')) as {
      target: { endpoint: string; embedded: boolean };
      summary: { fail: number };
    };
    expect(report.target).toMatchObject({ endpoint: broken.url, embedded: false });
    expect(report.summary.fail).toBeGreaterThan(0);
    for (const text of [run.stdout, run.stderr, await readFile(json, 'utf8')]) expect(text).not.toContain(secret);
  });

  it.concurrent('a cell whose prerequisites the target refuses is inconclusive with its answer, never a failure (exit 0)', async () => {
    const run = await cli(
      ['--endpoint', broken.url, '--rules', 'client-token/format', '--operations', 'CreateEnvironmentTemplateVersion', '--seed', '9'],
      {
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLECLI000003',
        AWS_SECRET_ACCESS_KEY: 'prerequisiteSecretKey0123456789abcdefghij',
        AWS_REGION: 'eu-west-1',
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /\? inconclusive: the prerequisites of CreateEnvironmentTemplateVersion could not be set up: ValidationException: nothing works here/,
    );
    expect(run.stdout).not.toMatch(/✗ FAIL/);
  });

  it.concurrent(
    'a target that only ever answers 500 gets an inconclusive cell with the weather counted, ' + 'never a failure (exit 0)',
    async () => {
      const json = join(dir, 'stormy.json');
      const run = await cli(
        [
          '--endpoint',
          stormy.url,
          '--rules',
          'idempotent-create/unmodified-retry',
          '--operations',
          'CreateEnvironmentTemplate',
          '--seed',
          '3',
          '--json',
          json,
        ],
        {
          AWS_ACCESS_KEY_ID: 'AKIAEXAMPLECLI000002',
          AWS_SECRET_ACCESS_KEY: 'stormySecretKey0123456789abcdefghijklmno',
        },
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(
        /\? inconclusive: the target kept answering transiently: CreateEnvironmentTemplate got InternalServerException \(HTTP 500\)/,
      );
      expect(run.stdout).toMatch(
        new RegExp(
          /^Weather: 11 transient answers \(0 throttles, 11 5xx, 0 network failures\)/.source +
            / in 1 cell and their cleanups, 10 retried with the same request; 1 step never got past them/.source,
          'm',
        ),
      );
      const report = JSON.parse(await readFile(json, 'utf8')) as {
        transient: Record<string, number>;
        results: { verdict: string; transient?: Record<string, number> }[];
      };
      expect(report.transient).toEqual({ throttle: 0, serverError: 11, network: 0, retries: 10, exhausted: 1, injected: 0 });
      const cell = report.results.find((r) => r.verdict === 'inconclusive');
      expect(cell?.transient).toMatchObject({ serverError: 11, exhausted: 1 });
    },
  );

  it.concurrent('--help prints the flags and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const flag of ['--endpoint', '--rules', '--operations', '--num-runs', '--seed', '--path', '--json', '--concurrency', '--help']) {
      expect(run.stdout).toContain(flag);
    }
  });

  it.concurrent('an unknown flag exits 2 with one line', async () => {
    const run = await cli(['--frobnicate']);
    expect(run.code).toBe(2);
    expectOneLine(run, /^proton-conformance: unknown option '--frobnicate'/);
  });

  it.concurrent('a bad number exits 2 naming the flag', async () => {
    const run = await cli(['--num-runs', 'many']);
    expect(run.code).toBe(2);
    expectOneLine(run, /^proton-conformance: --num-runs: 'many' is not an integer$/);
  });

  it.concurrent('--path without --seed exits 2', async () => {
    const run = await cli(['--path', '1:2']);
    expect(run.code).toBe(2);
    expectOneLine(run, /--path replays one case of one run: give the --seed/);
  });

  it.concurrent('a rule pattern that matches nothing exits 2', async () => {
    const run = await cli(['--rules', 'no-such-category/*']);
    expect(run.code).toBe(2);
    expectOneLine(run, /^proton-conformance: --rules: 'no-such-category\/\*' matches no rule/);
  });

  it.concurrent('an unknown operation exits 2', async () => {
    const run = await cli(['--operations', 'CreateEnvironment,MakeCoffee']);
    expect(run.code).toBe(2);
    expectOneLine(run, /^proton-conformance: --operations: unknown operation 'MakeCoffee'/);
  });

  it.concurrent('an invalid endpoint URL exits 2, from the flag or from the environment', async () => {
    const flag = await cli(['--endpoint', 'not a url']);
    expect(flag.code).toBe(2);
    expectOneLine(flag, /^proton-conformance: --endpoint: 'not a url' is not a valid URL/);
    const env = await cli([], { AWS_ENDPOINT_URL_PROTON: 'ftp://example.com' });
    expect(env.code).toBe(2);
    expectOneLine(env, /^proton-conformance: AWS_ENDPOINT_URL_PROTON: 'ftp:\/\/example.com' must be an http:\/\/ or https:\/\/ URL$/);
  });

  it.concurrent('a --json file that cannot be written exits 2 before anything runs', async () => {
    // Under a regular file: no directory can be made there.
    const run = await cli(['--json', `${BIN}/sub/report.json`]);
    expect(run.code).toBe(2);
    expectOneLine(run, /^proton-conformance: --json: cannot write .*\/sub\/report\.json \(ENOTDIR\)$/);
    expect(run.stdout).toBe('');
  });

  it.concurrent('an endpoint where nothing listens exits 3 within seconds', async () => {
    const run = await cli(['--endpoint', `http://127.0.0.1:${port}`]);
    expect(run.code).toBe(3);
    expectOneLine(
      run,
      new RegExp(`^proton-conformance: target http://127.0.0.1:${port} is unreachable: connection refused \\(ECONNREFUSED\\)$`),
    );
    // Before any check: nothing of a run was printed. (Its time is the probe's
    // few seconds, not a run's; the bound only catches a hang on a loaded machine.)
    expect(run.stdout).not.toMatch(/cells/);
    expect(run.ms).toBeLessThan(60_000);
  });

  it.concurrent('an endpoint whose host does not resolve exits 3 (AWS_ENDPOINT_URL)', async () => {
    // Not loopback: with or without --allow-real-account, the one GET that could tell an emulator finds nobody.
    for (const flags of [[], ['--allow-real-account']]) {
      const run = await cli(flags, { AWS_ENDPOINT_URL: 'http://no-such-host.invalid:4566' });
      expect(run.code).toBe(3);
      expectOneLine(
        run,
        /^proton-conformance: target http:\/\/no-such-host.invalid:4566 is unreachable: DNS lookup failed \(E(NOTFOUND|AI_AGAIN)\)$/,
      );
      // The probe's own bound is 5 s; the rest is the process starting on a loaded machine. This only catches a hang.
      expect(run.ms).toBeLessThan(30_000);
    }
  });
});
