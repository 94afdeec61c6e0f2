// The run's template bundles in S3 (harness/bundles/store.ts), against a real
// S3-compatible server (s3rver, test/support/s3-server.ts) reached as a user
// reaches one: AWS_ENDPOINT_URL_S3 and the standard chain's credentials.
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBundleFlags, DEFAULT_BUNDLE_PREFIX } from '../../harness/bundles/flags.ts';
import { customS3Endpoint, runKeyPrefix, uploadBundles } from '../../harness/bundles/store.ts';
import { FIXTURE_BUNDLES, packBundle } from '../../harness/bundles/pack.ts';
import { UsageError } from '../../harness/errors.ts';
import { startS3Server } from '../support/s3-server.ts';
import type { S3Server } from '../support/s3-server.ts';

const BUCKET = 'conformance-bundles';
let s3: S3Server;

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET, 'someone-elses'] });
});

afterAll(async () => {
  await s3?.close();
});

function options(runId: string, extra: Partial<Parameters<typeof uploadBundles>[0]> = {}): Parameters<typeof uploadBundles>[0] {
  return {
    bucket: BUCKET,
    runId,
    region: s3.region,
    credentials: async () => s3.credentials,
    env: { AWS_ENDPOINT_URL_S3: s3.endpoint },
    ...extra,
  };
}

async function keysIn(bucket: string, prefix = ''): Promise<string[]> {
  const listed = await s3.client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((item) => item.Key!).sort();
}

describe('uploading the run’s bundles', () => {
  it('puts two copies of each valid bundle under the run’s prefix, names them as sources, and removes them (nothing else)', async () => {
    await s3.client().send(new PutObjectCommand({ Bucket: BUCKET, Key: 'proton-conformance/other-run/keep.tar.gz', Body: 'not ours' }));
    const uploaded = await uploadBundles(options('run1a'));
    const prefix = runKeyPrefix(DEFAULT_BUNDLE_PREFIX, 'run1a');
    expect(prefix).toBe('proton-conformance/pcrun1a/');
    expect(uploaded.location).toBe(`s3://${BUCKET}/${prefix}`);
    expect(await keysIn(BUCKET, prefix)).toEqual([...uploaded.keys].sort());
    expect(uploaded.keys).toHaveLength(4);
    expect(uploaded.sources.uploaded).toBe(true);
    for (const kind of ['environment', 'service'] as const) {
      const sources = uploaded.sources[kind];
      expect(sources).toHaveLength(2);
      expect(new Set(sources.map((s) => s.key)).size).toBe(2);
      // Each is the packed fixture of its kind, byte for byte.
      const fixture = FIXTURE_BUNDLES.find((bundle) => bundle.kind === kind && bundle.valid)!;
      const packed = Buffer.from(await packBundle(fixture.dir));
      for (const source of sources) {
        expect(source.bucket).toBe(BUCKET);
        const object = await s3.client().send(new GetObjectCommand({ Bucket: source.bucket, Key: source.key }));
        expect(Buffer.from(await object.Body!.transformToByteArray()).equals(packed)).toBe(true);
      }
    }
    // Something else under the run's own prefix goes too; another run's key stays.
    await s3.client().send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}stray.tar.gz`, Body: 'stray' }));
    expect(await uploaded.remove()).toBe(5);
    expect(await keysIn(BUCKET, prefix)).toEqual([]);
    expect(await keysIn(BUCKET)).toEqual(['proton-conformance/other-run/keep.tar.gz']);
  });

  it('takes --bundle-prefix as given', async () => {
    const uploaded = await uploadBundles(options('run2b', { prefix: 'ci/bundles/' }));
    expect(uploaded.keys.every((key) => key.startsWith('ci/bundles/pcrun2b/'))).toBe(true);
    await uploaded.remove();
    expect(await keysIn(BUCKET, 'ci/')).toEqual([]);
  });

  it('stops before the run with a message naming --bundle-bucket when the bucket does not exist', async () => {
    const failing = uploadBundles(options('run3c', { bucket: 'no-such-bucket' }));
    await expect(failing).rejects.toBeInstanceOf(UsageError);
    await expect(uploadBundles(options('run3c', { bucket: 'no-such-bucket' }))).rejects.toThrow(
      /--bundle-bucket no-such-bucket: .*does not exist/,
    );
  });

  it('stops with a message naming --bundle-bucket when the credentials are refused, and says no secret', async () => {
    const secret = 'wrongSecretNeverPrinted';
    const refused = uploadBundles(options('run4d', { credentials: async () => ({ accessKeyId: 'NOTKNOWN', secretAccessKey: secret }) }));
    const error = await refused.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(error!.message).toMatch(/--bundle-bucket conformance-bundles: .*may not write to it/);
    expect(error!.message).not.toContain(secret);
    expect(await keysIn(BUCKET, 'proton-conformance/pcrun4d/')).toEqual([]);
  });
});

describe('the bundle flags', () => {
  it('accept bucket names and prefixes S3 takes, and refuse others naming the flag', () => {
    expect(() => checkBundleFlags(undefined, undefined)).not.toThrow();
    expect(() => checkBundleFlags('my.bucket-1', 'a/b/')).not.toThrow();
    expect(() => checkBundleFlags(undefined, 'a/')).toThrow(/--bundle-prefix needs --bundle-bucket/);
    expect(() => checkBundleFlags('My_Bucket', undefined)).toThrow(/--bundle-bucket: 'My_Bucket' is not an S3 bucket name/);
    expect(() => checkBundleFlags('ab', undefined)).toThrow(/--bundle-bucket/);
    expect(() => checkBundleFlags('a..b', undefined)).toThrow(/--bundle-bucket/);
    expect(() => checkBundleFlags('bucket', '/abs')).toThrow(/--bundle-prefix/);
  });

  it('find the S3 endpoint as the SDK does: AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, else AWS’s own', () => {
    expect(customS3Endpoint({ AWS_ENDPOINT_URL_S3: 'http://a', AWS_ENDPOINT_URL: 'http://b' })).toBe('http://a');
    expect(customS3Endpoint({ AWS_ENDPOINT_URL: 'http://b' })).toBe('http://b');
    expect(customS3Endpoint({})).toBeUndefined();
  });
});
