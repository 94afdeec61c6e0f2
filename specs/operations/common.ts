// Pieces the operation entries share: parameter entries and arbitraries of
// optional members.
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import type { Fixture, Input, ParameterSpec, Tag } from '../types.ts';
import { extraTagsArb } from '../values.ts';

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
