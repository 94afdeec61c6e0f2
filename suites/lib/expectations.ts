// The observations the contract's rules come down to, each a Violation with
// a one-or-two-sentence reason when it does not hold.
import type { CallResult } from '../../specs/commands.ts';
import type { Fixture, Input, ParameterSpec, Resource, ResourceSpec } from '../../specs/types.ts';
import type { CheckContext } from '../../harness/run/context.ts';
import { changedFields, describe, identityKey, sameIdentity } from './compare.ts';
import { settledPair } from './evidence.ts';
import { answerText, isMismatch } from './create.ts';
import { carried, countsComparable, listDelta } from './observe.ts';
import type { Observation } from './observe.ts';
import { expect } from './verdict.ts';

/** List (settled: evidence.ts) and the hooks' count show the same resources before and after `what`. */
export async function expectNothingCreated(
  ctx: CheckContext,
  spec: ResourceSpec,
  observed: Observation,
  later: Observation,
  what: string,
): Promise<void> {
  const { before, after } = await settledPair(ctx, spec, observed, later);
  const { added, removed } = listDelta(before, after);
  expect(
    added.length === 0 && removed.length === 0,
    () =>
      `${what} was to create nothing, but ${spec.list.operation} went from ${before.listed.size} to ${after.listed.size} resources` +
      `${added.length ? ` (new: ${added.slice(0, 2).join(', ')})` : ''}` +
      `${removed.length ? ` (gone: ${removed.slice(0, 2).join(', ')})` : ''}.`,
  );
  // Account-wide counts speak of this cell only while it runs alone in its account.
  if (countsComparable(before, after)) {
    expect(
      before.hookCount === after.hookCount,
      () => `${what} was to create nothing, but the hooks' ${spec.countKey} count went from ${before.hookCount} to ${after.hookCount}.`,
    );
  }
}

/** After `what`, List (settled: evidence.ts) shows exactly one more resource, and it is `resource`. */
export async function expectOneCreated(
  ctx: CheckContext,
  spec: ResourceSpec,
  observed: Observation,
  later: Observation,
  resource: Resource,
  what: string,
): Promise<void> {
  const key = identityKey(spec, resource);
  const { before, after } = await settledPair(ctx, spec, observed, later, { added: [resource] });
  const { added, removed } = listDelta(before, after);
  expect(
    added.length === 1 && added[0] === key && removed.length === 0,
    () =>
      `${what} was to leave exactly one new resource (${key}), but ${spec.list.operation} added ${added.length}` +
      `${added.length ? ` (${added.slice(0, 3).join(', ')})` : ''}${removed.length ? ` and lost ${removed.length}` : ''}.`,
  );
  if (countsComparable(before, after)) {
    expect(
      after.hookCount === (before.hookCount ?? 0) + 1,
      () =>
        `${what} was to leave exactly one new resource, but the hooks' ${spec.countKey} count went from ${before.hookCount} ` +
        `to ${after.hookCount}.`,
    );
  }
}

/** The call succeeded and returned `original` (same identity; progress may differ). */
export function expectOriginal(spec: ResourceSpec, result: CallResult, original: Resource, what: string): Resource {
  expect(
    result.ok,
    () => `${what} was to succeed and return the original ${describe(spec, original)}; it answered ${answerText(spec, result)}.`,
  );
  const returned = carried(spec, result.output);
  expect(
    returned !== undefined && sameIdentity(spec, returned, original),
    () => `${what} was to return the original ${describe(spec, original)}; it returned ${describe(spec, returned)}.`,
  );
  return returned;
}

/** Get before and after show the same resource, progress fields aside. */
export function expectUnchanged(spec: ResourceSpec, before: Resource | undefined, after: Resource | undefined, what: string): void {
  expect(before !== undefined, () => `the resource could not be read before ${what}.`);
  expect(after !== undefined, () => `${what} was to change nothing, but the resource ${describe(spec, before)} is gone.`);
  const changed = changedFields(spec, before, after);
  expect(changed.length === 0, () => `${what} was to change nothing, but ${describe(spec, before)} changed in ${changed.join(', ')}.`);
}

export function expectMismatch(spec: ResourceSpec, result: CallResult, what: string): void {
  expect(
    isMismatch(result),
    () => `${what} was to fail with ValidationException naming the idempotent parameter mismatch; it answered ${answerText(spec, result)}.`,
  );
}

/** The input with the given parameters changed to their alternatives (left out where the alternative is undefined). */
export function change(fx: Fixture, base: Input, parameters: readonly ParameterSpec[]): Input {
  const changed: Input = { ...base };
  for (const parameter of parameters) {
    const value = parameter.alternative(fx, base);
    if (value === undefined) delete changed[parameter.name];
    else changed[parameter.name] = value;
  }
  return changed;
}

export function changeLabel(base: Input, parameters: readonly ParameterSpec[], fx: Fixture): string {
  return parameters
    .map((parameter) => {
      const value = parameter.alternative(fx, base);
      return value === undefined ? `${parameter.name} left out` : `${parameter.name}=${JSON.stringify(value)}`;
    })
    .join(', ');
}
