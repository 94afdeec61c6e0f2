// Scenarios of the client-token category that only tokens have: expiry,
// retry after delete, the token's format, the SDK's default token.
import type { CheckContext } from '../../harness/run/context.ts';
import { formatInstant } from '../../harness/run/expiry-state.ts';
import type { CellPhase, KeptResource } from '../../harness/run/expiry-state.ts';
import { describeRef } from '../../harness/safety/ownership.ts';
import type { Outcome } from '../../harness/types.ts';
import { InconclusiveCheck, SkipCheck } from '../../harness/types.ts';
import { attempt } from '../../specs/commands.ts';
import type { CallResult } from '../../specs/commands.ts';
import { RESOURCES } from '../../specs/resources.ts';
import { TOKEN_LIFETIME_MS } from '../../specs/rules.ts';
import type { CreateOperationSpec, Input, Resource, ResourceSpec } from '../../specs/types.ts';
import { canonical, describe, fingerprint, identityKey, normalize, sameIdentity, sameName } from '../lib/compare.ts';
import { TokenModel, allows, explain, explainAll } from '../lib/contract-model.ts';
import { answerText, classify, created, freshToken, isMismatch, sendCreate } from '../lib/create.ts';
import { expectOneCreated } from '../lib/expectations.ts';
import { carried, observe } from '../lib/observe.ts';
import { Timeline } from '../lib/timeline.ts';
import { ShortTokens, TOKEN_PATTERN } from '../lib/tokens.ts';
import { expect, pass } from '../lib/verdict.ts';
import { keptBy, remove, specEnv, track } from '../lib/world.ts';
import { settle } from '../../specs/prerequisites.ts';
import { open, original } from './start.ts';

const EXPIRY = 'client-token/expiry';
const AFTER_DELETE = 'client-token/retry-after-delete';
const FORMAT = 'client-token/format';
const SDK_DEFAULT = 'client-token/sdk-default';

/** Why expiry is skipped on a target without the clock, run without --phase. */
export const NO_CLOCK_ADVICE =
  "the target lacks the 'clock' capability (emulator hooks): no clock control: run --phase record, then --phase verify at least 8 " +
  'hours later (docs/expiry.md)';

/**
 * Retries 1 s before the 8-hour mark (the original), then at the mark (a new
 * resource); 10 s and 60 s before it when the requests took too long. Without the clock: one half of a two-phase run (--phase record,
 * then --phase verify 8 h later), or skipped with that advice.
 */
export async function expiry(ctx: CheckContext, spec: CreateOperationSpec): Promise<Outcome> {
  if (ctx.phase?.kind === 'record') return expiryRecord(ctx, spec, ctx.phase);
  if (ctx.phase?.kind === 'verify') return expiryVerify(ctx, spec, ctx.phase);
  if (!ctx.capabilities.has('clock')) throw new SkipCheck(NO_CLOCK_ADVICE);
  ctx.require('clock', 'move the virtual clock eight hours');
  // A retry 1 s from the mark needs the requests from the original to it to
  // take less than that; against a slow target or on a loaded machine they
  // may not: the case is tried again with a fresh token and a wider margin.
  for (let attempt = 1; ; attempt++) {
    try {
      return await expiryAroundTheMark(ctx, spec, EXPIRY_MARGINS_MS[attempt - 1]!);
    } catch (error) {
      if (!(error instanceof TooSlow) || attempt === EXPIRY_MARGINS_MS.length) throw error;
      ctx.step(
        `[${EXPIRY}] ${error.reason}: again with a fresh token, ${EXPIRY_MARGINS_MS[attempt]! / 1000} s from the ` +
          `mark (${attempt + 1} of ${EXPIRY_MARGINS_MS.length})`,
      );
    }
  }
}

/**
 * How far before the 8-hour mark the first retry is placed, try by try,
 * before the case's timing is called inconclusive: each is far from the
 * hour a fault moves the mark by, and from 8 hours.
 */
const EXPIRY_MARGINS_MS = [1_000, 10_000, 60_000] as const;

/** The requests around the 8-hour mark took too long to tell which side of it they fell on. */
class TooSlow extends InconclusiveCheck {}

async function expiryAroundTheMark(ctx: CheckContext, spec: CreateOperationSpec, marginMs: number): Promise<Outcome> {
  // 'alternatives': the property that follows in the same cell builds on the same prerequisites.
  const opening = await open(ctx, spec, 'alternatives');
  const token = opening.token!;
  const timeline = new Timeline(ctx);
  const model = new TokenModel();
  const print = fingerprint(opening.input);
  const sent = await timeline.timed(() => original(ctx, spec, opening, EXPIRY));
  const first = sent.value;
  model.created(token, print, sent.at, identityKey(spec.resource, first));
  const known = new Set([identityKey(spec.resource, first)]);

  const retryAt = async (advanceMs: number, label: string): Promise<CallResult> => {
    await timeline.advance(advanceMs);
    ctx.step(`[${EXPIRY}] retry with the same token and parameters ${label}`);
    const { value: result, at } = await timeline.timed(() => sendCreate(ctx, spec.operation, opening.input, token));
    const predicted = model.predict(token, print, at);
    if (predicted.length > 1)
      throw new TooSlow(`the retry ${label} could not be placed on one side of the 8-hour mark (the requests took too long)`);
    const observed = classify(spec.resource, result, model.keyOf(token), { live: known, deleted: new Set() });
    expect(allows(predicted, observed), () => `A retry ${label} was to return ${explainAll(predicted)}; it returned ${explain(observed)}.`);
    return result;
  };

  const margin = `${marginMs / 1000} s`;
  await retryAt(TOKEN_LIFETIME_MS - marginMs, `8 h - ${margin} after the original`);
  const before = await observe(ctx, spec.resource, opening.scope, first);
  const late = await retryAt(marginMs, `8 h after the original (and ${margin} after the previous retry)`);
  const fresh = created(ctx, spec.resource, late, 'The retry at 8 h');
  const after = await observe(ctx, spec.resource, opening.scope, first);
  await expectOneCreated(ctx, spec.resource, before, after, fresh, 'The retry at 8 h');
  expect(after.resource !== undefined, () => `The original ${describe(spec.resource, first)} disappeared when its token expired.`);
  return pass(
    `A retry 8 h - ${margin} after the original returned it; a retry at 8 h (${margin} after that retry) ` +
      `created ${describe(spec.resource, fresh)}: expiry counts from the original request.`,
  );
}

/** A resource as JSON (Dates as ISO strings), as the state file keeps it. */
function asJson(value: unknown): Record<string, unknown> {
  return normalize(value) as Record<string, unknown>;
}

function keptResource(spec: ResourceSpec, resource: Resource): KeptResource {
  const arn = resource['arn'];
  if (typeof arn !== 'string')
    throw new InconclusiveCheck(`${describeRef(spec, resource)} was described without an arn: it cannot be kept for --phase verify`);
  return { kind: spec.kind, arn, label: describeRef(spec, resource), resource: asJson(resource) };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * --phase record: prerequisites, the original with a fresh token, and a
 * retry right away (before 8 h: the original). Nothing is deleted: the state
 * file keeps the token, the exact input, the request times and what to
 * remove; --phase verify, 8 h later, does the rest. A passing record is
 * `inconclusive`: the rule is not judged until verify.
 */
async function expiryRecord(ctx: CheckContext, spec: CreateOperationSpec, phase: Extract<CellPhase, { kind: 'record' }>): Promise<Outcome> {
  const opening = await open(ctx, spec, 'base');
  const token = opening.token!;
  // The retry in 8 h sends these very parameters again, in their order: they must survive JSON.
  const input = JSON.parse(JSON.stringify(opening.input)) as Record<string, unknown>;
  if (canonical(input) !== canonical(opening.input))
    throw new Error(`the input of ${spec.operation} does not survive JSON: it cannot be kept for --phase verify`);
  const timeline = new Timeline(ctx);
  const model = new TokenModel();
  const print = fingerprint(opening.input);
  const sent = await timeline.timed(() => original(ctx, spec, opening, EXPIRY));
  const first = sent.value;
  const key = identityKey(spec.resource, first);
  model.created(token, print, sent.at, key);
  ctx.step(`[${EXPIRY}] retry right away with the same token and parameters (before 8 h: the original)`);
  const { value: result, at } = await timeline.timed(() => sendCreate(ctx, spec.operation, opening.input, token));
  const predicted = model.predict(token, print, at);
  const observed = classify(spec.resource, result, model.keyOf(token), { live: new Set([key]), deleted: new Set() });
  const extra = result.ok && observed.kind !== 'original' ? carried(spec.resource, result.output) : undefined;
  // A resource the retry should not have made: kept with the rest, so that verify removes it.
  if (extra) track(ctx, spec.resource, extra);
  const originalArn = first['arn'];
  if (typeof originalArn !== 'string')
    throw new InconclusiveCheck(`the original ${describe(spec.resource, first)} was described without an arn`);
  phase.keep({
    operation: spec.operation,
    token,
    input,
    original: { startedAt: iso(sent.at.start), endedAt: iso(sent.at.end), identityKey: key, arn: originalArn, resource: asJson(first) },
    retry: { startedAt: iso(at.start), endedAt: iso(at.end), returnedOriginal: observed.kind === 'original', answer: explain(observed) },
    cleanup: keptBy(ctx).map(({ spec: kind, resource }) => keptResource(kind, resource)),
  });
  expect(
    allows(predicted, observed),
    () => `A retry right away (before 8 h) was to return ${explainAll(predicted)}; it returned ${explain(observed)}.`,
  );
  const due = formatInstant(sent.at.end + TOKEN_LIFETIME_MS);
  throw new InconclusiveCheck(
    `recorded for --phase verify: the original ${describe(spec.resource, first)} and a retry right away that returned it; the ` +
      `retry after 8 h (a new resource) is judged by --phase verify, not before ${due}`,
  );
}

/**
 * --phase verify: the original (still there) retried with the same token and
 * input 8 h or more after the original request: a new resource, judged by the
 * token model from the recorded request times; then everything the state
 * names is removed, with what the retry created.
 */
async function expiryVerify(ctx: CheckContext, spec: CreateOperationSpec, phase: Extract<CellPhase, { kind: 'verify' }>): Promise<Outcome> {
  const entry = phase.entry;
  if (!entry) throw new SkipCheck(`the state file holds no original request of ${spec.operation}`);
  // Registered first, so they run last (cleanups run last registered first): last created removed first.
  for (const item of entry.cleanup) {
    const kind = RESOURCES[item.kind as keyof typeof RESOURCES];
    ctx.onCleanup(() => remove(ctx, kind, item.resource as Resource));
  }
  const input = entry.input as Input;
  const token = entry.token;
  const first = entry.original.resource as Resource;
  const key = identityKey(spec.resource, first);
  if (key !== entry.original.identityKey) {
    throw new InconclusiveCheck(
      `the state file's original.identityKey (${entry.original.identityKey}) is not that of its original.resource (${key}): ` +
        'edited since --phase record?',
    );
  }
  const model = new TokenModel();
  const print = fingerprint(input);
  const issued = { start: Date.parse(entry.original.startedAt), end: Date.parse(entry.original.endedAt) };
  model.created(token, print, issued, key);
  const recordedBy = `run ${phase.state.runId}, ${entry.original.startedAt} to ${entry.original.endedAt}`;
  ctx.step(`[${EXPIRY}] the original ${describe(spec.resource, first)} (${recordedBy}) is still there`);
  const scope = spec.ref(input);
  const before = await observe(ctx, spec.resource, scope, first);
  if (before.resource === undefined || identityKey(spec.resource, before.resource) !== key) {
    const what = before.resource === undefined ? 'is gone' : `was replaced (${identityKey(spec.resource, before.resource)})`;
    throw new InconclusiveCheck(
      `the original ${describe(spec.resource, first)} ${what} since --phase record: a new resource on the retry would not tell ` +
        'expiry from a retry after a delete',
    );
  }
  const timeline = new Timeline(ctx);
  const hours = ((timeline.now() - issued.end) / 3_600_000).toFixed(2);
  ctx.step(`[${EXPIRY}] retry with the same token and the same parameters, ${hours} h after the original request ended`);
  const { value: late, at } = await timeline.timed(() => sendCreate(ctx, spec.operation, input, token));
  const predicted = model.predict(token, print, at);
  if (predicted.length !== 1 || predicted[0]!.kind !== 'new') {
    throw new InconclusiveCheck(`the retry was sent less than 8 h after the original request (${recordedBy}): it cannot judge expiry`);
  }
  const observed = classify(spec.resource, late, model.keyOf(token), { live: new Set([key]), deleted: new Set() });
  expect(
    allows(predicted, observed),
    () =>
      `A retry ${hours} h after the original request (${recordedBy}), its token expired, was to return ${explainAll(predicted)}; ` +
      `it returned ${explain(observed)}.`,
  );
  const fresh = created(ctx, spec.resource, late, `The retry ${hours} h after the original`);
  // track() leaves a target with `reset` alone; what verify made goes in any case.
  if (ctx.capabilities.has('reset')) ctx.onCleanup(() => remove(ctx, spec.resource, fresh));
  const after = await observe(ctx, spec.resource, scope, first);
  await expectOneCreated(ctx, spec.resource, before, after, fresh, `The retry ${hours} h after the original`);
  expect(after.resource !== undefined, () => `The original ${describe(spec.resource, first)} disappeared when its token expired.`);
  const earlier = entry.retry.returnedOriginal
    ? 'a retry right away had returned the original (recorded)'
    : `the retry right away had not returned the original (${entry.retry.answer}: the record phase failed it)`;
  return pass(
    `A retry ${hours} h after the original request (${recordedBy}) created ${describe(spec.resource, fresh)}; the ` +
      `original ${describe(spec.resource, first)} is still there; ${earlier}.`,
  );
}

/**
 * Create, delete the original, retry: a new resource. "New" is decided from
 * evidence, not from a new name: the original was gone (Get), the retry
 * succeeded, and Get and List then show the resource it names, which is not
 * the deleted one (another identity, or the same numbers with a later
 * creation time: a target may number a re-created version as the deleted one).
 */
export async function retryAfterDelete(ctx: CheckContext, spec: CreateOperationSpec): Promise<Outcome> {
  const opening = await open(ctx, spec, 'base');
  const first = await settle(specEnv(ctx), spec.resource, await original(ctx, spec, opening, AFTER_DELETE));
  ctx.step(`[${AFTER_DELETE}] delete the original ${describe(spec.resource, first)}`);
  const removal = await attempt(ctx.client, spec.resource.remove.operation, spec.resource.remove.input(first), ctx.signal);
  if (!removal.ok) throw new InconclusiveCheck(`the original could not be deleted (${answerText(spec.resource, removal)})`);
  const before = await observe(ctx, spec.resource, opening.scope, first);
  if (before.resource !== undefined) throw new InconclusiveCheck(`the original was still there after its delete succeeded`);
  ctx.step(`[${AFTER_DELETE}] retry with the same token and the same parameters`);
  const retry = await sendCreate(ctx, spec.operation, opening.input, opening.token);
  expect(
    retry.ok,
    () => `The retry after the original was deleted was to create a new resource; it answered ${answerText(spec.resource, retry)}.`,
  );
  const fresh = carried(spec.resource, retry.output);
  expect(fresh !== undefined, () => `The retry after the delete succeeded without a resource in its response.`);
  track(ctx, spec.resource, fresh);
  const created = spec.resource.created;
  expect(
    !sameIdentity(spec.resource, fresh, first),
    () =>
      `The retry after the delete returned the deleted original ${describe(spec.resource, first)} ` +
      `(same ${created}, ${String(normalize(first[created]))}).`,
  );
  const after = await observe(ctx, spec.resource, opening.scope, fresh);
  expect(
    after.resource !== undefined,
    () => `The retry after the delete named ${describe(spec.resource, fresh)}, but Get does not find it: nothing was created.`,
  );
  await expectOneCreated(ctx, spec.resource, before, after, fresh, 'The retry after the delete');
  const how = sameName(spec.resource, fresh, first)
    ? `${describe(spec.resource, fresh)} again, a new resource (${created} ${String(normalize(fresh[created]))}, the deleted ` +
      `one's ${String(normalize(first[created]))})`
    : describe(spec.resource, fresh);
  return pass(`After ${describe(spec.resource, first)} was deleted (Get found nothing), the retry created ${how}; Get and List show it.`);
}

/** A 64-character valid token: a UUID and 28 more printable characters, the edges of the range among them. */
function longToken(): string {
  return `${freshToken()}!~${'Zz09'.repeat(6)}#$`;
}

/** The edges: 1 and 64 characters accepted; 65, a space, a non-ASCII letter rejected. */
export async function formatEdges(ctx: CheckContext, spec: CreateOperationSpec): Promise<Outcome> {
  const opening = await open(ctx, spec, 'base');
  const accepted = ['~', longToken()];
  const rejected = [`${longToken()}x`, `with space ${freshToken().slice(0, 8)}`, `caf\u00e9-${freshToken().slice(0, 8)}`];
  let notes = '';
  for (const token of accepted) {
    ctx.step(`[${FORMAT}] a token of ${token.length} printable ASCII characters is accepted`);
    const start = Date.now();
    const result = await sendCreate(ctx, spec.operation, opening.input, token);
    const at = { start, end: Date.now() };
    // A one-character token cannot be unique to this run: another cell, or an
    // earlier run against this target, may have bound it to another request.
    // The mismatch then shows the token was taken as a token.
    if (token.length === 1 && isMismatch(result)) {
      notes =
        ` (${JSON.stringify(token)} was already bound on this target to another request: its mismatch answer shows it was accepted ` +
        'as a token)';
      continue;
    }
    expect(
      result.ok,
      () => `The valid token ${JSON.stringify(token)} (${token.length} characters) was refused: ${answerText(spec.resource, result)}.`,
    );
    const resource = created(ctx, spec.resource, result, `The request with token ${JSON.stringify(token)}`);
    // The property of this cell may draw the same one character: it then retries this request (ShortTokens).
    if (token.length === 1) ShortTokens.of(ctx).bound(token, { input: opening.input, key: identityKey(spec.resource, resource), at });
  }
  for (const token of rejected) {
    ctx.step(`[${FORMAT}] the token ${JSON.stringify(token)} is rejected`);
    const result = await sendCreate(ctx, spec.operation, opening.input, token);
    expect(
      !result.ok && result.error.name === 'ValidationException',
      () =>
        `The invalid token ${JSON.stringify(token)} (${TOKEN_PATTERN.test(token) ? 'valid characters, ' : ''}${token.length} ` +
        `characters) was to be rejected with ValidationException; it answered ${answerText(spec.resource, result)}.`,
    );
  }
  return pass(
    'Tokens of 1 and 64 printable ASCII characters were accepted; 65 characters, a space and a non-ASCII letter were rejected ' +
      `with ValidationException.${notes}`,
  );
}

/** A serialized request body as text (the SDK hands over a string or bytes). */
function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return undefined;
}

/** Without a token, through a client whose first response is lost: the SDK's retry reuses its token; one resource. */
export async function sdkDefault(ctx: CheckContext, spec: CreateOperationSpec): Promise<Outcome> {
  const opening = await open(ctx, spec, 'base');
  const client = ctx.newClient({ loseResponses: 1 });
  const tokens: unknown[] = [];
  // Inside the retry loop: sees every attempt's serialized body.
  client.middlewareStack.add(
    (next) => async (args) => {
      const text = bodyText((args.request as { body?: unknown }).body);
      if (text !== undefined) tokens.push((JSON.parse(text) as { clientToken?: unknown }).clientToken);
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'conformanceTokenProbe' },
  );
  const before = await observe(ctx, spec.resource, opening.scope);
  ctx.step(`[${SDK_DEFAULT}] ${spec.operation} without a token, the first response lost on the wire`);
  const result = await sendCreate(ctx, spec.operation, opening.input, undefined, client);
  if (tokens.length < 2) {
    throw new InconclusiveCheck(
      `the SDK made ${tokens.length} attempt(s): no lost response was retried (${answerText(spec.resource, result)})`,
    );
  }
  const first = tokens[0];
  expect(
    typeof first === 'string' && TOKEN_PATTERN.test(first),
    () => `The SDK sent ${JSON.stringify(first)} as the token: not 1 to 64 printable ASCII characters.`,
  );
  expect(
    tokens.every((token) => token === first),
    () => `The SDK's attempts carried different tokens: ${tokens.map((t) => JSON.stringify(t)).join(', ')}.`,
  );
  const resource: Resource = created(ctx, spec.resource, result, `The call without a token (after the SDK's retry)`);
  const after = await observe(ctx, spec.resource, opening.scope, resource);
  await expectOneCreated(ctx, spec.resource, before, after, resource, `The call whose first response was lost`);
  return pass(
    `The SDK supplied token ${JSON.stringify(first)} and reused it on all ${tokens.length} attempts; exactly one ` +
      `resource (${describe(spec.resource, resource)}) exists.`,
  );
}
