// Scenarios both create categories share, with a token where the operation
// has one: the identical retry, the retry with different parameters, and
// identical requests sent at once.
import type { CheckContext } from '../../harness/run/context.ts';
import type { Outcome } from '../../harness/types.ts';
import type { CreateOperationSpec, Resource } from '../../specs/types.ts';
import { canonical, describe, identityKey } from '../lib/compare.ts';
import { answerText, baseInput, freshToken, refusesDuplicate, sendCreate } from '../lib/create.ts';
import { provenOnce } from '../lib/interleaving.ts';
import type { CallResult } from '../../specs/commands.ts';
import {
  change,
  changeLabel,
  expectMismatch,
  expectNothingCreated,
  expectOneCreated,
  expectOriginal,
  expectUnchanged,
} from '../lib/expectations.ts';
import { settledPair } from '../lib/evidence.ts';
import { carried, listDelta, observe } from '../lib/observe.ts';
import type { Observation } from '../lib/observe.ts';
import { expect, pass } from '../lib/verdict.ts';
import { open, original } from './start.ts';
import type { Opening } from './start.ts';
import { settle } from '../../specs/prerequisites.ts';
import { setDurations, specEnv, track } from '../lib/world.ts';

/** How many identical requests the concurrency scenarios send at once. */
export const CONCURRENT_REQUESTS = 8;

const sameRequest = (spec: CreateOperationSpec): string =>
  spec.token ? 'the same token and the same parameters' : 'the same name and the same parameters';

/**
 * How long the resource's own transition is made (durations hook) so that a retry sees it in progress:
 * virtual with the clock, real without.
 */
const PROGRESS_MS = { virtual: 5_000, real: 1_000 };

/**
 * Makes the resource's own transition (e.g. registration, deployment) last,
 * so that the original answers in progress and a later retry meets a status
 * that progressed; resolves with a function that makes it instant again.
 */
async function lengthenTransition(ctx: CheckContext, spec: CreateOperationSpec): Promise<() => Promise<void>> {
  const hook = spec.resource.ready?.durationHook;
  if (hook === undefined || !ctx.hooks || !ctx.capabilities.has('durations')) return async () => undefined;
  await ctx.hooks.setDurations({ [hook]: ctx.capabilities.has('clock') ? PROGRESS_MS.virtual : PROGRESS_MS.real });
  return async () => {
    await setDurations(ctx);
  };
}

/** client-token/same-token-same-params, idempotent-create/unmodified-retry. */
export async function identicalRetry(ctx: CheckContext, spec: CreateOperationSpec, rule: string): Promise<Outcome> {
  // 'alternatives': the property that follows in the same cell builds on the same prerequisites.
  const opening = await open(ctx, spec, 'alternatives');
  const restore = await lengthenTransition(ctx, spec);
  try {
    const first = await original(ctx, spec, opening, rule);
    const before = await observe(ctx, spec.resource, opening.scope, first);
    ctx.step(`[${rule}] retry with ${sameRequest(spec)}`);
    const retry = await sendCreate(ctx, spec.operation, opening.input, opening.token);
    expectOriginal(spec.resource, retry, first, 'The identical retry');
    const after = await observe(ctx, spec.resource, opening.scope, first);
    await expectNothingCreated(ctx, spec.resource, before, after, 'The identical retry');
    const progressed = await retryOnceSettled(ctx, spec, opening, first, rule);
    return pass(
      `The identical retry returned the original ${describe(spec.resource, first)}; ${spec.resource.list.operation} still ` +
        `lists ${after.listed.size}.${progressed}`,
    );
  } finally {
    await restore();
  }
}

/**
 * "The result might contain updated information, such as the current creation
 * status": once the resource has settled (its status progressed), an identical
 * retry still returns the original and creates nothing.
 */
async function retryOnceSettled(
  ctx: CheckContext,
  spec: CreateOperationSpec,
  opening: Opening,
  first: Resource,
  rule: string,
): Promise<string> {
  const ready = spec.resource.ready;
  if (!ready) return '';
  const settled = await settle(specEnv(ctx), spec.resource, first);
  const before = await observe(ctx, spec.resource, opening.scope, first);
  const status = `${ready.field} ${String(settled[ready.field])}`;
  ctx.step(`[${rule}] retry with ${sameRequest(spec)} once the resource has settled (${status})`);
  const retry = await sendCreate(ctx, spec.operation, opening.input, opening.token);
  expectOriginal(
    spec.resource,
    retry,
    first,
    `The identical retry once the resource had settled (${status}; the original answered ${ready.field} ${String(first[ready.field])})`,
  );
  const after = await observe(ctx, spec.resource, opening.scope, first);
  await expectNothingCreated(ctx, spec.resource, before, after, 'The identical retry once the resource had settled');
  return (
    ` Once it had settled (the original answered ${ready.field} ${String(first[ready.field])}, Get ` +
    `then ${String(settled[ready.field])}), another identical retry returned it too.`
  );
}

/** client-token/same-token-different-params, idempotent-create/different-params: each parameter, then all at once. */
export async function differentParameters(ctx: CheckContext, spec: CreateOperationSpec, rule: string): Promise<Outcome> {
  const opening = await open(ctx, spec, 'alternatives');
  const first = await original(ctx, spec, opening, rule);
  const variants = [
    ...spec.parameters.map((parameter) => [parameter] as const),
    ...(spec.parameters.length > 1 ? [spec.parameters] : []),
  ].map((parameters) => ({
    label: changeLabel(opening.input, parameters, opening.fx),
    input: change(opening.fx, opening.input, parameters),
  }));
  // A changed parameter can point elsewhere (another template): nothing may appear there either.
  const scopes = new Map<string, Resource>();
  for (const ref of [opening.scope, ...variants.map((variant) => spec.ref(variant.input))]) scopes.set(canonical(ref), ref);
  const observeAll = (): Promise<Observation[]> =>
    Promise.all([...scopes.values()].map((scope, index) => observe(ctx, spec.resource, scope, index === 0 ? first : undefined)));
  const before = await observeAll();
  for (const variant of variants) {
    ctx.step(`[${rule}] retry with ${spec.token ? 'the same token' : 'the same name'} and ${variant.label}`);
    const result = await sendCreate(ctx, spec.operation, variant.input, opening.token);
    expectMismatch(spec.resource, result, `The retry with ${variant.label}`);
  }
  const after = await observeAll();
  for (const [index, observation] of before.entries())
    await expectNothingCreated(ctx, spec.resource, observation, after[index]!, 'A retry with different parameters');
  expectUnchanged(spec.resource, before[0]!.resource, after[0]!.resource, 'A retry with different parameters');
  return pass(
    `${variants.length} retries with different parameters (${spec.parameters.map((p) => p.name).join(', ')}, one at a time, then all) ` +
      'each failed with ValidationException naming the idempotent parameter mismatch; nothing was created ' +
      `and ${describe(spec.resource, first)} is unchanged.`,
  );
}

/**
 * client-token/concurrent-retries, idempotent-create/concurrent-retries: exactly
 * one resource, and every successful response names it. The others may be
 * refused, with any error but a ValidationException (create.ts
 * refusesDuplicate): a throttled or conflicting duplicate is conforming, noted.
 * The requests go through a wire proxy that holds them until all have come and
 * forwards them at once, and its history must show two of them at the target
 * together (specs/wire.ts `requests-at-once`); an attempt where it does not is
 * run again, fresh (suites/lib/interleaving.ts), and never passes by luck.
 */
export async function concurrentRequests(ctx: CheckContext, spec: CreateOperationSpec, rule: string): Promise<Outcome> {
  const opening = await open(ctx, spec, 'base');
  let reason = '';
  const proven = await provenOnce(ctx, 'requests-at-once', `${CONCURRENT_REQUESTS} identical requests`, async (attempt) => {
    const fresh = attempt === 1 ? opening : reopen(ctx, spec, opening);
    const link = await ctx.throughProxy('none', undefined, { together: CONCURRENT_REQUESTS });
    const client = link.client({ label: `client (attempt ${attempt})` });
    reason = await concurrentAttempt(ctx, spec, rule, fresh, (input, token) => sendCreate(ctx, spec.operation, input, token, client));
    return link;
  });
  return pass(`${reason}${proven.note}`);
}

/** The same prerequisites, a fresh name and token. */
function reopen(ctx: CheckContext, spec: CreateOperationSpec, opening: Opening): Opening {
  const input = baseInput(ctx, spec, opening.fx, ctx.uniqueName(spec.operation.replace(/^Create/, '').toLowerCase()));
  return { fx: opening.fx, input, scope: spec.ref(input), token: spec.token ? freshToken() : undefined };
}

/** One attempt of concurrentRequests: sends and judges (a Violation on a failure); the reason of its pass. */
async function concurrentAttempt(
  ctx: CheckContext,
  spec: CreateOperationSpec,
  rule: string,
  opening: Opening,
  send: (input: Opening['input'], token: string | undefined) => Promise<CallResult>,
): Promise<string> {
  const before = await observe(ctx, spec.resource, opening.scope);
  ctx.step(`[${rule}] send ${CONCURRENT_REQUESTS} identical requests at once (${sameRequest(spec)})`);
  const results = await Promise.all(Array.from({ length: CONCURRENT_REQUESTS }, () => send(opening.input, opening.token)));
  const named = new Map<string, Resource>();
  const errors = new Map<string, number>();
  for (const result of results) {
    if (result.ok) {
      const resource = carried(spec.resource, result.output);
      expect(resource !== undefined, () => `A successful response carried no ${spec.resource.member}.`);
      named.set(identityKey(spec.resource, resource), resource);
    } else {
      errors.set(result.error.name, (errors.get(result.error.name) ?? 0) + 1);
    }
  }
  const invalid = results.find((result) => !result.ok && !refusesDuplicate(result));
  // Whatever was created is removed after the check (targets without reset).
  for (const resource of named.values()) track(ctx, spec.resource, resource);
  expect(
    named.size <= 1,
    () => `The successful responses named ${named.size} different resources: ${[...named.keys()].slice(0, 3).join(', ')}.`,
  );
  expect(
    named.size === 0 || invalid === undefined,
    () =>
      `One of the identical requests answered ${answerText(spec.resource, invalid!)}, while an identical one succeeded: a valid ` +
      'request refused as invalid.',
  );
  const errorText = [...errors].map(([name, count]) => `${name} x${count}`).join(', ');
  const refused = errors.size === 0 ? '' : `; the others answered ${errorText} (allowed: an identical request may be refused)`;
  const after = await observe(ctx, spec.resource, opening.scope);
  const [resource] = named.values();
  if (resource === undefined) {
    // None succeeded: the contract still asks for exactly one resource.
    const settled = await settledPair(ctx, spec.resource, before, after);
    const { added } = listDelta(settled.before, settled.after);
    for (const key of added) track(ctx, spec.resource, settled.after.items.get(key)!);
    expect(
      added.length === 1,
      () =>
        `None of the ${CONCURRENT_REQUESTS} identical requests succeeded (${errorText}), and ${spec.resource.list.operation} ` +
        `shows ${added.length} new resources, not exactly one.`,
    );
    return (
      `${CONCURRENT_REQUESTS} identical requests at once: none succeeded (${errorText}), yet exactly one resource was ` +
      `created (${added[0]}).`
    );
  }
  await expectOneCreated(ctx, spec.resource, before, after, resource, `${CONCURRENT_REQUESTS} identical requests`);
  const successes = results.filter((result) => result.ok).length;
  return (
    `${CONCURRENT_REQUESTS} identical requests at once: ${successes} succeeded, all ` +
    `naming ${describe(spec.resource, resource)}${refused}; exactly one resource was created.`
  );
}
