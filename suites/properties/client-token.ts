// Properties only tokens have: random retry times around the 8-hour mark,
// case variants, and the token format.
import fc from 'fast-check';
import type { CheckContext } from '../../harness/context.ts';
import type { Outcome } from '../../harness/types.ts';
import type { CreateOperationSpec, Input } from '../../specs/types.ts';
import { TOKEN_LIFETIME_MS } from '../lib/contract-model.ts';
import { answerText, sendCreate } from '../lib/create.ts';
import { runProperty } from '../lib/property.ts';
import { casedTokenArb, caseVariant, invalidTokenArb, validTokenArb } from '../lib/tokens.ts';
import { expect } from '../lib/verdict.ts';
import { withCensus } from './create-retries.ts';
import { OriginalPool, POOL_SLOTS } from './pool.ts';
import { PLACEHOLDER, PropertyWorld } from './world.ts';

const EXPIRY = 'client-token/expiry';
const CASE = 'client-token/case-sensitive';
const FORMAT = 'client-token/format';

/** Offsets from the 8-hour mark, milliseconds: the edges often, anything within a second otherwise. */
const offsetArb = fc.oneof(fc.constantFrom(0, 1, -1_000, 1_000, -50, 50), fc.integer({ min: -1_000, max: 1_000 }));

/** An earlier retry's time after the binding request: mostly none, else anything before the mark. */
const earlierArb = fc.option(fc.oneof(fc.constantFrom(1, TOKEN_LIFETIME_MS - 1_001), fc.integer({ min: 1, max: TOKEN_LIFETIME_MS - 1_001 })), {
  nil: undefined,
  freq: 2,
});

function hours(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  return `${sign}${Math.floor(abs / 3_600_000)}h${Math.floor((abs % 3_600_000) / 1000)}s${abs % 1000}ms`;
}

/**
 * One token, retried by run after run: each run moves the clock to a random
 * point around 8 h after the request that bound the token (the original, or
 * the retry that last created a resource), sometimes with an earlier retry
 * first. The model names each answer; expiry counts from the binding request.
 */
export async function expiryProperty(ctx: CheckContext, spec: CreateOperationSpec): Promise<Outcome> {
  ctx.require('clock', 'move the virtual clock around the 8-hour mark');
  const world = await PropertyWorld.open(ctx, spec);
  let chain: { input: Input; token: string; boundAt: number } | undefined;
  const property = fc.asyncProperty(spec.arbitrary(world.fx, PLACEHOLDER), validTokenArb, earlierArb, offsetArb, async (generated, token, earlier, offset) => {
    if (!chain) {
      fc.pre(world.claim(token));
      const input = world.fresh(generated);
      await world.request(`[${EXPIRY}] the original request`, input, token);
      chain = { input, token, boundAt: world.timeline.now() };
    }
    const { input, token: bound, boundAt } = chain;
    if (earlier !== undefined && world.timeline.now() - boundAt < earlier) {
      await world.timeline.advance(earlier - (world.timeline.now() - boundAt));
      await world.request(`[${EXPIRY}] a retry ${hours(earlier)} after the binding request`, input, bound);
    }
    const target = boundAt + TOKEN_LIFETIME_MS + offset;
    await world.timeline.advance(Math.max(0, target - world.timeline.now()));
    const retry = await world.request(`[${EXPIRY}] a retry 8 h ${offset < 0 ? '-' : '+'} ${Math.abs(offset)} ms after the binding request`, input, bound);
    // A new resource binds the token anew, from this retry on (the end of the request: at or after the mark is then certain).
    if (retry.observed.kind === 'new') chain = { input, token: bound, boundAt: world.timeline.now() };
  });
  return withCensus(world, () =>
    runProperty(ctx, EXPIRY, spec.operation, 'one token retried at random times around the 8-hour mark, some runs with an earlier retry', property),
  );
}

export async function caseSensitiveProperty(ctx: CheckContext, spec: CreateOperationSpec): Promise<Outcome> {
  const world = await PropertyWorld.open(ctx, spec);
  const pool = new OriginalPool();
  const picks = fc.array(fc.nat(63), { minLength: 1, maxLength: 8 });
  const property = fc.asyncProperty(fc.nat(POOL_SLOTS - 1), spec.arbitrary(world.fx, PLACEHOLDER), casedTokenArb, picks, async (slot, generated, token, flips) => {
    const original = await pool.get(slot, async () => {
      fc.pre(world.claim(token));
      return world.request(`[${CASE}] a create with token ${JSON.stringify(token)} (original ${slot})`, world.fresh(generated), token);
    });
    const variant = caseVariant(original.token!, flips);
    fc.pre(world.claim(variant));
    const other = await world.request(`[${CASE}] the same create with ${JSON.stringify(variant)}, which differs in case only`, original.input, variant);
    expect(other.observed.kind === 'new', () => `The token ${JSON.stringify(variant)} was taken for ${JSON.stringify(original.token)}.`);
  });
  return withCensus(world, () =>
    runProperty(ctx, CASE, spec.operation, `random lettered tokens, UUID-shaped ones among them (${POOL_SLOTS} originals at most), and random case variants of each, same parameters`, property),
  );
}

export async function formatProperty(ctx: CheckContext, spec: CreateOperationSpec, used: Set<string>): Promise<Outcome> {
  const world = await PropertyWorld.open(ctx, spec, 'base');
  for (const token of used) world.claim(token);
  const tokenCase = fc.oneof(
    validTokenArb.map((token) => ({ token, valid: true })),
    invalidTokenArb.map((token) => ({ token, valid: false })),
  );
  const property = fc.asyncProperty(tokenCase, async ({ token, valid }) => {
    const input = world.fresh(spec.input(world.fx, PLACEHOLDER));
    if (valid) {
      fc.pre(world.claim(token));
      await world.request(`[${FORMAT}] a create with the valid token ${JSON.stringify(token)}`, input, token);
    } else {
      ctx.step(`[${FORMAT}] a create with the invalid token ${JSON.stringify(token)}`);
      const result = await sendCreate(ctx, spec.operation, input, token);
      expect(
        !result.ok && result.error.name === 'ValidationException',
        () => `The invalid token ${JSON.stringify(token)} (${token.length} characters) was to be rejected with ValidationException; it answered ${answerText(spec.resource, result)}.`,
      );
    }
  });
  return withCensus(world, () => runProperty(ctx, FORMAT, spec.operation, 'random valid tokens accepted, random invalid ones rejected', property));
}
