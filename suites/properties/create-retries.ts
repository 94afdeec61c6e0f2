// Properties both create categories share: random valid inputs retried
// identically, and random combinations of changed parameters.
import fc from 'fast-check';
import type { CheckContext } from '../../harness/run/context.ts';
import type { Outcome } from '../../harness/types.ts';
import type { CreateOperationSpec, Input } from '../../specs/types.ts';
import { fingerprint } from '../lib/compare.ts';
import { change } from '../lib/expectations.ts';
import { runProperty } from '../lib/property.ts';
import { validTokenArb } from '../lib/tokens.ts';
import { expect, verdictOf } from '../lib/verdict.ts';
import { PLACEHOLDER, PropertyWorld } from './world.ts';
import type { PropertyRun, Sent } from './world.ts';

/** A random token for operations that take one; none for the others. */
export function tokenArb(spec: CreateOperationSpec): fc.Arbitrary<string | undefined> {
  return spec.token ? validTokenArb : fc.constant(undefined);
}

/** The run's original: a random valid create, with the generated token salted (a fresh name either way). */
function originalOf(run: PropertyRun, rule: string, generated: Input, token: string | undefined): Promise<Sent> {
  return run.request(
    `[${rule}] a random valid create (the run's original)`,
    run.fresh(generated),
    token === undefined ? undefined : run.token(token),
  );
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

/** client-token/same-token-same-params, idempotent-create/unmodified-retry. Each run: its own original, retried identically. */
export async function identicalRetryProperty(ctx: CheckContext, spec: CreateOperationSpec, rule: string): Promise<Outcome> {
  const world = await PropertyWorld.open(ctx, spec);
  const property = fc.asyncProperty(spec.arbitrary(world.fx, PLACEHOLDER), tokenArb(spec), async (generated, token) => {
    const run = await world.run();
    const original = await originalOf(run, rule, generated, token);
    const retry = await run.request(`[${rule}] an identical retry of the run's original`, original.input, original.token);
    expect(retry.observed.kind === 'original', () => `The identical retry did not return the original ${run.describe(original.resource)}.`);
    await run.finish();
  });
  return withCensus(world, () => runProperty(ctx, rule, spec.operation, 'random valid originals, each retried identically', property));
}

/** client-token/same-token-different-params, idempotent-create/different-params. */
export async function differentParamsProperty(ctx: CheckContext, spec: CreateOperationSpec, rule: string): Promise<Outcome> {
  const world = await PropertyWorld.open(ctx, spec);
  const changes = fc.subarray([...spec.parameters], { minLength: 1 });
  const property = fc.asyncProperty(spec.arbitrary(world.fx, PLACEHOLDER), tokenArb(spec), changes, async (generated, token, changed) => {
    // A random input may already hold an alternative value: at least one parameter must differ (decided before anything is sent).
    fc.pre(fingerprint(change(world.fx, generated, changed)) !== fingerprint(generated));
    const run = await world.run();
    const original = await originalOf(run, rule, generated, token);
    const retryInput = change(world.fx, original.input, changed);
    const names = changed.map((parameter) => parameter.name).join(', ');
    const retry = await run.request(`[${rule}] a retry of the run's original with ${names} changed`, retryInput, original.token);
    expect(
      retry.observed.kind === 'mismatch',
      () => `The retry with ${names} changed did not fail with ValidationException naming the idempotent parameter mismatch.`,
    );
    await run.finish();
  });
  return withCensus(world, () =>
    runProperty(ctx, rule, spec.operation, 'random valid originals, each retried with random parameters changed', property),
  );
}
