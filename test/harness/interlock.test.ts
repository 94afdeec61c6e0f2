// The interlock of real targets, as a user meets it: a remote endpoint (here
// the emulator on loopback behind a proxy, counted as remote through
// PROTON_CONFORMANCE_TREAT_AS_REMOTE) needs --allow-real-account, else exit 2
// before any request; the account is printed before anything is created and
// --account must match it; no credential appears in any output.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInterlock, isLoopbackHost, isRemoteEndpoint } from '../../harness/safety/interlock.ts';
import { ACCOUNT, cli, counts, fakeCredentials, startRemote, total } from './real-target-helpers.ts';
import type { Remote } from './real-target-helpers.ts';

let remote: Remote;
let noSts: Remote;
let dir: string;

beforeAll(async () => {
  remote = await startRemote();
  noSts = await startRemote({ account: null });
  dir = await mkdtemp(join(tmpdir(), 'pc-interlock-'));
});

afterAll(async () => {
  await remote.close();
  await noSts.close();
  await rm(dir, { recursive: true, force: true });
});

const SMALL = ['--rules', 'idempotent-delete/retry-succeeds', '--operations', 'DeleteEnvironmentTemplate', '--num-runs', '1'];

describe('what counts as remote', () => {
  it('loopback is 127.0.0.0/8, ::1 and localhost; anything else is remote', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '[::1]', 'localhost', 'LOCALHOST', '[::ffff:7f00:1]'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['10.0.0.1', '128.0.0.1', '[::2]', 'localhost.example.com', 'proton.us-east-1.amazonaws.com', '0.0.0.0']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
    expect(isRemoteEndpoint('http://127.0.0.1:4566', { env: {} })).toBe(false);
    expect(isRemoteEndpoint('http://127.0.0.1:4566', { env: { PROTON_CONFORMANCE_TREAT_AS_REMOTE: '1' } })).toBe(true);
    expect(isRemoteEndpoint('https://proton.us-east-1.amazonaws.com', { env: {} })).toBe(true);
    expect(isRemoteEndpoint('http://127.0.0.1:4566', { aws: true, env: {} })).toBe(true);
    expect(() => checkInterlock('http://10.1.2.3:4566', '--endpoint', { allowed: false, env: {} })).toThrow(/--allow-real-account/);
    expect(() => checkInterlock('http://10.1.2.3:4566', '--endpoint', { allowed: true, env: {} })).not.toThrow();
    expect(() => checkInterlock('http://127.0.0.1:4566', '--endpoint', { allowed: false, env: {} })).not.toThrow();
  });
});

describe('the interlock', () => {
  it.concurrent('a remote endpoint without --allow-real-account: exit 2, one line naming the flag, no request at all', async () => {
    const credentials = fakeCredentials('refuse');
    // A target of its own, so that every request it receives is this run's.
    const own = await startRemote();
    try {
      for (const args of [SMALL, ['sweep', '--yes']]) {
        const sweep = args[0] === 'sweep';
        const run = await cli(sweep ? [...args, '--endpoint', own.proxy.url] : ['--endpoint', own.proxy.url, ...args], credentials);
        expect(run.code, run.stderr).toBe(2);
        const lines = run.stderr.trimEnd().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(
          new RegExp(
            '^proton-conformance: refusing to run: .* counts as remote .* and does not answer the hooks protocol ' +
              '\\(GET /_conformance/v1/capabilities: HTTP 404\\), .* add --allow-real-account to run against it ' +
              '\\(nothing else was sent\\)$',
          ),
        );
        expect(run.stdout).toBe('');
      }
      // The one GET of the capabilities path (an emulator would answer it), per command; not STS, nothing signed.
      expect(own.proxy.received.map((r) => r.operation)).toEqual([
        'hook /_conformance/v1/capabilities',
        'hook /_conformance/v1/capabilities',
      ]);
    } finally {
      await own.close();
    }
  });

  it.concurrent('a non-loopback endpoint that does not answer is unreachable; --endpoint aws is refused before any traffic', async () => {
    const credentials = fakeCredentials('nonloop');
    // 192.0.2.0/24 is TEST-NET-1: nothing answers there, not even the capabilities probe (exit 3, nothing else sent).
    const started = Date.now();
    const far = await cli(['--endpoint', 'http://192.0.2.1:4566', ...SMALL], credentials, { PROTON_CONFORMANCE_TREAT_AS_REMOTE: '' });
    expect(far.code, far.stderr).toBe(3);
    expect(far.stderr.trim()).toMatch(/^proton-conformance: target http:\/\/192\.0\.2\.1:4566 is unreachable: /);
    const aws = await cli(['--endpoint', 'aws', ...SMALL], credentials, { PROTON_CONFORMANCE_TREAT_AS_REMOTE: '' });
    expect(aws.code, aws.stderr).toBe(2);
    expect(aws.stderr).toMatch(/https:\/\/proton\.us-east-1\.amazonaws\.com is the AWS endpoint \(--endpoint aws\).*--allow-real-account/);
    const sweep = await cli(['sweep', '--endpoint', 'aws'], credentials, { PROTON_CONFORMANCE_TREAT_AS_REMOTE: '' });
    expect(sweep.code, sweep.stderr).toBe(2);
    expect(sweep.stderr).toMatch(/--allow-real-account/);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it.concurrent('a wrong --account: the account is printed, exit 2, no Proton request reached the target', async () => {
    const credentials = fakeCredentials('wrongacct');
    const mark = remote.proxy.received.length;
    const run = await cli(['--endpoint', remote.proxy.url, '--allow-real-account', '--account', '999999999999', ...SMALL], credentials);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toContain(
      `proton-conformance: account ${ACCOUNT} (arn:aws:iam::${ACCOUNT}:user/conformance), region us-east-1, endpoint ${remote.proxy.url}`,
    );
    expect(run.stderr.trim()).toBe(
      `proton-conformance: --account 999999999999: these credentials act in account ${ACCOUNT}, not 999999999999; nothing was created`,
    );
    const mine = remote.proxy.received
      .slice(mark)
      .filter((r) => String(r.headers['authorization'] ?? '').includes(credentials.accessKeyId));
    // STS, and the protocol probe's one read (harness/target/protocol-probe.ts); nothing that creates or deletes.
    expect(mine.map((r) => r.operation).sort()).toEqual(['ListEnvironmentTemplates', 'sts:GetCallerIdentity']);
    expect(total(await counts(remote.emulator, credentials))).toBe(0);
  });

  it.concurrent('an endpoint that does not answer STS: "account unknown", and --account then refuses (exit 2)', async () => {
    const credentials = fakeCredentials('nosts');
    const unknown = await cli(['--endpoint', noSts.proxy.url, '--allow-real-account', '--account', ACCOUNT, ...SMALL], credentials);
    expect(unknown.code, unknown.stderr).toBe(2);
    expect(unknown.stdout).toMatch(
      /^proton-conformance: account unknown \(STS GetCallerIdentity failed .*\), region us-east-1, endpoint /m,
    );
    expect(unknown.stderr).toMatch(/--account 111122223333: the account of these credentials could not be determined/);
    // At most the protocol probe's one read (harness/target/protocol-probe.ts); nothing that creates or deletes.
    expect(noSts.proxy.protonOperations().filter((operation) => operation !== 'ListEnvironmentTemplates')).toEqual([]);
    // Without --account the run goes on, having said the account is unknown.
    const run = await cli(['--endpoint', noSts.proxy.url, '--allow-real-account', ...SMALL], credentials);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^proton-conformance: account unknown/m);
    expect(run.stdout.indexOf('account unknown')).toBeLessThan(run.stdout.indexOf('proton-conformance: target'));
  });

  it.concurrent(
    'with --allow-real-account and the right --account the run goes, prints its account first, ' + 'and no secret appears anywhere',
    async () => {
      const credentials = fakeCredentials('secrets');
      const json = join(dir, 'secrets.json');
      const run = await cli(
        [
          '--endpoint',
          remote.proxy.url,
          '--allow-real-account',
          '--account',
          ACCOUNT,
          '--rules',
          'idempotent-delete/*,client-token/same-token-same-params',
          '--operations',
          'DeleteEnvironmentTemplate,DeleteEnvironmentAccountConnection,CreateEnvironmentAccountConnection',
          '--num-runs',
          '2',
          '--json',
          json,
        ],
        credentials,
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.split('\n')[0]).toBe(
        `proton-conformance: account ${ACCOUNT} (arn:aws:iam::${ACCOUNT}:user/conformance), region us-east-1, endpoint ${remote.proxy.url}`,
      );
      const report = await readFile(json, 'utf8');
      for (const text of [run.stdout, run.stderr, report]) {
        expect(text).not.toContain(credentials.secretAccessKey);
        expect(text).not.toContain(credentials.sessionToken);
      }
      const parsed = JSON.parse(report) as {
        refusedDeletes: unknown[];
        cleanup: { left: unknown[] };
        results: Array<{ rule: string; operation: string; verdict: string; reason: string }>;
      };
      // The absent connection of idempotent-delete/absent-is-empty removes nothing: allowed, and the cell is judged.
      const absent = parsed.results.find(
        (r) => r.rule === 'idempotent-delete/absent-is-empty' && r.operation === 'DeleteEnvironmentAccountConnection',
      );
      expect(absent?.verdict).toBe('pass');
      expect(parsed.refusedDeletes).toEqual([]);
      // The absent template (a name with the run's prefix) may be deleted: that cell is judged.
      const absentTemplate = parsed.results.find(
        (r) => r.rule === 'idempotent-delete/absent-is-empty' && r.operation === 'DeleteEnvironmentTemplate',
      );
      expect(absentTemplate?.verdict).toBe('pass');
      expect(parsed.cleanup.left).toEqual([]);
      expect(total(await counts(remote.emulator, credentials))).toBe(0);
    },
  );
});
