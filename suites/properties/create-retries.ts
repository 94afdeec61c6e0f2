// Properties both create categories share: random valid inputs retried
// identically, and random combinations of changed parameters.
import fc from 'fast-check';
import type { CheckContext } from '../../harness/context.ts';
import type { Outcome } from '../../harness/types.ts';
import type { CreateOperationSpec } from '../../specs/types.ts';
import { fingerprint } from '../lib/compare.ts';
import { change } from '../lib/expectations.ts';
import { runProperty } from '../lib/property.ts';
import { validTokenArb } from '../lib/tokens.ts';
import { expect, verdictOf } from '../lib/verdict.ts';
import { IDENTICAL_SLOTS, OriginalPool, POOL_SLOTS } from './pool.ts';
import { PLACEHOLDER, PropertyWorld } from './world.ts';

/** A random token for operations that take one; none for the others. */
export function tokenArb(spec: CreateOperationSpec): fc.Arbitrary<string | undefined> {
  return spec.token ? validTokenArb : fc.constant(undefined);
}

/**
 * Runs the property, then checks the whole census exactly: List, identity by
 * identity, shows what the model predicts (each run's own answers were judged
 * as it went; a stray resource shows here).
 */
export async function withCensus(world: PropertyWorld, run: () => Promise<Outcome>): Promise<Outcome> {
  const outcome = await run();
  if (outcome.verdict !== 'pass') return outcome;
  return verdictOf(async () => {
    await world.census.checkExact();
    return { verdict: 'pass', reason: `${outcome.reason} At the end, List showed exactly the resources the contract predicts.` };
  });
}

/** client-token/same-token-same-params, idempotent-create/unmodified-retry. */
export async function identicalRetryProperty(ctx: CheckContext, spec: CreateOperationSpec, rule: string): Promise<Outcome> {
  const world = await PropertyWorld.open(ctx, spec);
  const pool = new OriginalPool();
  const property = fc.asyncProperty(fc.nat(IDENTICAL_SLOTS - 1), spec.arbitrary(world.fx, PLACEHOLDER), tokenArb(spec), async (slot, generated, token) => {
    const original = await pool.get(slot, async () => {
      fc.pre(token === undefined || world.claim(token));
      return world.request(`[${rule}] a random valid create (original ${slot})`, world.fresh(generated), token);
    });
    const retry = await world.request(`[${rule}] an identical retry of original ${slot}`, original.input, original.token);
    expect(retry.observed.kind === 'original', () => `The identical retry did not return the original ${world.describe(original.resource)}.`);
  });
  return withCensus(world, () =>
    runProperty(ctx, rule, spec.operation, `random valid originals (${IDENTICAL_SLOTS} at most), each retried identically, again and again`, property),
  );
}

/** client-token/same-token-different-params, idempotent-create/different-params. */
export async function differentParamsProperty(ctx: CheckContext, spec: CreateOperationSpec, rule: string): Promise<Outcome> {
  const world = await PropertyWorld.open(ctx, spec);
  const pool = new OriginalPool();
  const changes = fc.subarray([...spec.parameters], { minLength: 1 });
  const property = fc.asyncProperty(
    fc.nat(POOL_SLOTS - 1),
    spec.arbitrary(world.fx, PLACEHOLDER),
    tokenArb(spec),
    changes,
    async (slot, generated, token, changed) => {
      const original = await pool.get(slot, async () => {
        fc.pre(token === undefined || world.claim(token));
        return world.request(`[${rule}] a random valid create (original ${slot})`, world.fresh(generated), token);
      });
      const retryInput = change(world.fx, original.input, changed);
      // A random input may already hold an alternative value: at least one parameter must differ.
      fc.pre(fingerprint(retryInput) !== fingerprint(original.input));
      const names = changed.map((parameter) => parameter.name).join(', ');
      const retry = await world.request(`[${rule}] a retry of original ${slot} with ${names} changed`, retryInput, original.token);
      expect(retry.observed.kind === 'mismatch', () => `The retry with ${names} changed did not fail with IdempotentParameterMismatch.`);
    },
  );
  return withCensus(world, () =>
    runProperty(ctx, rule, spec.operation, `random valid originals (${POOL_SLOTS} at most), retried with random parameters changed`, property),
  );
}
