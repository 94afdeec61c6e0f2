// Valid values the operation entries are built from, and random generators
// of more valid values. Constraints come from the model
// (reference/proton-2020-07-20.service-2.json); the tests check every built
// input with validateInput.
import fc from 'fast-check';
import type { BundleSources } from './types.ts';

/** The account named in role ARNs: IAM roles are not checked by the contract. */
export const ROLE_ACCOUNT = '123456789012';

/** Management accounts a connection can be requested to: any 12 digits, none of them the caller's. */
export const MANAGEMENT_ACCOUNTS = ['210987654321', '310987654321'] as const;

export function roleArn(roleName: string): string {
  return `arn:aws:iam::${ROLE_ACCOUNT}:role/${roleName}`;
}

/** An S3 bundle source (TemplateVersionSourceInput). */
export function bundle(bucket: string, key: string): { s3: { bucket: string; key: string } } {
  return { s3: { bucket, key } };
}

export const BUCKETS = ['proton-conformance-bundles', 'proton-conformance-other'] as const;

/**
 * Sources that name no real object: what a run uses unless it uploads
 * bundles (`--bundle-bucket`). A target that reads bundles fails these
 * versions' registration.
 */
export const PLACEHOLDER_BUNDLES: BundleSources = {
  environment: [
    { bucket: BUCKETS[0], key: 'environment/v1.tar.gz' },
    { bucket: BUCKETS[1], key: 'environment/v2.tar.gz' },
  ],
  service: [
    { bucket: BUCKETS[0], key: 'service/v1.tar.gz' },
    { bucket: BUCKETS[1], key: 'service/v2.tar.gz' },
  ],
  uploaded: false,
};

export function environmentSpec(size: string): string {
  return `proton: EnvironmentSpec\nspec:\n  size: ${size}\n`;
}

export function serviceSpec(size: string): string {
  return `proton: ServiceSpec\ninstances: []\npipeline:\n  size: ${size}\n`;
}

/** A string of 1 or more characters drawn from `alphabet` (cheaper to generate than a regular expression). */
export function charsArb(alphabet: string, minLength: number, maxLength: number): fc.Arbitrary<string> {
  const chars = [...alphabet];
  return fc.string({ unit: fc.constantFrom(...chars), minLength, maxLength });
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';

/** A lower-case word: spec values, tag keys, S3 key parts. */
export const wordArb = fc.tuple(charsArb(LOWER, 1, 1), charsArb(LOWER + DIGITS, 0, 11)).map(([first, rest]) => first + rest);

/** Description (0-500 characters, any text): printable ASCII keeps reasons readable. */
export const descriptionArb = fc.string({ maxLength: 60 });

/** DisplayName (1-100 characters). */
export const displayNameArb = fc.string({ minLength: 1, maxLength: 40 });

/** RoleArn: a role name of [\w+=,.@-], 1-64 characters. */
export const roleArnArb = charsArb(`${LOWER}${LOWER.toUpperCase()}${DIGITS}_+=,.@-`, 1, 40).map(roleArn);

/** S3Key (1-1024 characters). */
export const s3KeyArb = fc.array(wordArb, { minLength: 1, maxLength: 3 }).map((parts) => `${parts.join('/')}.tar.gz`);

/** S3Bucket: ^[a-z0-9]+[a-z0-9-\.]+[a-z0-9]+$, 3-63 characters. */
export const bucketArb = fc
  .tuple(charsArb(LOWER + DIGITS, 1, 1), charsArb(`${LOWER}${DIGITS}-`, 1, 20), charsArb(LOWER + DIGITS, 1, 1))
  .map(([first, middle, last]) => first + middle + last);

/** Tags beyond the run's own: keys never start with `aws:` (reserved). */
export const extraTagsArb = fc.uniqueArray(fc.record({ key: wordArb.map((word) => `x-${word}`), value: fc.string({ maxLength: 20 }) }), {
  maxLength: 3,
  selector: (tag) => tag.key,
});

/** Drop the members whose value is undefined, so that inputs compare as sent. */
export function compact<T extends Record<string, unknown>>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as T;
}
