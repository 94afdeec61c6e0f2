// Properties only tokens have: random retry times around the 8-hour mark,
// case variants, and the token format.
import fc from 'fast-check';
import type { CheckContext } from '../../harness/run/context.ts';
import type { Outcome } from '../../harness/types.ts';
import { TOKEN_LIFETIME_MS } from '../../specs/rules.ts';
import type { CreateOperationSpec } from '../../specs/types.ts';
import { answerText, sendCreate } from '../lib/create.ts';
import { runProperty } from '../lib/property.ts';
import { ShortTokens, TokenSalt, casedTokenArb, caseVariant, invalidTokenArb, saltInPlace, validTokenArb } from '../lib/tokens.ts';
import { identityKey } from '../lib/compare.ts';
import { expect } from '../lib/verdict.ts';
import { withCensus } from './create-retries.ts';
import { PLACEHOLDER, PropertyWorld } from './world.ts';
import type { PropertyRun, Sent } from './world.ts';

const EXPIRY = 'client-token/expiry';
const CASE = 'client-token/case-sensitive';
const FORMAT = 'client-token/format';

/** Offsets from the 8-hour mark, milliseconds: the edges often, anything within a second otherwise. */
const offsetArb = fc.oneof(fc.constantFrom(0, 1, -1_000, 1_000, -50, 50), fc.integer({ min: -1_000, max: 1_000 }));

/** An earlier retry's time after the binding request: mostly none, else anything before the mark. */
const earlierArb = fc.option(
  fc.oneof(fc.constantFrom(1, TOKEN_LIFETIME_MS - 1_001), fc.integer({ min: 1, max: TOKEN_LIFETIME_MS - 1_001 })),
  {
    nil: undefined,
    freq: 2,
  },
);

function hours(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  return `${sign}${Math.floor(abs / 3_600_000)}h${Math.floor((abs % 3_600_000) / 1000)}s${abs % 1000}ms`;
}

/**
 * Each run: an original with a token of its own, sometimes an earlier retry,
 * then a retry at a random point around 8 h after the request that bound the
 * token; when that retry created a new resource (the token bound anew), some
 * runs retry once more around 8 h after it. The model names each answer:
 * expiry counts from the binding request, never from a later retry.
 */
export async function expiryProperty(ctx: CheckContext, spec: CreateOperationSpec): Promise<Outcome> {
  ctx.require('clock', 'move the virtual clock around the 8-hour mark');
  const world = await PropertyWorld.open(ctx, spec);
  const again = fc.option(offsetArb, { nil: undefined, freq: 2 });
  const property = fc.asyncProperty(
    spec.arbitrary(world.fx, PLACEHOLDER),
    validTokenArb,
    earlierArb,
    offsetArb,
    again,
    async (generated, token, earlier, offset, second) => {
      const run = await world.run();
      const { timeline } = run;
      const input = run.fresh(generated);
      const bound = run.token(token);
      await run.request(`[${EXPIRY}] the original request`, input, bound);
      let boundAt = timeline.now();
      if (earlier !== undefined) {
        await timeline.advance(Math.max(0, earlier - (timeline.now() - boundAt)));
        await run.request(`[${EXPIRY}] a retry ${hours(earlier)} after the original`, input, bound);
      }
      const retryAround = async (ms: number, what: string): Promise<Sent> => {
        await timeline.advance(Math.max(0, boundAt + TOKEN_LIFETIME_MS + ms - timeline.now()));
        return run.request(`[${EXPIRY}] a retry 8 h ${ms < 0 ? '-' : '+'} ${Math.abs(ms)} ms after ${what}`, input, bound);
      };
      const retry = await retryAround(offset, 'the original');
      if (retry.observed.kind === 'new' && second !== undefined) {
        // The new resource binds the token anew, from this retry on (its end: at or after the mark is then certain).
        boundAt = timeline.now();
        await retryAround(second, 'the retry that bound the token anew');
      }
      await run.finish();
    },
  );
  return withCensus(world, () =>
    runProperty(
      ctx,
      EXPIRY,
      spec.operation,
      'a token per run retried at random times around the 8-hour mark, some runs with an earlier retry, some again after the ' +
        'token was bound anew',
      property,
    ),
  );
}

/** Each run: an original with a lettered token of its own, then the same create with a case variant of it. */
export async function caseSensitiveProperty(ctx: CheckContext, spec: CreateOperationSpec): Promise<Outcome> {
  const world = await PropertyWorld.open(ctx, spec);
  const picks = fc.array(fc.nat(63), { minLength: 1, maxLength: 8 });
  const property = fc.asyncProperty(spec.arbitrary(world.fx, PLACEHOLDER), casedTokenArb, picks, async (generated, token, flips) => {
    const run: PropertyRun = await world.run();
    // The salt is digits: the variant differs from the salted token in the generated letters only.
    const salted = run.token(token);
    const original = await run.request(`[${CASE}] a create with token ${JSON.stringify(salted)}`, run.fresh(generated), salted);
    const variant = caseVariant(salted, flips);
    const other = await run.request(
      `[${CASE}] the same create with ${JSON.stringify(variant)}, which differs in case only`,
      original.input,
      variant,
    );
    expect(other.observed.kind === 'new', () => `The token ${JSON.stringify(variant)} was taken for ${JSON.stringify(salted)}.`);
    await run.finish();
  });
  return withCensus(world, () =>
    runProperty(
      ctx,
      CASE,
      spec.operation,
      'random lettered tokens, UUID-shaped ones among them, each with a random case variant, same parameters',
      property,
    ),
  );
}

/**
 * Each run: one create with a random valid token (salted in place: its length
 * kept, so every length from 1 to 64 is tried), which is accepted, or a random
 * invalid one, which is rejected.
 */
export async function formatProperty(ctx: CheckContext, spec: CreateOperationSpec): Promise<Outcome> {
  const world = await PropertyWorld.open(ctx, spec, 'base');
  const tokenCase = fc.oneof(
    validTokenArb.map((token) => ({ token, valid: true })),
    invalidTokenArb.map((token) => ({ token, valid: false })),
  );
  let again = 0;
  const property = fc.asyncProperty(tokenCase, async ({ token: generated, valid }) => {
    const run = await world.run();
    const input = run.fresh(spec.input(world.fx, PLACEHOLDER));
    if (valid) {
      // A token too short for the salt may be bound elsewhere (an earlier run against a long-lived target): a mismatch then
      // shows it was accepted. Bound earlier in this cell, it is sent with the same parameters again (ShortTokens).
      const { token, weak } = saltInPlace(generated, run.nextSalt());
      TokenSalt.of(ctx).noteSent(generated, token);
      const earlier = weak ? ShortTokens.of(ctx).binding(token) : undefined;
      if (earlier) {
        run.adopt(token, earlier);
        again++;
      }
      const repeated = earlier ? ', again, with its first parameters' : '';
      const label = `[${FORMAT}] a create with the valid token ${JSON.stringify(token)}${repeated}`;
      const sent = await run.request(label, earlier?.input ?? input, token, weak);
      if (weak && sent.observed.kind === 'new' && sent.resource)
        ShortTokens.of(ctx).bound(token, { input: sent.input, key: identityKey(spec.resource, sent.resource), at: sent.at });
    } else {
      const token = generated;
      ctx.step(`[${FORMAT}] a create with the invalid token ${JSON.stringify(token)}`);
      const result = await sendCreate(ctx, spec.operation, input, token);
      expect(
        !result.ok && result.error.name === 'ValidationException',
        () =>
          `The invalid token ${JSON.stringify(token)} (${token.length} characters) was to be rejected with ValidationException; ` +
          `it answered ${answerText(spec.resource, result)}.`,
      );
    }
    await run.finish();
  });
  const outcome = await withCensus(world, () =>
    runProperty(ctx, FORMAT, spec.operation, 'random valid tokens accepted, random invalid ones rejected', property),
  );
  if (outcome.verdict !== 'pass' || again === 0) return outcome;
  return {
    ...outcome,
    reason: `${outcome.reason} Short tokens drawn again, each sent with the parameters it was first bound with: ${again}.`,
  };
}
