// A target that speaks the hooks protocol is an emulator, not a real account
// (issue 20, item 2): reached by a name that is not loopback (here through
// PROTON_CONFORMANCE_TREAT_AS_REMOTE), it runs without allowRealAccount, with
// a local target's defaults, no STS call and no bundle pre-check. Anything
// else off loopback is still refused, after nothing but that one GET.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { runEngine } from '../../harness/engine/engine.ts';
import { UsageError } from '../../harness/errors.ts';
import { RUN_DEFAULTS } from '../../harness/plan/sizing.ts';
import { runConformance } from '../../library/api.ts';
import type { ConformanceOptions } from '../../library/api.ts';
import { loadCatalog } from '../../suites/catalog.ts';
import { startRemoteProxy } from '../support/remote-proxy.ts';

const REMOTE = { PROTON_CONFORMANCE_TREAT_AS_REMOTE: '1' };
const SMALL: ConformanceOptions = {
  rules: 'idempotent-delete/retry-succeeds',
  operations: 'DeleteEnvironmentTemplate',
  numRuns: 1,
  seed: 20,
  env: REMOTE,
};

const settingsOf = (report: object): unknown => (report as { settings?: unknown }).settings;

let withHooks: RunningEmulator;
let hookless: RunningEmulator;
const seen: string[] = [];
const hooklessSeen: string[] = [];

beforeAll(async () => {
  withHooks = await startEmulator({ port: 0, log: (line) => seen.push(line) });
  hookless = await startEmulator({
    port: 0,
    hooks: [],
    durations: { templateVersionRegistration: 5 },
    log: (line) => hooklessSeen.push(line),
  });
});

afterAll(async () => {
  await withHooks?.close();
  await hookless?.close();
});

describe('an emulator off loopback', () => {
  it('runs without allowRealAccount, with the defaults of a local target and no STS call', async () => {
    const report = await runConformance({ ...SMALL, endpoint: withHooks.url });
    expect(report.exitCode, JSON.stringify(report.results.map((r) => r.reason))).toBe(0);
    expect(settingsOf(report)).toMatchObject({
      concurrency: RUN_DEFAULTS.local.concurrency,
      cellTimeoutMs: RUN_DEFAULTS.local.cellTimeoutS * 1000,
    });
    // The account is asked of STS only for a target that may be a real account.
    expect(seen.filter((line) => /GetCallerIdentity/.test(line))).toEqual([]);
  });

  it('says so in the header', async () => {
    const lines: string[] = [];
    const { exitCode } = await runEngine(
      {
        endpoint: withHooks.url,
        env: REMOTE,
        allowRealAccount: false,
        rules: SMALL.rules,
        operations: SMALL.operations,
        numRuns: 1,
        numRunsGiven: true,
        seed: 20,
        strictExpectations: false,
      },
      { catalog: loadCatalog(), sink: { out: { write: (text: string) => lines.push(text) } } },
    );
    expect(exitCode).toBe(0);
    const text = lines.join('');
    expect(text).toMatch(/^proton-conformance: target \S+ \(from --endpoint; an emulator: it answers the hooks protocol;/m);
    expect(text).toContain('defaults for an emulator');
  });

  it('an emulator that offers no hook still answers the protocol: no allowRealAccount, no bundle pre-check', async () => {
    // Without the accounts hook the run signs with the standard chain.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAHOOKLESSEMULATOR');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'hookless-emulator-secret');
    vi.stubEnv('AWS_REGION', 'us-east-1');
    const report = await runConformance({ ...SMALL, endpoint: hookless.url, expectDurations: 'templateVersionRegistration=5' });
    expect(report.exitCode).toBe(0);
    vi.unstubAllEnvs();
    // The bundle pre-check registers a template version; this rule never does. STS is asked of real accounts only.
    expect(hooklessSeen.filter((line) => /CreateEnvironmentTemplateVersion|GetCallerIdentity/.test(line))).toEqual([]);
    expect(hooklessSeen.some((line) => / DeleteEnvironmentTemplate /.test(line))).toBe(true);
  });
});

describe('anything else off loopback', () => {
  let wrongVersion: Server;
  let wrongUrl: string;

  beforeAll(async () => {
    // The protocol's name with another version: not this protocol.
    wrongVersion = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ protocol: 'proton-conformance-hooks', version: 2, capabilities: ['clock'] }));
    });
    await new Promise<void>((resolve) => wrongVersion.listen(0, '127.0.0.1', resolve));
    wrongUrl = `http://127.0.0.1:${(wrongVersion.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => wrongVersion.close(resolve));
  });

  it('is refused, after one GET of the capabilities path and nothing else', async () => {
    // The emulator behind a proxy that hides its hooks: what a real account looks like.
    const proxy = await startRemoteProxy({ upstream: withHooks.url, account: '111122223333' });
    try {
      const run = runConformance({ ...SMALL, endpoint: proxy.url });
      await expect(run).rejects.toBeInstanceOf(UsageError);
      await expect(run).rejects.toThrow(
        new RegExp(
          `^refusing to run: ${proxy.url} \\(--endpoint\\) counts as remote \\(PROTON_CONFORMANCE_TREAT_AS_REMOTE is set\\) and does ` +
            'not answer the hooks protocol \\(GET /_conformance/v1/capabilities: HTTP 404\\), so it may be a real AWS account .*' +
            'add --allow-real-account to run against it \\(nothing else was sent\\)$',
        ),
      );
      expect(proxy.received.map((r) => r.operation)).toEqual(['hook /_conformance/v1/capabilities']);
    } finally {
      await proxy.close();
    }
    await expect(runConformance({ ...SMALL, endpoint: wrongUrl })).rejects.toThrow(
      /does not answer the hooks protocol \(GET \/_conformance\/v1\/capabilities: HTTP 200, not its version 1 document\)/,
    );
  });
});
