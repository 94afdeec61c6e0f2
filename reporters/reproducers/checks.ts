// Each rule's expectation restated on a reproducer's steps (issue 21): which
// step decides the rule and what it must answer (docs/CONTRACT.md, the rule's
// row), keyed by rule id. The steps before it that the check accepted are
// preconditions: they must answer as they did (success, or the same error).
import { MISMATCH_ERROR } from '../../specs/mismatch.ts';
import { TOKEN_LIFETIME_MS } from '../../specs/rules.ts';
import type { Exchange } from '../../harness/types.ts';
import type { CallStep, Expect, Step } from './steps.ts';

/** What a rule's expectation is set from. */
export interface CheckInput {
  steps: Step[];
  recorded: Array<Exchange | undefined>;
  tokens: string[];
  operation: string;
  reason: string;
}

type RuleCheck = (input: CheckInput, last: number) => string | undefined;

const isCall = (step: Step | undefined): step is CallStep => step?.kind === 'call';
const mutates = (operation: string): boolean => /^(Create|Delete|Update)/.test(operation);
const field = (step: CallStep, name: string): unknown => (step.input as Record<string, unknown> | null)?.[name];
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The token placeholder's number of a step, when it sent one. */
function tokenOf(step: CallStep): { index: number; like: string } | undefined {
  const token = field(step, 'clientToken') as { $token?: number; like?: string } | undefined;
  return token?.$token === undefined ? undefined : { index: token.$token, like: token.like ?? '' };
}

/** The first earlier send of the operation with the same token (exactly, or `caseOnly`: differing in case only). */
function tokenAnchor(steps: Step[], last: number, caseOnly = false): number | undefined {
  const decisive = steps[last] as CallStep;
  const token = tokenOf(decisive);
  if (!token) return undefined;
  const index = steps.findIndex((step, at) => {
    if (at >= last || !isCall(step) || step.operation !== decisive.operation) return false;
    const other = tokenOf(step);
    return other?.index === token.index && (caseOnly ? other.like !== token.like : other.like === token.like);
  });
  return index < 0 ? undefined : index;
}

/** The first earlier send of the operation with the same name (name-idempotent creates), or the same input as sent (deletes). */
function inputAnchor(input: CheckInput, last: number, key?: string): number | undefined {
  const { steps, recorded } = input;
  const decisive = steps[last] as CallStep;
  const sent = (at: number): unknown => recorded[at]?.request.body ?? (steps[at] as CallStep).input;
  const index = steps.findIndex(
    (step, at) =>
      at < last &&
      isCall(step) &&
      step.operation === decisive.operation &&
      (key ? same(field(step, key), field(decisive, key)) : same(sent(at), sent(last))),
  );
  return index < 0 ? undefined : index;
}

/** Counts around the decisive step: a List of its scope before and after it (the last List of that scope the case sent). */
export function countAround(input: CheckInput, at: number, delta: number, why: string): void {
  // The List of the decisive step's scope: every value it names (a template's name) is one the decisive step sends.
  const sent = JSON.stringify((input.steps[at] as CallStep).input);
  const inScope = (step: CallStep): boolean =>
    Object.entries((step.input ?? {}) as Record<string, unknown>).every(
      ([key, value]) => typeof value !== 'string' || key === 'nextToken' || key === 'requestedBy' || sent.includes(JSON.stringify(value)),
    );
  const list = input.steps.findLastIndex((step, index) => index < at && isCall(step) && step.operation.startsWith('List') && inScope(step));
  if (list < 0) return;
  const listing = input.steps[list] as CallStep;
  const before: CallStep = { kind: 'call', operation: listing.operation, input: listing.input, count: true };
  const after: CallStep = {
    kind: 'call',
    operation: listing.operation,
    input: listing.input,
    count: true,
  };
  // After the decisive step (and its group) first, so that `at` still names the step the first List goes before.
  insertStep(input, lastOfGroup(input.steps, at) + 1, after);
  insertStep(input, at, before);
  after.expect = { countDelta: { of: at, delta }, why };
}

/** Inserts a step at `at`, renumbering what names a step at or after it (answers sent back, expectations). */
function insertStep(input: CheckInput, at: number, step: CallStep): void {
  const moved = (index: number): number => (index >= at ? index + 1 : index);
  const renumber = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(renumber);
    if (value === null || typeof value !== 'object') return value;
    const ref = (value as { $ref?: [number, ...string[]] }).$ref;
    if (ref) return { $ref: [moved(ref[0]), ...ref.slice(1)] };
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renumber(item)]));
  };
  for (const other of input.steps) {
    if (other.kind === 'advance' && other.since !== undefined) other.since = moved(other.since);
    if (other.kind !== 'call') continue;
    other.input = renumber(other.input);
    const expect = other.expect;
    if (!expect) continue;
    for (const key of ['sameAs', 'newThan', 'notOriginal', 'emptyOrSameAs'] as const) {
      if (expect[key] !== undefined) expect[key] = moved(expect[key]);
    }
    if (expect.countDelta) expect.countDelta = { ...expect.countDelta, of: moved(expect.countDelta.of) };
  }
  input.steps.splice(at, 0, step);
  input.recorded.splice(at, 0, undefined);
}

function lastOfGroup(steps: Step[], at: number): number {
  const group = (steps[at] as CallStep).group;
  if (group === undefined) return at;
  let end = at;
  while (isCall(steps[end + 1]) && (steps[end + 1] as CallStep).group === group) end++;
  return end;
}

function firstOfGroup(steps: Step[], at: number): number {
  const group = (steps[at] as CallStep).group;
  if (group === undefined) return at;
  let start = at;
  while (start > 0 && isCall(steps[start - 1]) && (steps[start - 1] as CallStep).group === group) start--;
  return start;
}

function expectAt(input: CheckInput, at: number, expect: Expect): void {
  (input.steps[at] as CallStep).expect = expect;
}

const mismatch = (what: string): Expect => ({
  error: [MISMATCH_ERROR],
  marker: true,
  why: `${what}: ValidationException naming the idempotent parameter mismatch`,
});

/** Clock time moved between two steps (the advance hook calls between them). */
function elapsed(steps: Step[], from: number, to: number): number {
  let ms = 0;
  for (let index = from + 1; index < to; index++) {
    const step = steps[index]!;
    if (step.kind === 'advance') ms += step.ms ?? 0;
  }
  return ms;
}

/** How much earlier than in the suite's run a retry meant to come before the expiry is sent: a slow client's room. */
const EXPIRY_SLACK_MS = 60_000;

/**
 * Expiry counts from the original: every clock jump up to the decisive retry is measured from the original's answer, and a
 * jump that leaves the token unexpired lands a minute earlier than the suite's did (still past an hour-early expiry), so
 * that a client that takes a second to send the next retry (the AWS CLI) does not carry it past the deadline.
 */
function fromOriginal(input: CheckInput, anchor: number, last: number): void {
  const original = input.recorded[anchor];
  if (!original) return;
  const answered = original.startedAt + original.durationMs;
  (input.steps[anchor] as CallStep).clock = true;
  let jumped = 0;
  for (let index = anchor + 1; index < last; index++) {
    const step = input.steps[index]!;
    if (step.kind !== 'advance' || step.at === undefined) continue;
    jumped += step.ms ?? 0;
    const sinceMs = Math.max(0, Math.round(step.at - answered)) + jumped;
    step.since = anchor;
    step.sinceMs = sinceMs < TOKEN_LIFETIME_MS ? Math.max(0, sinceMs - EXPIRY_SLACK_MS) : sinceMs;
  }
}

const VALID_TOKEN = /^[!-~]{1,64}$/;

function retrySame(input: CheckInput, last: number, anchor: number | undefined, what: string, createdAt: boolean): string | undefined {
  if (anchor === undefined) return 'no earlier send with the same token or name';
  expectAt(input, last, {
    ok: true,
    sameAs: anchor,
    ...(createdAt ? { sameCreatedAt: true as const } : {}),
    why: `${what}: success naming the original resource (step ${anchor + 1})`,
  });
  countAround(input, last, 0, `${what} creates nothing: the List count unchanged`);
  return undefined;
}

function concurrent(input: CheckInput, last: number, what: string): string | undefined {
  const start = firstOfGroup(input.steps, last);
  const end = lastOfGroup(input.steps, last);
  if (start === end) return 'the identical requests were not sent at once';
  for (let index = start; index <= end; index++) {
    expectAt(input, index, {
      notError: [MISMATCH_ERROR],
      oneResource: true,
      why: `${what}: no ValidationException, and every success names the one resource`,
    });
  }
  const decisive = input.steps[last] as CallStep;
  const token = tokenOf(decisive);
  const earlier = input.steps.some(
    (step, index) =>
      index < start &&
      isCall(step) &&
      step.operation === decisive.operation &&
      (token ? tokenOf(step)?.index === token.index : same(field(step, 'name'), field(decisive, 'name'))),
  );
  countAround(input, start, earlier ? 0 : 1, `${what}: exactly one resource (the List count ${earlier ? 'unchanged' : 'one more'})`);
  return undefined;
}

function deleteRetry(input: CheckInput, last: number): string | undefined {
  const anchor = inputAnchor(input, last);
  if (anchor === undefined) return 'no earlier delete of the same resource';
  expectAt(input, last, {
    ok: true,
    emptyOrSameAs: anchor,
    why: `the delete's retry: success, empty or naming the deleted resource (step ${anchor + 1})`,
  });
  return undefined;
}

/** Gets of the siblings after the decisive delete answer as the same Get did before it: a retry changes nothing else. */
function nothingElse(input: CheckInput, last: number): string | undefined {
  const sent = (at: number): string => JSON.stringify(input.recorded[at]?.request.body ?? null);
  const target = sent(last);
  let judged = 0;
  for (let index = last + 1; index < input.steps.length; index++) {
    const step = input.steps[index]!;
    // The deleted resource's own Get is not a sibling's.
    if (!isCall(step) || !step.operation.startsWith('Get') || sent(index) === target) continue;
    const before = input.steps.findLastIndex(
      (other, at) => at < last && isCall(other) && other.operation === step.operation && sent(at) === sent(index),
    );
    const answer = before < 0 ? undefined : input.recorded[before]?.response;
    if (!answer || answer.status >= 300) continue;
    judged++;
    step.expect = { ok: true, why: 'a sibling untouched by the retry: its Get still succeeds' };
  }
  return judged === 0 ? 'no Get of a sibling after the retry' : undefined;
}

function errorCode(body: unknown): string {
  const type = (body as { __type?: unknown } | null)?.__type;
  return typeof type === 'string' ? (type.split('#').pop() ?? type) : 'UnknownError';
}

function inProgress(input: CheckInput, last: number): string | undefined {
  const first = input.steps.findIndex((step) => isCall(step) && step.operation === input.operation);
  for (let index = first + 1; index <= last; index++) {
    const step = input.steps[index]!;
    if (isCall(step) && step.operation === input.operation) {
      step.expect = { ok: true, status: 'DELETE_IN_PROGRESS', why: 'a retry during the deletion: success, status DELETE_IN_PROGRESS' };
    }
  }
  // After the deletion's time has passed, the resource is gone: a retry does not restart or prolong it.
  const tail = input.steps.length - 1;
  const final = input.steps[tail];
  if (tail > last && isCall(final) && final.operation.startsWith('Get') && input.steps.slice(last).some((s) => s.kind === 'advance')) {
    final.expect = { error: ['ResourceNotFoundException'], why: "once the deletion's time has passed: ResourceNotFoundException" };
  }
  return undefined;
}

/** Rule id -> the expectation it sets on the decisive step (the last send of the cell's operation); a reason when it cannot. */
export const RULE_CHECKS: Readonly<Record<string, RuleCheck>> = {
  'client-token/same-token-same-params': (input, last) =>
    retrySame(input, last, tokenAnchor(input.steps, last), 'a retry with the same token and parameters', false),
  'client-token/same-token-different-params': (input, last) => {
    expectAt(input, last, mismatch('the same token with other parameters'));
    countAround(input, last, 0, 'nothing created: the List count unchanged');
    return undefined;
  },
  'client-token/expiry': (input, last) => {
    const anchor = tokenAnchor(input.steps, last);
    if (anchor === undefined) return 'no earlier send with the same token';
    const ms = elapsed(input.steps, anchor, last);
    fromOriginal(input, anchor, last);
    const hours = `${(ms / 3_600_000).toFixed(4)} h after the original`;
    expectAt(
      input,
      last,
      ms >= TOKEN_LIFETIME_MS
        ? { ok: true, newThan: anchor, why: `a retry ${hours} (token expired): success naming a new resource` }
        : { ok: true, sameAs: anchor, why: `a retry ${hours} (token not expired): success naming the original (step ${anchor + 1})` },
    );
    return undefined;
  },
  'client-token/retry-after-delete': (input, last) => {
    const anchor = tokenAnchor(input.steps, last);
    if (anchor === undefined) return 'no earlier send with the same token';
    expectAt(input, last, {
      ok: true,
      notOriginal: anchor,
      why: 'a retry after the original was deleted: success creating a new resource',
    });
    return undefined;
  },
  'client-token/case-sensitive': (input, last) => {
    const anchor = tokenAnchor(input.steps, last, true);
    if (anchor === undefined) return 'no earlier send with the token in another case';
    expectAt(input, last, { ok: true, newThan: anchor, why: `a token differing in case only: a new resource, not step ${anchor + 1}'s` });
    return undefined;
  },
  'client-token/format': (input, last) => {
    const token = tokenOf(input.steps[last] as CallStep);
    if (!token) return 'the decisive send carries no token';
    const valid = VALID_TOKEN.test(token.like);
    const fresh = /[0-9A-Za-z]/.test(token.like);
    expectAt(
      input,
      last,
      valid
        ? { ok: true, ...(fresh ? {} : { orMismatch: true as const }), why: `a valid token (${token.like.length} characters): accepted` }
        : { error: ['ValidationException'], why: `an invalid token (${token.like.length} characters): ValidationException` },
    );
    return undefined;
  },
  'client-token/sdk-default': (input, last) => {
    const decisive = input.steps[last] as CallStep;
    if (!decisive.lose) return 'the call whose response was lost is not in the evidence';
    const { clientToken: _token, ...rest } = decisive.input as Record<string, unknown>;
    decisive.input = rest;
    decisive.sdkToken = true;
    expectAt(input, last, {
      ok: true,
      named: true,
      why: "a call without a token, its first response lost, then the SDK's own retry: success naming it",
    });
    countAround(input, last, 1, 'exactly one new resource (the List count one more)');
    return undefined;
  },
  'client-token/concurrent-retries': (input, last) => concurrent(input, last, 'identical requests with one token at once'),
  'idempotent-create/unmodified-retry': (input, last) =>
    retrySame(input, last, inputAnchor(input, last, 'name'), 'an identical retry of an unmodified resource', true),
  'idempotent-create/modified-retry': (input, last) => {
    expectAt(input, last, { error: ['ConflictException'], why: 'an identical retry after an Update: ConflictException' });
    countAround(input, last, 0, 'nothing created: the List count unchanged');
    return undefined;
  },
  'idempotent-create/different-params': (input, last) => {
    expectAt(input, last, mismatch('the same name with other parameters'));
    countAround(input, last, 0, 'nothing created: the List count unchanged');
    return undefined;
  },
  'idempotent-create/concurrent-retries': (input, last) => concurrent(input, last, 'identical creates at once'),
  'idempotent-delete/retry-succeeds': deleteRetry,
  'idempotent-delete/retry-returns-metadata': deleteRetry,
  'idempotent-delete/no-further-action': nothingElse,
  'async-delete/retry-in-progress': inProgress,
  'async-delete/retry-after-complete': (input, last) => {
    expectAt(input, last, { ok: true, empty: true, why: 'a retry once the deletion is complete: success, empty' });
    return undefined;
  },
};

/** Preconditions: every earlier create, update or delete answers as it did (success, or the same error). */
export function preconditions(input: CheckInput): void {
  input.steps.forEach((step, index) => {
    if (!isCall(step) || step.expect || !mutates(step.operation) || step.group !== undefined) return;
    const answer = input.recorded[index]?.response;
    if (!answer) return;
    step.expect =
      answer.status < 300
        ? { ok: true, precondition: true, why: 'as when the suite ran it: success' }
        : { error: [errorCode(answer.body)], precondition: true, why: `as when the suite ran it: ${errorCode(answer.body)}` };
  });
}

/** The index of the step that decides the rule: the last send of the cell's operation. */
export function decisiveStep(steps: Step[], operation: string): number {
  return steps.findLastIndex((step) => isCall(step) && step.operation === operation);
}
