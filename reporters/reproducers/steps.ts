// A reproducer as data (issue 21): the steps a failing cell sent, taken from
// its evidence and its hook calls, with the run's names, tokens and the
// target's ids turned into placeholders that a script fills in afresh on each
// execution, and what each step is expected to answer. The emitters
// (node.ts, shell.ts) write the same steps as a script; checks.ts sets the
// rule's expectation on the steps that decide it.
import type { Exchange, HookCall, RuleResult } from '../../harness/types.ts';

/**
 * A JSON value of a step's input, where three kinds of placeholder stand for what changes per execution:
 * a string holding RUN_MARK (the run's id in a name or tag: a fresh id of the same length), `{"$token": n, "like": "..."}`
 * (the n-th token of the case: fresh, of the same length and kinds of character, in the letter case of `like`) and
 * `{"$ref": [k, "member", "field"]}` (a value the target answered to step k).
 */
export type Value = unknown;

/** Where the run's id stood in a name or a tag value. */
export const RUN_MARK = '@RUN@';

/** What a step must answer; absent fields are not judged. */
export interface Expect {
  /** Succeeds. */
  ok?: true;
  /** Fails with one of these error codes. */
  error?: string[];
  /** ...and the error's message names the idempotent parameter mismatch (specs/mismatch.ts). */
  marker?: true;
  /** Does not fail with any of these error codes. */
  notError?: string[];
  /** A success names the resource step k's success named (its arn). */
  sameAs?: number;
  /** ...with the same createdAt too. */
  sameCreatedAt?: true;
  /** A success names a resource other than step k's (another arn). */
  newThan?: number;
  /** A success is not step k's resource itself (not the same arn with the same createdAt). */
  notOriginal?: number;
  /** A success is empty or names step k's resource. */
  emptyOrSameAs?: number;
  /** A success carries no resource. */
  empty?: true;
  /** A success names a resource. */
  named?: true;
  /** A success's resource has this status (any field ending in Status). */
  status?: string;
  /** A List: its items in scope number those of List step k plus `delta`. */
  countDelta?: { of: number; delta: number };
  /** Every success of the concurrent group names one resource. */
  oneResource?: true;
  /** A success may also be this ValidationException with the marker (a token that cannot be made fresh, seen before). */
  orMismatch?: true;
  /**
   * A wire case (CallStep.wire): every answer of its history (the client's, its retries', the target's to each delivery)
   * is a success naming one resource (a create) or empty or naming the deleted one (a delete), or weather; no identical
   * request called invalid; a refusal only where the case allows one.
   */
  wire?: true;
  /** In words, what the rule expects here (printed beside what came back). */
  why: string;
  /** A precondition (a step the check accepted), not the rule's own expectation: a miss is exit 2, not 1. */
  precondition?: true;
}

export interface CallStep {
  kind: 'call';
  operation: string;
  input: Value;
  /** Steps of one group are sent at once. */
  group?: number;
  /** A List whose items in scope the script counts. */
  count?: true;
  /**
   * The first response is lost on the way back after the target answered (the SDK is shown a reset connection) and the
   * client's own retry strategy sends it again: the step is the call as its caller saw it (the retry's answer).
   */
  lose?: true;
  /** Sent without a clientToken: the SDK (or the AWS CLI) fills one in, as a caller that gave none gets. */
  sdkToken?: true;
  /** The script reads the target's clock once it is answered (a later clock jump is measured from there). */
  clock?: true;
  /** Sent through a wire fault of the script's own (wire.ts): one case per round, in turn. */
  wire?: WireCase[];
  expect?: Expect;
}

/** How a wire case's client retries (suites/scenarios/wire.ts RetryMode). */
export type WireMode = 'sdk' | 'explicit' | 'harness';

/** A wire case as a reproducer sends it: its faults by delivery number, its clients, its late retries. */
export interface WireCase {
  kind: 'create' | 'delete';
  /** The response member that carries the resource (its removal, when a List or an answer names one). */
  member: string;
  /** The fault each numbered delivery meets (1: the first request the forwarder receives); `ms`: the kind's argument. */
  schedule: Array<{ fault: string; n: number; ms?: number }>;
  /** How many clients send the request at once, and how client i retries (modes[i % length]). */
  clients: number;
  modes: WireMode[];
  /** A late original waits for an answer to its own call's retry (the same SDK invocation) alone. */
  lateByCall: boolean;
  /** An answer may refuse an identical request (any error but a ValidationException): twins at once. */
  refusals: boolean;
  /** The Get that reads the resource: its operation and the fields of the request (or the created resource) it takes. */
  get: { operation: string; fields: string[] };
  /** An asynchronous deletion: a success naming the resource has this status. */
  inProgress?: { field: string; value: string };
  /** The retries at a client's pace, after the immediate ones (specs/wire.ts LATE_RETRIES). */
  late?: { backoffMs: number; settleRoundTrips: number; settleFloorMs: number; settleReads: number };
  /** Runs of the case (fresh names and tokens each) until one breaks the rule. */
  rounds: number;
  /** The target may fail on its own after acting (a counter): what the case builds on is resent after its weather. */
  counter?: true;
  /** Sent without its clientToken: the SDK fills one in, and its own retries keep it (the case gave none). */
  sdkToken?: true;
}

export interface HookStep {
  kind: 'advance' | 'durations';
  /** advance: the jump as the suite made it. */
  ms?: number;
  /**
   * advance: the step it is measured from, and the virtual time from that step's send to just after the jump, as in the
   * suite's run: the script jumps by what is left of it, so a slower client does not move the case past a deadline.
   */
  since?: number;
  sinceMs?: number;
  /** advance: when the suite made it (wall clock, ms), to measure it from another step (checks.ts). */
  at?: number;
  durations?: Record<string, number>;
}

export type Step = CallStep | HookStep;

export interface Reproducer {
  /** File name without extension. */
  name: string;
  rule: string;
  operation: string;
  verdict: string;
  reason: string;
  /** The tokens of the case as sent, by placeholder number (fresh ones copy their length and kinds). */
  tokens: string[];
  /** The run's id the names held (for the reader; the scripts make their own). */
  runId: string;
  steps: Step[];
  /** The hooks the steps use. */
  hooks: Array<'clock' | 'durations'>;
  /** What the script cannot reproduce (printed at its top). */
  notes: string[];
}

const RUN_ID = /pc([0-9a-z]{10})-/;

/** The run's id, from the names the evidence holds. */
export function runIdOf(evidence: readonly Exchange[]): string | undefined {
  for (const exchange of evidence) {
    const found = RUN_ID.exec(JSON.stringify(exchange.request.body));
    if (found) return found[1];
  }
  return undefined;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The fields of an answer whose values a later request may send back: ids and arns. */
const ANSWERED_ID = /^(id|arn)$|(Id|Arn)$/;

/** The values a response holds, by path, for later steps that send them back (ids, arns). */
function answeredValues(body: unknown, path: string[] = [], into = new Map<string, string[]>(), every = false): Map<string, string[]> {
  if (typeof body === 'string') {
    if ((every || ANSWERED_ID.test(path.at(-1) ?? '')) && !into.has(body)) into.set(body, path);
  } else if (Array.isArray(body)) {
    body.forEach((item, index) => {
      answeredValues(item, [...path, String(index)], into, every);
    });
  } else if (body !== null && typeof body === 'object') {
    for (const [key, value] of Object.entries(body)) answeredValues(value, [...path, key], into, every);
  }
  return into;
}

interface Placeholders {
  runId: string | undefined;
  tokens: string[];
  /** Earlier steps' answers: value -> [step, ...path], the first step that answered it (a create, not a List's page). */
  answers: Map<string, [number, ...string[]]>;
  /** Strings the case sent before the target answered them (literals, not answers: an account id it chose). */
  sent: Set<string>;
}

function tokenPlaceholder(token: string, places: Placeholders): Value {
  let index = places.tokens.findIndex((known) => known.toLowerCase() === token.toLowerCase());
  if (index < 0) {
    index = places.tokens.length;
    places.tokens.push(token);
  }
  return { $token: index, like: token };
}

function placeholder(value: unknown, key: string | undefined, places: Placeholders): Value {
  if (typeof value === 'string') {
    if (key === 'clientToken') return tokenPlaceholder(value, places);
    const answered = places.answers.get(value);
    if (answered && !(places.runId && value.startsWith(`pc${places.runId}`))) return { $ref: answered };
    return places.runId ? value.split(places.runId).join(RUN_MARK) : value;
  }
  if (Array.isArray(value)) return value.map((item) => placeholder(item, undefined, places));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, placeholder(v, k, places)]));
  }
  return value;
}

/** The exchanges and hook calls in the order they were made; overlapping sends of one operation form a group. */
function timeline(result: RuleResult & { hookCalls?: HookCall[] }): Array<Exchange | HookCall> {
  const exchanges = [...result.evidence].sort((a, b) => a.startedAt - b.startedAt);
  const calls = [...(result.hookCalls ?? [])].sort((a, b) => a.at - b.at);
  const merged: Array<Exchange | HookCall> = [];
  let next = 0;
  for (const exchange of exchanges) {
    while (next < calls.length && calls[next]!.at <= exchange.startedAt) merged.push(calls[next++]!);
    merged.push(exchange);
  }
  merged.push(...calls.slice(next));
  return merged;
}

/**
 * A clock jump, measured from the answer to the last create, update or delete before it (the clock is read then): the
 * request it follows was handled before that reading, so a deadline the suite's run met is met again, however slow the client.
 */
function advanceStep(call: HookCall, steps: Step[], recorded: Array<Exchange | undefined>): HookStep {
  const step: HookStep = { kind: 'advance', ms: call.advanceMs ?? 0, at: call.at };
  const since = steps.findLastIndex((other) => other.kind === 'call' && /^(Create|Delete|Update)/.test(other.operation));
  const sent = since < 0 ? undefined : recorded[since];
  if (!sent) return step;
  let jumped = step.ms ?? 0;
  for (const other of steps.slice(since + 1)) if (other.kind === 'advance') jumped += other.ms ?? 0;
  (steps[since] as CallStep).clock = true;
  return { ...step, since, sinceMs: Math.max(0, Math.round(call.at - (sent.startedAt + sent.durationMs))) + jumped };
}

/** The steps of a failing cell, its expectations not yet set (checks.ts), and the recorded answers beside them. */
export function stepsOf(result: RuleResult & { hookCalls?: HookCall[] }): {
  steps: Step[];
  recorded: Array<Exchange | undefined>;
  tokens: string[];
  runId: string;
} {
  const runId = runIdOf(result.evidence);
  const places: Placeholders = { runId, tokens: [], answers: new Map(), sent: new Set() };
  const steps: Step[] = [];
  const recorded: Array<Exchange | undefined> = [];
  let group = 0;
  let groupEnd = -1;
  let groupOperation = '';
  for (const item of timeline(result)) {
    // A transient answer the harness retried: its retry is the next exchange.
    if ('operation' in item && item.transient?.waitMs !== undefined) continue;
    if (!('operation' in item)) {
      if (item.advanceMs !== undefined) steps.push(advanceStep(item, steps, recorded));
      if (item.durations !== undefined) steps.push({ kind: 'durations', durations: item.durations });
      recorded.push(undefined);
      continue;
    }
    const step: CallStep = { kind: 'call', operation: item.operation, input: placeholder(item.request.body, undefined, places) };
    const previous = steps.at(-1);
    // A response lost on purpose, then the client's own retry of the same bytes: one call whose first answer is lost.
    const lost = recorded.at(-1);
    if (
      previous?.kind === 'call' &&
      lost &&
      !lost.response &&
      /lost/.test(lost.error ?? '') &&
      same(lost.request.body, item.request.body)
    ) {
      previous.lose = true;
      recorded[recorded.length - 1] = item;
      for (const [value, path] of item.response ? answeredValues(item.response.body) : []) {
        if (!places.sent.has(value) && !places.answers.has(value)) places.answers.set(value, [steps.length - 1, ...path]);
      }
      continue;
    }
    if (previous?.kind === 'call' && item.operation === groupOperation && item.startedAt < groupEnd) {
      previous.group ??= ++group;
      step.group = previous.group;
    }
    groupOperation = item.operation;
    groupEnd = step.group !== undefined ? Math.max(groupEnd, item.startedAt + item.durationMs) : item.startedAt + item.durationMs;
    const index = steps.push(step) - 1;
    recorded.push(item);
    for (const value of answeredValues(item.request.body, [], new Map(), true).keys()) places.sent.add(value);
    if (item.response && item.response.status < 300) {
      for (const [value, path] of answeredValues(item.response.body)) {
        if (!places.sent.has(value) && !places.answers.has(value)) places.answers.set(value, [index, ...path]);
      }
    }
  }
  return { steps, recorded, tokens: places.tokens, runId: runId ?? '' };
}

/** A cell's reproducer named `name`, from the steps and tokens its builder made (the hooks are those the steps use). */
export function reproducerOf(
  result: RuleResult,
  name: string,
  parts: Pick<Reproducer, 'tokens' | 'runId' | 'steps' | 'notes'>,
): Reproducer {
  const { rule, operation, verdict, reason } = result;
  return { name, rule, operation, verdict, reason, ...parts, hooks: hooksOf(parts.steps) };
}

/** The hooks a reproducer's steps use: the clock for a jump, the durations for a change of them. */
function hooksOf(steps: readonly Step[]): Array<'clock' | 'durations'> {
  const hooks: Array<'clock' | 'durations'> = [];
  if (steps.some((step) => step.kind === 'advance')) hooks.push('clock');
  if (steps.some((step) => step.kind === 'durations')) hooks.push('durations');
  return hooks;
}
