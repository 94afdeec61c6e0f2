// The library (library/api.ts runConformance) guards a real account as the
// CLI does, through the same engine (harness/engine/engine.ts): a remote
// target (here the emulator behind a proxy that hides its hooks, counted as
// remote through PROTON_CONFORMANCE_TREAT_AS_REMOTE) is refused without
// allowRealAccount before any request, and a wrong `account` is refused after
// STS alone, with nothing created; with both right, the run goes and its
// report has the CLI's fields. test/harness/interlock.test.ts has the CLI's
// side of each, with the same messages.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runConformance } from '../../library/api.ts';
import type { ConformanceOptions } from '../../library/api.ts';
import { UsageError } from '../../harness/errors.ts';
import { ACCOUNT, counts, fakeCredentials, REGION, startRemote, total } from './real-target-helpers.ts';
import type { FakeCredentials, Remote } from './real-target-helpers.ts';

let remote: Remote;

beforeAll(async () => {
  remote = await startRemote();
});

afterAll(async () => {
  await remote.close();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The standard chain of this process: fake credentials of the test's own, nothing of the developer's environment. */
function useCredentials(credentials: FakeCredentials): void {
  const env: Record<string, string> = {
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PROFILE: '',
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
}

const SMALL: ConformanceOptions = {
  rules: 'idempotent-delete/retry-succeeds',
  operations: 'DeleteEnvironmentTemplate',
  numRuns: 1,
  seed: 11,
  env: { PROTON_CONFORMANCE_TREAT_AS_REMOTE: '1' },
};

/** The requests signed with these credentials that reached the proxy since `mark`. */
function mine(credentials: FakeCredentials, mark: number): string[] {
  return remote.proxy.received
    .slice(mark)
    .filter((r) => String(r.headers['authorization'] ?? '').includes(credentials.accessKeyId))
    .map((r) => r.operation)
    .sort();
}

describe('the library against a remote target', () => {
  it('without allowRealAccount: rejected with the interlock, before any request', async () => {
    const credentials = fakeCredentials('libinterlock');
    useCredentials(credentials);
    // A target of its own, so that every request it receives is this run's.
    const own = await startRemote();
    try {
      for (const allowRealAccount of [undefined, false]) {
        const run = runConformance({ ...SMALL, endpoint: own.proxy.url, ...(allowRealAccount === false ? { allowRealAccount } : {}) });
        await expect(run).rejects.toBeInstanceOf(UsageError);
        await expect(run).rejects.toThrow(
          `refusing to run: ${own.proxy.url} (--endpoint) counts as remote (PROTON_CONFORMANCE_TREAT_AS_REMOTE is set) and does ` +
            'not answer the hooks protocol (GET /_conformance/v1/capabilities: HTTP 404), so it may be a real AWS account where ' +
            'the run creates and deletes resources; add --allow-real-account to run against it (nothing else was sent)',
        );
      }
      // The capabilities probe once per run (an emulator would answer it); not STS, nothing signed.
      expect(own.proxy.received.map((r) => r.operation)).toEqual(Array(2).fill('hook /_conformance/v1/capabilities'));
    } finally {
      await own.close();
    }
  });

  it('with a wrong account: rejected after STS, nothing created', async () => {
    const credentials = fakeCredentials('libwrongacct');
    useCredentials(credentials);
    const mark = remote.proxy.received.length;
    const run = runConformance({ ...SMALL, endpoint: remote.proxy.url, allowRealAccount: true, account: '999999999999' });
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(
      `--account 999999999999: these credentials act in account ${ACCOUNT}, not 999999999999; nothing was created`,
    );
    // STS, and the protocol probe's one read (harness/target/protocol-probe.ts); nothing that creates or deletes.
    expect(mine(credentials, mark)).toEqual(['ListEnvironmentTemplates', 'sts:GetCallerIdentity']);
    expect(total(await counts(remote.emulator, credentials))).toBe(0);
  });

  it('with allowRealAccount and the right account: runs, cleans up, and reports as the CLI does', async () => {
    const credentials = fakeCredentials('libright');
    useCredentials(credentials);
    const report = await runConformance({ ...SMALL, endpoint: remote.proxy.url, allowRealAccount: true, account: ACCOUNT });
    expect(report.results.filter((r) => r.rule === 'idempotent-delete/retry-succeeds').map((r) => r.verdict)).toEqual(['pass']);
    expect(report).toMatchObject({
      verdict: 'pass',
      exitCode: 0,
      tool: { name: 'proton-conformance' },
      settings: { rules: SMALL.rules, operations: SMALL.operations, seed: 11, numRuns: 1, cleanupTimeoutMs: 300_000 },
      selection: { cells: 1, rules: ['idempotent-delete/retry-succeeds'], operations: ['DeleteEnvironmentTemplate'] },
      cleanup: { left: [], refused: [] },
    });
    expect(report).toHaveProperty('plan');
    expect(report).toHaveProperty('wallMs');
    expect(total(await counts(remote.emulator, credentials))).toBe(0);
  });
});
