// The run's template bundles in S3 (`--bundle-bucket NAME [--bundle-prefix P]`):
// the valid fixture bundles (harness/bundles/pack.ts) are packed and uploaded once
// per run, under keys named for the run, every template version the run
// creates names one of them, and the run removes them at its end (also after
// a failure or Ctrl-C). The S3 client is the AWS SDK's, with the standard
// chain: credentials, region, and the endpoint (AWS_ENDPOINT_URL_S3 or
// AWS_ENDPOINT_URL for an S3-compatible server, which is addressed
// path-style).
import { DeleteObjectsCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { BundleSource, BundleSources } from '../../specs/types.ts';
import { FIXTURE_BUNDLES, packBundle } from './pack.ts';
import type { BundleKind } from './pack.ts';
import { DEFAULT_BUNDLE_PREFIX, checkBundleFlags } from './flags.ts';
import { describeError, UsageError } from '../errors.ts';
import { NAME_PREFIX } from '../safety/names.ts';
import type { CredentialsProvider } from '../target/target.ts';

/** Copies of each valid bundle under distinct keys: the base source and the alternative one. */
const COPIES = 2;

export interface BundleStoreOptions {
  bucket: string;
  /** Key prefix (default DEFAULT_BUNDLE_PREFIX); the run's keys are `<prefix>pc<run id>/<bundle>-<n>.tar.gz`. */
  prefix?: string;
  runId: string;
  region: string;
  credentials?: CredentialsProvider | undefined;
  /** Environment of the endpoint lookup (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** A client to use instead (tests). */
  client?: S3Client;
}

export interface UploadedBundles {
  /** What template versions name: the uploaded objects, COPIES per kind. */
  sources: BundleSources;
  bucket: string;
  /** Every key the run put in the bucket. */
  keys: readonly string[];
  /** Where they are, for messages: `s3://bucket/prefix…` */
  location: string;
  /** Removes what the run put there (and anything else under the run's own key prefix); resolves with the count removed. */
  remove(): Promise<number>;
}

/** The endpoint of S3 the SDK will use when one is configured in the environment, else undefined (AWS's own). */
export function customS3Endpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL'] || undefined;
}

/** An S3 client of the standard chain; path-style against an S3-compatible endpoint. */
export function s3ClientFor(options: Pick<BundleStoreOptions, 'region' | 'credentials' | 'env'>): S3Client {
  const endpoint = customS3Endpoint(options.env);
  return new S3Client({
    region: options.region,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // S3-compatible servers: path-style addressing, and checksums only where
    // S3 requires them (many do not speak the SDK's default trailing checksums).
    ...(endpoint
      ? { endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
      : {}),
    followRegionRedirects: true,
    maxAttempts: 5,
  });
}

/** The run's key prefix inside the bucket. */
export function runKeyPrefix(prefix: string, runId: string): string {
  return `${prefix}${NAME_PREFIX}${runId}/`;
}

/** What went wrong with S3, as one line that names the flag. */
function s3Problem(what: string, bucket: string, error: unknown): UsageError {
  const name = (error as { name?: string }).name ?? '';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const hint =
    name === 'NoSuchBucket' || name === 'NotFound' || status === 404
      ? `the bucket does not exist (create it, or name another with --bundle-bucket)`
      : name === 'AccessDenied' ||
          name === 'Forbidden' ||
          name === 'InvalidAccessKeyId' ||
          name === 'SignatureDoesNotMatch' ||
          status === 403
        ? `the credentials of the standard chain may not write to it (${name || `HTTP ${status}`})`
        : describeError(error);
  return new UsageError(`--bundle-bucket ${bucket}: ${what}: ${hint}`);
}

/**
 * Packs the valid fixture bundles and uploads COPIES of each under the run's
 * keys. A bucket that cannot be reached or written ends the run before it
 * starts (UsageError naming --bundle-bucket); anything uploaded before the
 * failure is removed first.
 */
export async function uploadBundles(options: BundleStoreOptions): Promise<UploadedBundles> {
  const prefix = options.prefix ?? DEFAULT_BUNDLE_PREFIX;
  checkBundleFlags(options.bucket, prefix);
  const client = options.client ?? s3ClientFor(options);
  const bucket = options.bucket;
  const runPrefix = runKeyPrefix(prefix, options.runId);
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    throw s3Problem('cannot use the bucket', bucket, error);
  }
  const keys: string[] = [];
  const sources: Record<BundleKind, BundleSource[]> = { environment: [], service: [] };
  const remove = async (): Promise<number> => removeUnder(client, bucket, runPrefix, keys);
  try {
    for (const fixture of FIXTURE_BUNDLES.filter((bundle) => bundle.valid)) {
      const body = await packBundle(fixture.dir);
      for (let copy = 1; copy <= COPIES; copy++) {
        const key = `${runPrefix}${fixture.name}-${copy}.tar.gz`;
        keys.push(key);
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/gzip' }));
        sources[fixture.kind].push({ bucket, key });
      }
    }
  } catch (error) {
    await remove().catch(() => undefined);
    throw s3Problem('cannot upload the template bundles', bucket, error);
  }
  for (const kind of ['environment', 'service'] as const) {
    if (sources[kind].length < COPIES) throw new Error(`fixtures/templates/ holds no valid ${kind} bundle`);
  }
  return {
    sources: { environment: sources.environment, service: sources.service, uploaded: true },
    bucket,
    keys,
    location: `s3://${bucket}/${runPrefix}`,
    remove,
  };
}

/**
 * Deletes the keys the run put there and whatever else lies under the run's
 * own prefix (nothing outside it): listed again until none is left, at most
 * three passes.
 */
async function removeUnder(client: S3Client, bucket: string, runPrefix: string, known: readonly string[]): Promise<number> {
  let removed = 0;
  let pending = [...known];
  for (let pass = 0; pass < 3; pass++) {
    const listed = await listUnder(client, bucket, runPrefix);
    const keys = [...new Set([...pending, ...listed])].filter((key) => key.startsWith(runPrefix));
    if (keys.length === 0) return removed;
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const answer = await client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      );
      const failed = answer.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0]!;
        throw new Error(
          `S3 refused to delete ${failed.length} of the run's bundles (first: ${first.Key}: ${first.Code} ${first.Message ?? ''})`,
        );
      }
      removed += batch.length;
    }
    pending = [];
  }
  return removed;
}

async function listUnder(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  return (await listObjects(client, bucket, prefix)).map((object) => object.key);
}

async function listObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<Array<{ key: string; lastModified: Date | undefined }>> {
  const objects: Array<{ key: string; lastModified: Date | undefined }> = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const item of page.Contents ?? []) if (item.Key) objects.push({ key: item.Key, lastModified: item.LastModified });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

/** A bundle an earlier run left: its key under `<prefix>pc<run id>/`. */
export interface LeftBundle {
  runId: string;
  key: string;
  lastModified: Date | undefined;
}

/**
 * The sweep's side of the bundles: keys under `<prefix>pc<run id>/` of the
 * runs chosen (one run id, or a test of it), older than `olderThanMs` by
 * their LastModified when given. Nothing outside a run's own prefix is found.
 */
export async function findLeftBundles(
  options: Pick<BundleStoreOptions, 'bucket' | 'prefix' | 'region' | 'credentials' | 'env' | 'client'> & {
    runs: string | ((runId: string) => boolean);
    olderThanMs?: number;
    now?: number;
  },
): Promise<{ found: LeftBundle[]; remove(): Promise<number> }> {
  const prefix = options.prefix ?? DEFAULT_BUNDLE_PREFIX;
  checkBundleFlags(options.bucket, prefix);
  const client = options.client ?? s3ClientFor(options);
  const scope = typeof options.runs === 'string' ? runKeyPrefix(prefix, options.runs) : `${prefix}${NAME_PREFIX}`;
  let objects;
  try {
    objects = await listObjects(client, options.bucket, scope);
  } catch (error) {
    throw s3Problem('cannot list the bucket', options.bucket, error);
  }
  const now = options.now ?? Date.now();
  const found: LeftBundle[] = [];
  for (const object of objects) {
    const rest = object.key.slice(prefix.length + NAME_PREFIX.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) continue;
    const runId = rest.slice(0, slash);
    const chosen = typeof options.runs === 'string' ? runId === options.runs : options.runs(runId);
    if (!chosen) continue;
    if (
      options.olderThanMs !== undefined &&
      (object.lastModified === undefined || now - object.lastModified.getTime() < options.olderThanMs)
    )
      continue;
    found.push({ runId, key: object.key, lastModified: object.lastModified });
  }
  return {
    found,
    remove: async () => {
      const byRun = new Map<string, string[]>();
      for (const item of found) byRun.set(item.runId, [...(byRun.get(item.runId) ?? []), item.key]);
      let removed = 0;
      for (const [runId, keys] of byRun) removed += await removeUnder(client, options.bucket, runKeyPrefix(prefix, runId), keys);
      return removed;
    },
  };
}
