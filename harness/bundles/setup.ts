// The run's template bundles, as the CLI and the library set them up: with
// --bundle-bucket they are uploaded before the first cell and removed after
// the last (harness/bundles/store.ts); without it, a remote target is asked
// first whether it reads bundles at all (harness/bundles/preflight.ts), and
// AWS's own endpoint is known to.
import type { BundleSources } from '../../specs/types.ts';
import { needsBundleBucket, preflightBundles } from './preflight.ts';
import type { UploadedBundles } from './store.ts';
import { describeError } from '../errors.ts';
import { createReader } from '../safety/ownership.ts';
import type { Target } from '../target/target.ts';
import { cleanUpRun } from '../safety/real-target.ts';
import type { TextOut } from '../safety/real-target.ts';

export interface BundleChoice {
  bundleBucket?: string | undefined;
  bundlePrefix?: string | undefined;
}

/** What the JSON report says of the run's bundles. */
export interface BundlesReport {
  location: string;
  uploaded: number;
  removed: number;
  error?: string;
}

export interface RunBundles {
  /** The sources template versions name (undefined: the placeholders). */
  sources: BundleSources | undefined;
  /** s3://bucket/prefix of what was uploaded (undefined: nothing was). */
  location?: string;
  /** Removes what was uploaded (once; later calls answer the first's report). */
  remove(): Promise<BundlesReport | undefined>;
}

/**
 * Uploads the bundles (--bundle-bucket) or, against a remote target without
 * a bucket, makes sure the target does not need them: a UsageError (exit 2)
 * naming the flag when it does, after removing what the question created.
 */
export async function setUpBundles(
  target: Target,
  runId: string,
  choice: BundleChoice,
  note: (line: string) => void,
  signal?: AbortSignal,
  out: TextOut = process.stderr,
): Promise<RunBundles> {
  if (choice.bundleBucket !== undefined) {
    const { uploadBundles } = await import('./store.ts');
    const uploaded = await uploadBundles({
      bucket: choice.bundleBucket,
      ...(choice.bundlePrefix !== undefined ? { prefix: choice.bundlePrefix } : {}),
      runId,
      region: target.region,
      credentials: target.credentials,
    });
    note(`proton-conformance: template bundles: uploaded ${uploaded.keys.length} to ${uploaded.location} (removed at the end of the run)`);
    return { sources: uploaded.sources, location: uploaded.location, remove: once(() => removeUploaded(uploaded, note)) };
  }
  const none: RunBundles = { sources: undefined, remove: async () => undefined };
  if (!target.remote) return none;
  if (target.aws) throw needsBundleBucket(target.endpoint, 'AWS Proton registers a template version from its bundle');
  const answer = await preflightBundles({
    client: createReader(target),
    runId,
    ...(signal ? { signal } : {}),
    note,
  });
  if (answer.needsBundles === true) {
    await cleanUpRun(target, runId, { note, out });
    throw needsBundleBucket(target.endpoint, answer.reason);
  }
  if (answer.needsBundles === undefined) {
    note(
      `proton-conformance: preflight: could not tell whether ${target.endpoint} reads template bundles (${answer.reason}); going ` +
        'on with placeholders (--bundle-bucket NAME gives real ones)',
    );
  }
  return none;
}

async function removeUploaded(uploaded: UploadedBundles, note: (line: string) => void): Promise<BundlesReport> {
  try {
    const removed = await uploaded.remove();
    note(`proton-conformance: template bundles: removed ${removed} from ${uploaded.location}`);
    return { location: uploaded.location, uploaded: uploaded.keys.length, removed };
  } catch (error) {
    const reason = describeError(error);
    note(`proton-conformance: template bundles: could not remove them from ${uploaded.location} (${reason}); remove that prefix by hand`);
    return { location: uploaded.location, uploaded: uploaded.keys.length, removed: 0, error: reason };
  }
}

function once<T>(action: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => (running ??= action());
}
