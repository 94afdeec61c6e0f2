// The bundle flags' values (--bundle-bucket, --bundle-prefix), checked before
// anything is sent. Kept apart from harness/bundles/store.ts so that the CLI's
// argument parsing does not load the S3 client.
import { UsageError } from '../errors.ts';

/** Where the run's bundles go when --bundle-prefix is not given. */
export const DEFAULT_BUNDLE_PREFIX = 'proton-conformance/';

/** S3 bucket names (the general-purpose rules, simplified): 3-63 of a-z 0-9 . - */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Checks the flag values before anything is sent; throws UsageError naming the flag. */
export function checkBundleFlags(bucket: string | undefined, prefix: string | undefined): void {
  if (bucket === undefined) {
    if (prefix !== undefined) throw new UsageError('--bundle-prefix needs --bundle-bucket NAME');
    return;
  }
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw new UsageError(
      `--bundle-bucket: '${bucket}' is not an S3 bucket name (3 to 63 characters of a-z, 0-9, '.' and '-', starting and ending ` +
        'with a letter or digit)',
    );
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what the check refuses
  if (prefix !== undefined && (prefix.length > 512 || prefix.startsWith('/') || /[\u0000-\u001f]/.test(prefix))) {
    throw new UsageError(
      `--bundle-prefix: '${prefix}' is not a usable key prefix (no leading '/', no control characters, at most 512 characters)`,
    );
  }
}
