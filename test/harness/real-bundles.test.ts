// Issue 8's "done when", end to end: the whole suite against the reference
// emulator in strict SigV4 mode with bundle registration from S3, counted as
// a remote target (no hooks: rehearsed, then run in real time), its bundles
// uploaded to a real S3-compatible server (s3rver) through the suite's own
// code path and fetched from there by the emulator, and the bucket empty
// afterwards. Then the two ways prerequisites can fail: no bucket for a
// target that reads bundles (the run stops before it starts, naming the
// flag), and bundles the target cannot register (inconclusive, never fail).
import { CreateEnvironmentTemplateCommand, ProtonClient } from '@aws-sdk/client-proton';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance } from '../../library/api.ts';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { startS3Server } from '../support/s3-server.ts';
import type { S3Server } from '../support/s3-server.ts';
import { formatTransitionDurations } from '../../specs/transitions.ts';

const BUCKET = 'conformance-bundles';
const ACCOUNT = '111122223333';
// Real-time durations of the emulator, and what the run is told to expect.
const durations = {
  templateVersionRegistration: 30,
  environmentDeployment: 50,
  serviceCreation: 50,
  serviceUpdate: 50,
  environmentDeletion: 300,
  serviceDeletion: 300,
};
const expectDurations = formatTransitionDurations(durations);

let s3: S3Server;
let emulator: RunningEmulator;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  // One credential, good for both: s3rver accepts only its own key pair, and
  // the strict emulator maps it to an account of its own.
  emulator = await startEmulator({
    auth: { mode: 'strict', credentials: [{ ...s3.credentials, account: ACCOUNT }] },
    s3: { endpoint: s3.endpoint, credentials: { ...s3.credentials } },
    durations,
  });
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_S3: s3.endpoint,
  });
  delete process.env['AWS_SESSION_TOKEN'];
  delete process.env['AWS_PROFILE'];
});

afterAll(async () => {
  process.env = saved;
  await emulator?.close();
  await s3?.close();
});

const remote = (): NodeJS.ProcessEnv => ({ ...process.env, PROTON_CONFORMANCE_TREAT_AS_REMOTE: '1' });

async function keys(): Promise<string[]> {
  const listed = await s3.client().send(new ListObjectsV2Command({ Bucket: BUCKET }));
  return (listed.Contents ?? []).map((item) => item.Key!);
}

function left(): Record<string, number> {
  return Object.fromEntries(Object.entries(emulator.counts()).filter(([, count]) => count > 0));
}

describe('the suite against a strict, bundle-reading emulator counted as remote', () => {
  it('is strict: a request signed with another secret is refused and changes nothing', async () => {
    const wrong = new ProtonClient({
      endpoint: emulator.url,
      region: 'us-east-1',
      credentials: { accessKeyId: s3.credentials.accessKeyId, secretAccessKey: 'not-the-secret' },
      maxAttempts: 1,
    });
    await expect(wrong.send(new CreateEnvironmentTemplateCommand({ name: 'refused' }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    wrong.destroy();
    expect(left()).toEqual({});
  });

  it('passes the whole suite with bundles uploaded, fetched by the target, and removed; nothing is left', async () => {
    const getsBefore = s3.requests.filter((r) => r.method === 'GET' && r.key.endsWith('.tar.gz')).length;
    const report = await runConformance({
      endpoint: emulator.url,
      env: remote(),
      allowRealAccount: true,
      bundleBucket: BUCKET,
      expectDurations,
      seed: 20261130,
    });
    const notPassing = report.results.filter((r) => r.verdict !== 'pass');
    // Without hooks, a few rules cannot be judged: skipped (they need the
    // clock or durations) or inconclusive with their reason; none fails.
    expect(
      notPassing.filter((r) => r.verdict === 'fail' || r.verdict === 'warn').map((r) => `${r.rule} ${r.operation}: ${r.reason}`),
    ).toEqual([]);
    for (const result of notPassing) expect(result.verdict === 'skipped' || result.verdict === 'inconclusive').toBe(true);
    expect(
      notPassing
        .filter((r) => r.verdict === 'inconclusive' && !r.rule.startsWith('async-delete/'))
        .map((r) => `${r.rule} ${r.operation}: ${r.reason}`),
    ).toEqual([]);
    expect(report.results.filter((r) => r.verdict === 'pass').length).toBeGreaterThan(120);
    expect(report.exitCode).toBe(0);
    // The target read the run's bundles from S3 (registration fetched them).
    const fetched = s3.requests.filter((r) => r.method === 'GET' && r.key.includes(`pc${report.runId}/`));
    expect(fetched.length).toBeGreaterThan(0);
    expect(s3.requests.filter((r) => r.method === 'GET' && r.key.endsWith('.tar.gz')).length).toBeGreaterThan(getsBefore);
    // Uploaded once, removed at the end: the bucket is empty, and so is the account.
    expect((report as unknown as { bundles: unknown }).bundles).toEqual({
      location: `s3://${BUCKET}/proton-conformance/pc${report.runId}/`,
      uploaded: 4,
      removed: 4,
    });
    expect(await keys()).toEqual([]);
    expect(left()).toEqual({});
  }, 600_000);

  it('stops before the run, naming --bundle-bucket, when no bucket is given; the question it asked leaves nothing', async () => {
    await expect(
      runConformance({
        endpoint: emulator.url,
        env: remote(),
        allowRealAccount: true,
        rules: 'idempotent-create/unmodified-retry',
        operations: 'CreateEnvironment',
        expectDurations,
      }),
    ).rejects.toThrow(
      new RegExp(
        /reads template bundles from S3 \(a version from the placeholder s3:\/\/\S+/.source +
          / ended REGISTRATION_FAILED: .+\): pass --bundle-bucket NAME/.source,
      ),
    );
    expect(left()).toEqual({});
    expect(await keys()).toEqual([]);
  }, 120_000);
});

describe('a target that cannot register the run’s bundles', () => {
  let elsewhere: S3Server;
  let blind: RunningEmulator;

  beforeAll(async () => {
    // The emulator reads from another, empty S3 server: every bundle the run uploads is missing there.
    elsewhere = await startS3Server({ buckets: [] });
    blind = await startEmulator({
      auth: { mode: 'strict', credentials: [{ ...s3.credentials, account: ACCOUNT }] },
      s3: { endpoint: elsewhere.endpoint, credentials: { ...elsewhere.credentials } },
      durations,
    });
  });

  afterAll(async () => {
    await blind?.close();
    await elsewhere?.close();
  });

  it('makes the cells that need a registered version inconclusive with the target’s message, never failed', async () => {
    const report = await runConformance({
      endpoint: blind.url,
      env: remote(),
      allowRealAccount: true,
      bundleBucket: BUCKET,
      rules: 'idempotent-create/unmodified-retry,client-token/same-token-same-params',
      operations: 'CreateEnvironment,CreateEnvironmentTemplateVersion',
      expectDurations,
      seed: 7,
    });
    const cells = report.results.filter((r) => r.rule !== 'shape/responses-match-model');
    expect(cells.length).toBeGreaterThan(0);
    expect(cells.filter((r) => r.verdict === 'fail' || r.verdict === 'warn').map((r) => `${r.rule} ${r.operation}: ${r.reason}`)).toEqual(
      [],
    );
    const blocked = cells.filter((r) => r.verdict === 'inconclusive');
    expect(blocked.length).toBeGreaterThan(0);
    for (const result of blocked) expect(result.reason).toMatch(/REGISTRATION_FAILED: .*(NoSuchBucket|does not exist|not found)/i);
    expect(report.exitCode).toBe(0);
    expect(await keys()).toEqual([]);
    expect(Object.values(blind.counts()).every((count) => count === 0)).toBe(true);
  }, 300_000);
});
