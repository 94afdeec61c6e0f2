// `proton-conformance sweep --bundle-bucket B`: the template bundles earlier
// runs left in a bucket (an interrupted run that quit at once) are listed in
// a dry run and removed with --yes: only keys under <prefix>pc<run id>/ of the
// runs chosen, never anything else in the bucket.
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, runIdAged, startRemote } from './real-target-helpers.ts';
import type { FakeCredentials, Remote } from './real-target-helpers.ts';
import { startS3Server } from '../support/s3-server.ts';
import type { S3Server } from '../support/s3-server.ts';

const BUCKET = 'left-bundles';
let remote: Remote;
let s3: S3Server;
let credentials: FakeCredentials;

beforeAll(async () => {
  [remote, s3] = await Promise.all([startRemote(), startS3Server({ buckets: [BUCKET] })]);
  // s3rver takes only its own key pair; the emulator behind the proxy takes any.
  credentials = { ...s3.credentials, sessionToken: '' };
});

afterAll(async () => {
  await Promise.all([remote?.close(), s3?.close()]);
});

async function keys(): Promise<string[]> {
  const listed = await s3.client().send(new ListObjectsV2Command({ Bucket: BUCKET }));
  return (listed.Contents ?? []).map((item) => item.Key!).sort();
}

async function put(key: string): Promise<void> {
  await s3.client().send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'bundle' }));
}

const sweep = (args: string[]) =>
  cli(['sweep', '--endpoint', remote.proxy.url, '--allow-real-account', '--bundle-bucket', BUCKET, ...args], credentials, {
    AWS_ENDPOINT_URL_S3: s3.endpoint,
  });

describe('sweep --bundle-bucket', () => {
  it('lists the runs’ bundles in a dry run, removes one run’s or every run’s with --yes, and nothing else', async () => {
    const runA = runIdAged(0, 'aaaa');
    const runB = runIdAged(0, 'bbbb');
    const others = ['proton-conformance/notarun/keep.tar.gz', `elsewhere/pc${runA}/keep.tar.gz`, 'proton-conformance/readme.txt'];
    for (const key of [
      `proton-conformance/pc${runA}/environment-1.tar.gz`,
      `proton-conformance/pc${runA}/service-1.tar.gz`,
      `proton-conformance/pc${runB}/environment-1.tar.gz`,
      ...others,
    ])
      await put(key);

    const dry = await sweep(['--run', runA]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`proton-conformance/pc${runA}/environment-1.tar.gz`);
    expect(dry.stdout).toMatch(/dry run: 2 template bundles of 1 run under s3:\/\/left-bundles\/proton-conformance\/ would be removed/);
    expect(await keys()).toHaveLength(6);

    const one = await sweep(['--run', runA, '--yes']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/removed 2 of 2 template bundles of 1 run/);
    expect(await keys()).toEqual([...others, `proton-conformance/pc${runB}/environment-1.tar.gz`].sort());

    const every = await sweep(['--yes']);
    expect(every.code, every.stderr).toBe(0);
    expect(every.stdout).toMatch(/removed 1 of 1 template bundle of 1 run/);
    expect(await keys()).toEqual([...others].sort());
  }, 120_000);

  it('refuses a bad bucket name before anything is sent', async () => {
    const bad = await cli(['sweep', '--endpoint', remote.proxy.url, '--allow-real-account', '--bundle-bucket', 'Bad_Name'], credentials);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--bundle-bucket: 'Bad_Name' is not an S3 bucket name/);
  });
});
