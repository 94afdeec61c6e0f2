// Pieces the operation entries share: parameter entries and arbitraries of
// optional members.
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import type { BundleSource, BundleSources, Fixture, Input, ParameterSpec, SpecEnv, Tag } from '../types.ts';
import { PLACEHOLDER_BUNDLES, bucketArb, bundle, extraTagsArb, s3KeyArb } from '../values.ts';

/** A fixture value that must be there: prepare() wrote it. */
export function fixed(fx: Fixture, key: string): string {
  const value = fx[key];
  if (value === undefined) throw new Error(`fixture lacks ${key} (was it prepared with needs 'alternatives'?)`);
  return value;
}

export function tagsOf(input: Input): Tag[] {
  return Array.isArray(input.tags) ? (input.tags as Tag[]) : [];
}

/** Tags: another valid value is the same tags plus one more. */
export const tagsParameter: ParameterSpec = {
  name: 'tags',
  required: false,
  alternative: (_fx, base) => [...tagsOf(base), { key: 'x-variant', value: 'other' }],
};

/** A parameter whose alternative is one fixed value (or left out, when undefined). */
export function parameter(name: string, required: boolean, alternative: (fx: Fixture, base: Input) => unknown): ParameterSpec {
  return { name, required, alternative };
}

/** A value that is sometimes left out. */
export function maybe<T>(arb: Arbitrary<T>): Arbitrary<T | undefined> {
  return fc.option(arb, { nil: undefined });
}

/** The run's tags plus random extra ones, as the random inputs carry them. */
export const randomTags = extraTagsArb;

/** Template kinds that have bundles. */
export type BundleKind = Exclude<keyof BundleSources, 'uploaded'>;

/**
 * The fixture entries naming the run's bundles of one kind (prepare() adds
 * them): `sources` (a JSON list) and `sourcesUploaded`.
 */
export function bundleFixture(env: SpecEnv, kind: BundleKind): Record<string, string> {
  return { sources: JSON.stringify(env.bundles[kind]), sourcesUploaded: String(env.bundles.uploaded) };
}

function sourcesOf(fx: Fixture, kind: BundleKind): readonly BundleSource[] {
  const listed = fx['sources'];
  return listed === undefined ? PLACEHOLDER_BUNDLES[kind] : (JSON.parse(listed) as BundleSource[]);
}

/** The run's `index`-th bundle of this kind as a `source` member (placeholders when the fixture names none). */
export function sourceAt(fx: Fixture, kind: BundleKind, index: number): { s3: BundleSource } {
  const sources = sourcesOf(fx, kind);
  const chosen = sources[index % sources.length]!;
  return bundle(chosen.bucket, chosen.key);
}

/**
 * Random valid `source` values: any bucket and key while they are
 * placeholders (the target does not read them), only the uploaded bundles
 * when the run has real ones (a version must register from a real object).
 */
export function sourceArb(fx: Fixture, kind: BundleKind): Arbitrary<{ s3: BundleSource }> {
  if (fx['sourcesUploaded'] === 'true') return fc.constantFrom(...sourcesOf(fx, kind)).map((s) => bundle(s.bucket, s.key));
  return fc.tuple(bucketArb, s3KeyArb).map(([bucket, key]) => bundle(bucket, key));
}
