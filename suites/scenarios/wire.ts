// The wire rules (CONTRACT.md "Wire faults"), checked through the wire proxy
// (harness/wire/proxy.ts) for every create and delete: each case sends one logical
// request (a fresh token or name; a delete of a fresh resource) through a
// proxy of its own whose schedule faults the request's first delivery, lets
// a client retry (the SDK's own strategy, the check's explicit retry of the
// same input, or the harness's resend of the same bytes), and judges the
// whole history (suites/lib/wire.ts): what the client finally saw, every
// answer the target gave the proxy, and what List and Get show after.
import type { ProtonClient } from '@aws-sdk/client-proton';
import type { CheckContext, ClientOptions, WireLink } from '../../harness/run/context.ts';
import type { Outcome } from '../../harness/types.ts';
import { InconclusiveCheck } from '../../harness/types.ts';
import { attempt } from '../../specs/commands.ts';
import type { CallResult } from '../../specs/commands.ts';
import { DUPLICATE_FAULTS, FAULT_INTERLEAVING, LOST_RESPONSE_FAULTS, SERVER_ERROR_FAULTS } from '../../specs/wire.ts';
import type { WireFaultKind } from '../../specs/wire.ts';
import type { CreateOperationSpec, DeleteOperationSpec, Fixture, Input, OperationSpec, Resource, ResourceSpec } from '../../specs/types.ts';
import { describe, identityKey } from '../lib/compare.ts';
import { baseInput, createToDelete, freshToken, withToken } from '../lib/create.ts';
import { settledPair } from '../lib/evidence.ts';
import { lateRetries, LATE_RETRY_TEXT } from '../lib/late-retry.ts';
import type { LateCase, LateRetry } from '../lib/late-retry.ts';
import { carried, listDelta, read } from '../lib/observe.ts';
import { proveCase, untilProven } from '../lib/interleaving.ts';
import { expect, pass } from '../lib/verdict.ts';
import { clientAnswer, judgeCreate, judgeDelete, listed, namedBy, targetAnswers } from '../lib/wire.ts';
import type { HistoryAnswer } from '../lib/wire.ts';
import { prepare, track } from '../lib/world.ts';
import type { TransitionName } from '../../specs/transitions.ts';

export const LOST_RESPONSE = 'wire/lost-response-retry';
export const DUPLICATE = 'wire/duplicate-delivery';
export const SERVER_ERROR = 'wire/server-error-retry';
/** The rules whose cases retry again at a client's pace (suites/lib/late-retry.ts). */
const LATE_RULES: ReadonlySet<string> = new Set([LOST_RESPONSE, SERVER_ERROR]);

/**
 * Who retries after the fault: the SDK's own strategy (the harness's resends
 * off; a client-token create without a token carries the SDK's own), the
 * check (the same input, token or name, sent again after a failure), or the
 * harness (the same bytes again, harness/client/weather.ts).
 */
export type RetryMode = 'sdk' | 'explicit' | 'harness';

export interface WireCase {
  fault: WireFaultKind;
  mode: RetryMode;
  /** Whether an answer may refuse the identical request (the overlapping twin). */
  refusals: boolean;
}

const MODE_TEXT: Record<RetryMode, string> = {
  sdk: "the SDK's own retry",
  explicit: 'an explicit retry of the same input',
  harness: 'the same bytes sent again (harness)',
};

export const CASES: Readonly<Record<string, readonly WireCase[]>> = {
  [LOST_RESPONSE]: LOST_RESPONSE_FAULTS.flatMap((fault) =>
    (['sdk', 'explicit'] as const).map((mode) => ({ fault, mode, refusals: false })),
  ),
  [DUPLICATE]: DUPLICATE_FAULTS.map((fault) => ({ fault, mode: 'harness' as const, refusals: fault === 'overlap' })),
  [SERVER_ERROR]: [
    ...SERVER_ERROR_FAULTS.map((fault) => ({ fault, mode: 'harness' as const, refusals: false })),
    { fault: '500-after', mode: 'sdk', refusals: false },
    { fault: 'throttle-after', mode: 'sdk', refusals: false },
  ],
};

/** The SDK's retries through the proxy: its standard strategy, a short fixed backoff (the proxy is local). */
export const SDK_RETRY: ClientOptions = { weather: false, maxAttempts: 3, retryBackoffMs: 2 };

export function clientOptions(mode: RetryMode): ClientOptions {
  if (mode === 'sdk') return SDK_RETRY;
  if (mode === 'explicit') return { weather: false, maxAttempts: 1 };
  return {};
}

/** Whether a failed call may be retried by the check: no answer, a 5xx, a throttle. */
function retryable(result: CallResult): boolean {
  if (result.ok) return false;
  const status = result.error.status;
  return status === undefined || status >= 500 || status === 429 || result.error.name === 'ThrottlingException';
}

/**
 * Under `overlap` the proxy shows the client whichever copy's answer came
 * first, and the copies are identical requests sent at once: a target may
 * refuse one of them (client-token/concurrent-retries and
 * idempotent-create/concurrent-retries allow it), and which one that is
 * depends on timing alone. A refusal the client was shown there (any error but
 * a ValidationException, and not weather) is one of the twins' answers, judged
 * as the target's are; the history must still hold exactly one resource,
 * named by every success.
 */
function twinRefusal(c: WireCase, result: CallResult): boolean {
  return c.refusals && !result.ok && !retryable(result) && result.error.name !== 'ValidationException';
}

/** Retries of the same input a check makes after the answer stayed weather (a busy target may answer 5xx to a retry too). */
const EXPLICIT_RETRIES = 5;

/**
 * Sends once through `client`. In explicit mode, the same input again while
 * the answer is weather. In SDK mode, when the SDK's own attempts all met
 * weather (a busy target's own 5xx on top of the proxy's fault), the same
 * logical request again: the token the SDK chose (read from what the proxy
 * received) or the same name. An answer that is still weather after that is
 * no verdict: the cell is inconclusive.
 */
async function sendWithRetries(
  ctx: CheckContext,
  link: WireLink,
  client: ProtonClient,
  operation: OperationSpec['operation'],
  input: Input,
  mode: RetryMode,
): Promise<CallResult> {
  let result = await attempt(client, operation, input, ctx.signal);
  if (mode === 'harness') return result;
  const again = mode === 'sdk' && retryable(result) ? sameRequest(link, operation, input) : input;
  for (let retry = 1; retryable(result) && retry <= EXPLICIT_RETRIES; retry++) {
    link.note(
      `${mode === 'sdk' ? "after the SDK's own retries, " : ''}explicit retry ${retry}: ${operation} with the same input ` +
        `(same ${'clientToken' in again ? 'token' : 'name'}) after ${result.ok ? '' : result.error.name}`,
    );
    result = await attempt(client, operation, again, ctx.signal);
  }
  if (retryable(result) && !result.ok) {
    throw new InconclusiveCheck(
      `${operation} kept meeting weather (${result.error.name}: ${result.error.message}) after ${EXPLICIT_RETRIES} retries of the ` +
        `same request: the target's transient answers leave this case unjudged (weather is not a verdict)`,
    );
  }
  return result;
}

/** The same logical request as `input`: with the token the SDK chose for it, when the check gave none. */
function sameRequest(link: WireLink, operation: string, input: Input): Input {
  if ('clientToken' in input) return input;
  const token = tokenSent(link, operation);
  return token === undefined ? input : { ...input, clientToken: token };
}

/** A case's late retries: the same logical request through its proxy (now calm), by a client without retries of its own. */
function lateCase(
  ctx: CheckContext,
  c: WireCase,
  link: WireLink,
  operation: OperationSpec['operation'],
  input: Input,
  done: () => Promise<boolean>,
): LateCase {
  const client = link.client({ ...clientOptions('explicit'), label: `client (${c.fault}, ${c.mode}, paced)` });
  return {
    link,
    operation,
    done,
    send: () => sendWithRetries(ctx, link, client, operation, sameRequest(link, operation, input), 'explicit'),
  };
}

/** What a case's late retries got, as the history has it. */
function lateAnswers(spec: ResourceSpec, late: readonly LateRetry[] = []): HistoryAnswer[] {
  return late.map((retry) => clientAnswer(spec, LATE_RETRY_TEXT[retry.kind], retry.result));
}

/** The client token the first delivery of `operation` carried (the SDK's own, when the check gave none). */
function tokenSent(link: WireLink, operation: string): string | undefined {
  const first = link.deliveries.find((delivery) => delivery.operation === operation);
  if (!first) return undefined;
  try {
    const token = (JSON.parse(first.body) as { clientToken?: unknown }).clientToken;
    return typeof token === 'string' ? token : undefined;
  } catch {
    return undefined;
  }
}

function caseLabel(c: WireCase, link: WireLink): string {
  return `fault ${c.fault} (schedule ${link.faults}, seed ${link.seed}), then ${MODE_TEXT[c.mode]}`;
}

/** One create case as it ran: its own proxy (its first delivery faulted) and client, what the client finally got. */
interface CreateRun {
  c: WireCase;
  link: WireLink;
  name: string;
  result: CallResult;
  /** The logical request (its token, when the check gave one). */
  input: Input;
}

/** One create case: a fresh token or name through a proxy of its own faulting its first delivery. */
async function createCase(ctx: CheckContext, spec: CreateOperationSpec, fx: Fixture, c: WireCase, rule: string): Promise<CreateRun> {
  const name = ctx.uniqueName('wire');
  const input = baseInput(ctx, spec, fx, name);
  // The SDK's own retry of a client-token create: no token given, the SDK's own (it must reuse it).
  const token = spec.token && c.mode !== 'sdk' ? freshToken() : undefined;
  const link = await ctx.throughProxy(`${c.fault}@first`);
  ctx.step(
    `[${rule}] ${spec.operation}${token ? ` with token ${token}` : spec.token ? " without a token (the SDK's own)" : ''} through ` +
      `the proxy: ${caseLabel(c, link)}`,
  );
  const request = withToken(input, token);
  const result = await sendWithRetries(
    ctx,
    link,
    link.client({ ...clientOptions(c.mode), label: `client (${c.fault}, ${c.mode})` }),
    spec.operation,
    request,
    c.mode,
  );
  await link.idle();
  proveCase(ctx, c, link, FAULT_INTERLEAVING[c.fault]);
  return { c, link, name, result, input: request };
}

/**
 * The cases of a create, all at once (each its own name or token, its own
 * proxy): then List once. Each case's successes name one resource, which
 * List gained; List gained nothing else (a second resource of one token no
 * success names shows there).
 */
async function createCases(
  ctx: CheckContext,
  spec: CreateOperationSpec,
  fx: Fixture,
  cases: readonly WireCase[],
  rule: string,
): Promise<string[]> {
  const scope = spec.ref(baseInput(ctx, spec, fx, ctx.uniqueName('scope')));
  const before = await listed(ctx, spec.resource, scope);
  const runs = await Promise.all(cases.map((c) => createCase(ctx, spec, fx, c, rule)));
  const lates = LATE_RULES.has(rule)
    ? await lateRetries(
        ctx,
        runs.map((run) => lateCase(ctx, run.c, run.link, spec.operation, run.input, () => createShown(ctx, spec, run.result))),
      )
    : [];
  const answersOf = runs.map((run, index): HistoryAnswer[] => [
    clientAnswer(spec.resource, 'the client (after its retries)', run.result),
    ...lateAnswers(spec.resource, lates[index]),
    ...targetAnswers(spec.resource, spec.operation, run.link.deliveries),
  ]);
  // List is evidence (evidence.ts): settled against what was there and what the successes name.
  const settled = await settledPair(ctx, spec.resource, before, await listed(ctx, spec.resource, scope), {
    added: namedBy(answersOf.flat()),
  });
  const { added } = listDelta(settled.before, settled.after);
  trackAdded(ctx, spec, settled.after.items, added);
  const byName = spec.resource.identity.includes('name');
  const attributed = new Set<string>();
  const failures: string[] = [];
  const done: string[] = [];
  for (const [index, run] of runs.entries()) {
    const answers = answersOf[index]!;
    const named = new Set(answers.flatMap((answer) => (answer.ok && answer.resource ? [identityKey(spec.resource, answer.resource)] : [])));
    // A named resource carries its name; a version or connection is known by what its successes name.
    const mine = added.filter((key) => (byName ? key.includes(`"name":${JSON.stringify(run.name)}`) : named.has(key)));
    for (const key of mine) attributed.add(key);
    run.link.note(`List of the scope gained, for this case: ${mine.join(', ') || 'nothing'}`);
    const verdict = judgeCreate(spec.resource, answers, mine, { mustCreate: true, refusals: run.c.refusals });
    if (!run.result.ok && !twinRefusal(run.c, run.result))
      verdict.problems.unshift(`the client's final answer was to succeed: ${run.result.error.name}: ${run.result.error.message}`);
    if (verdict.problems.length > 0) failures.push(`Under ${caseLabel(run.c, run.link)}: ${verdict.problems.join('; ')}.`);
    else done.push(`${run.c.fault}/${run.c.mode}: ${describe(spec.resource, verdict.resource)}`);
  }
  const stray = added.filter((key) => !attributed.has(key));
  if (stray.length > 0)
    failures.push(
      `List gained ${added.length} resources for ${runs.length} requests (one each): ${stray.length} that no success ` +
        `names: ${stray.slice(0, 3).join(', ')}.`,
    );
  expect(failures.length === 0, () => `${failures.join(' ')}${done.length > 0 ? ` (Cases that held: ${done.join('; ')}.)` : ''}`);
  return done;
}

/** A direct read: whether Get finds the resource the client's answer names. */
async function createShown(ctx: CheckContext, spec: CreateOperationSpec, result: CallResult): Promise<boolean> {
  const named = result.ok ? carried(spec.resource, result.output) : undefined;
  return named !== undefined && (await read(ctx, spec.resource, named)) !== undefined;
}

/** A direct read: whether Get shows the resource gone, or going. */
async function deleteShown(ctx: CheckContext, spec: DeleteOperationSpec, target: Resource): Promise<boolean> {
  const still = await read(ctx, spec.resource, target);
  const facts = spec.resource.asyncDeletion;
  return still === undefined || (facts !== undefined && still[facts.statusField] === facts.inProgress);
}

/** What List gained, tracked for removal after the check (targets without reset). */
function trackAdded(
  ctx: CheckContext,
  spec: CreateOperationSpec,
  listedAfter: ReadonlyMap<string, Resource>,
  added: readonly string[],
): void {
  if (ctx.capabilities.has('reset')) return;
  for (const key of added) {
    const item = listedAfter.get(key);
    if (item) track(ctx, spec.resource, item);
  }
}

/** One delete case as it ran: its own proxy (its first delivery faulted), the resource it deleted, what the client finally got. */
interface DeleteRun {
  c: WireCase;
  link: WireLink;
  target: Resource;
  result: CallResult;
}

/** One delete case: a fresh resource deleted through a proxy of its own faulting the first delivery. */
async function deleteCase(ctx: CheckContext, spec: DeleteOperationSpec, fx: Fixture, c: WireCase, rule: string): Promise<DeleteRun> {
  const target = await createToDelete(ctx, spec, fx, 'wire');
  const link = await ctx.throughProxy(`${c.fault}@first`);
  ctx.step(`[${rule}] ${spec.operation} ${describe(spec.resource, target)} through the proxy: ${caseLabel(c, link)}`);
  const result = await sendWithRetries(
    ctx,
    link,
    link.client({ ...clientOptions(c.mode), label: `client (${c.fault}, ${c.mode})` }),
    spec.operation,
    spec.resource.remove.input(target),
    c.mode,
  );
  await link.idle();
  proveCase(ctx, c, link, FAULT_INTERLEAVING[c.fault]);
  return { c, link, target, result };
}

/** A delete case's verdict, its late retries' answers among the client's: its sibling must stay. */
async function deleteVerdict(
  ctx: CheckContext,
  spec: DeleteOperationSpec,
  { c, link, target, result }: DeleteRun,
  late: readonly LateRetry[] | undefined,
  sibling: Resource,
): Promise<string | { failure: string }> {
  const problems = deleteProblems(
    spec,
    target,
    [clientAnswer(spec.resource, 'the client (after its retries)', result), ...lateAnswers(spec.resource, late)],
    targetAnswers(spec.resource, spec.operation, link.deliveries),
    c.refusals,
  );
  if (!result.ok && !twinRefusal(c, result))
    problems.unshift(`the client's final answer was to succeed: ${result.error.name}: ${result.error.message}`);
  problems.push(...(await afterDelete(ctx, spec, target, sibling, link)));
  return problems.length === 0 ? `${c.fault}/${c.mode}` : { failure: `Under ${caseLabel(c, link)}: ${problems.join('; ')}.` };
}

/**
 * `refusals`: the target's answers may refuse an identical request (concurrent twins), and so may the client's,
 * which is one of them (twinRefusal).
 */
export function deleteProblems(
  spec: DeleteOperationSpec,
  target: Resource,
  clients: HistoryAnswer[],
  targets: HistoryAnswer[],
  refusals: boolean,
): string[] {
  const facts = spec.resource.asyncDeletion;
  const inProgress = facts ? { inProgress: { field: facts.statusField, value: facts.inProgress } } : {};
  return [
    ...judgeDelete(spec.resource, target, clients, { refusals, ...inProgress }),
    ...judgeDelete(spec.resource, target, targets, { refusals, ...inProgress }),
  ];
}

/** After a delete's history: the resource gone (or, for an asynchronous deletion, going) and its sibling there. */
export async function afterDelete(
  ctx: CheckContext,
  spec: DeleteOperationSpec,
  target: Resource,
  sibling: Resource,
  link: WireLink,
): Promise<string[]> {
  const problems: string[] = [];
  const [still, other] = await Promise.all([read(ctx, spec.resource, target), read(ctx, spec.resource, sibling)]);
  const facts = spec.resource.asyncDeletion;
  const going = still !== undefined && facts !== undefined && still[facts.statusField] === facts.inProgress;
  link.note(
    `Get: the deleted resource ${still === undefined ? 'is gone' : going ? `is ${facts!.inProgress}` : 'is still there'}; its ` +
      `sibling ${other === undefined ? 'is gone' : 'is there'}`,
  );
  if (still !== undefined && !going) problems.push(`after the delete succeeded, Get still finds ${describe(spec.resource, still)}`);
  if (other === undefined) problems.push(`the sibling ${describe(spec.resource, sibling)}, never deleted, is gone`);
  return problems;
}

/**
 * wire/lost-response-retry, wire/duplicate-delivery, wire/server-error-retry: every case of the rule on one operation,
 * each until the proxy's history shows its fault's interleaving (specs/wire.ts FAULT_INTERLEAVING), run again fresh
 * where it did not (suites/lib/interleaving.ts: at most INTERLEAVING_ATTEMPTS times, then inconclusive).
 */
export async function wireScenario(ctx: CheckContext, spec: OperationSpec, rule: string): Promise<Outcome> {
  const cases = CASES[rule];
  if (!cases) throw new Error(`no wire cases for ${rule}`);
  const fx = await prepare(ctx, spec, 'base', deletionKept(ctx, spec));
  let first: Outcome | undefined;
  const proven = await untilProven(
    ctx,
    cases,
    (c) => `${c.fault}/${c.mode}`,
    async (some) => {
      const outcome = await wireAttempt(ctx, spec, rule, fx, some);
      first ??= outcome;
    },
  );
  return { ...first!, reason: `${first!.reason}${proven.note}` };
}

/** How long an asynchronous deletion lasts in the wire cases: virtual, when the clock can be moved; else real. */
const DELETION_KEPT_MS = { virtual: 10 * 60_000, real: 5_000 };

/**
 * The durations of a wire cell's prerequisites: every transition instant (setDurations), but an asynchronous deletion
 * lasts, so that the late retries of a delete meet it still in progress. Once it has ended, a delete retry answers the
 * same (an empty success) whether the target kept its record of the original or lost it: a record lost after the
 * original finished (deletion-orphan-evicted-late) shows only while the deletion is in progress.
 */
function deletionKept(ctx: CheckContext, spec: OperationSpec): Partial<Record<TransitionName, number>> {
  const facts = spec.kind === 'delete' ? spec.resource.asyncDeletion : undefined;
  if (facts === undefined || !ctx.capabilities.has('durations')) return {};
  return { [facts.durationHook]: ctx.capabilities.has('clock') ? DELETION_KEPT_MS.virtual : DELETION_KEPT_MS.real };
}

/**
 * For an asynchronous deletion, how many backoff retries met it still in progress (they alone can show a record lost
 * after the original ended; on a target without the durations hook a deletion takes minutes, on one that ends it at
 * once none does): a sentence for the pass, or '' for a synchronous delete.
 */
function metInProgress(spec: DeleteOperationSpec, lates: readonly (readonly LateRetry[])[]): string {
  const facts = spec.resource.asyncDeletion;
  if (facts === undefined || lates.length === 0) return '';
  const backoff = lates.flatMap((late) => late.filter((retry) => retry.kind === 'backoff'));
  const met = backoff.filter(
    (retry) => retry.result.ok && carried(spec.resource, retry.result.output)?.[facts.statusField] === facts.inProgress,
  ).length;
  const gap = met < backoff.length ? ': a deletion that had ended answers the same whether its record was kept or lost' : '';
  return ` ${met} of ${backoff.length} backoff retries met the deletion still ${facts.inProgress}${gap}.`;
}

/** One attempt of `cases` (each its own name, token or resource, its own proxy), judged: a Violation on a failure. */
async function wireAttempt(
  ctx: CheckContext,
  spec: OperationSpec,
  rule: string,
  fx: Fixture,
  cases: readonly WireCase[],
): Promise<Outcome> {
  // The cases run at once (each its own name, token or resource, its own proxy): their waits overlap.
  let done: string[];
  let deleting = '';
  if (spec.kind === 'create') {
    done = await createCases(ctx, spec, fx, cases, rule);
  } else {
    const sibling = await createToDelete(ctx, spec, fx, 'sibling');
    const runs = await Promise.all(cases.map((c) => deleteCase(ctx, spec, fx, c, rule)));
    const lates = LATE_RULES.has(rule)
      ? await lateRetries(
          ctx,
          runs.map((run) =>
            lateCase(ctx, run.c, run.link, spec.operation, spec.resource.remove.input(run.target), () =>
              deleteShown(ctx, spec, run.target),
            ),
          ),
        )
      : [];
    deleting = metInProgress(spec, lates);
    const ran = await Promise.all(runs.map((run, index) => deleteVerdict(ctx, spec, run, lates[index], sibling)));
    done = ran.filter((r): r is string => typeof r === 'string');
    const failures = ran.flatMap((r) => (typeof r === 'string' ? [] : [r.failure]));
    expect(failures.length === 0, () => `${failures.join(' ')}${done.length > 0 ? ` (Cases that held: ${done.join('; ')}.)` : ''}`);
  }
  const what =
    spec.kind === 'create'
      ? 'exactly one resource, named by every success'
      : 'the resource deleted, every success naming it or empty, its sibling untouched';
  const late = LATE_RULES.has(rule) ? `, each retried again once its original's processing had ended and after a backoff` : '';
  return pass(`${cases.length} cases through the wire proxy held${late} (${done.join('; ')}): ${what}.${deleting}`);
}
