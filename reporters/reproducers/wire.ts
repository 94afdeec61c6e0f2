// The reproducers of the `wire` rules (issue 21): a failing cell's case as one
// call through a forwarder of the script's own that puts the same wire fault
// between its client and the target (specs/wire.ts), retried as the case was
// (the SDK's own retry, an explicit retry of the same input, the late retries
// at a client's pace), judged over every answer: the client's, the late
// retries', and those the target gave to deliveries no client saw (a late
// original, the second copy of a duplicate). Its prerequisites are the
// successful creates the cell made before the case, as in the other
// reproducers (steps.ts).
import type { Exchange, HookCall, RuleResult } from '../../harness/types.ts';
import { operationSpec } from '../../specs/operations/index.ts';
import { LATE_RETRIES, WIRE_FAULTS, type WireFaultKind } from '../../specs/wire.ts';
import { countAround, preconditions } from './checks.ts';
import { type CallStep, type Reproducer, reproducerOf, stepsOf, type WireCase, type WireMode } from './steps.ts';

const LOST = 'wire/lost-response-retry';
const DUPLICATE = 'wire/duplicate-delivery';
const SERVER_ERROR = 'wire/server-error-retry';
const INTERLEAVED = 'wire/interleaved-retries';

/** The rules whose cases are retried again at a client's pace (suites/lib/late-retry.ts; docs/wire.md). */
const LATE_RULES: ReadonlySet<string> = new Set([LOST, SERVER_ERROR]);

/** The wire rules a reproducer is written for. */
export const WIRE_RULES: ReadonlySet<string> = new Set([LOST, DUPLICATE, SERVER_ERROR, INTERLEAVED]);

/**
 * How many times a server-error case is run, each time with fresh names and tokens, until the target breaks the rule:
 * a target that fails on its own after acting (every few creates or deletes, under load) shows it only on the calls its
 * counter picks, which the script cannot know.
 */
export const COUNTER_ROUNDS = 8;

/**
 * How many times a `close` case is run (fresh names and tokens each) until the target breaks the rule: a client that
 * gives up while the target works races the target's own reading of its connection, which a busy machine may lose.
 */
export const RACE_ROUNDS = 3;

/**
 * The SDK's standard backoff before its second retry (DEFAULT_RETRY_DELAY_BASE of @smithy/util-retry, 100 ms, doubled
 * for each retry: LATE_RETRIES.backoffRetry), as suites/lib/late-retry.ts waits it. The base is the SDK's own figure,
 * restated here because a reporter reads the report and specs/ alone.
 */
const SDK_RETRY_BASE_MS = 100;
export const BACKOFF_MS = SDK_RETRY_BASE_MS * 2 ** (LATE_RETRIES.backoffRetry - 1);

/** The retry mode a case's label names ("then the SDK's own retry", "client (close, explicit)", "(sdk retries)"). */
function modeOf(text: string): WireMode | undefined {
  if (/SDK's own|^sdk$/.test(text)) return 'sdk';
  if (/explicit/.test(text)) return 'explicit';
  if (/same bytes|^harness$/.test(text)) return 'harness';
  return undefined;
}

const isKind = (text: string): text is WireFaultKind => Object.hasOwn(WIRE_FAULTS, text);

/** The cases a failing scenario cell names: the first failing one from its reason, else every case of its history. */
function scenarioCases(result: RuleResult): Array<{ fault: WireFaultKind; mode: WireMode }> {
  const named = /^Under fault (\S+) \([^)]*\), then ([^:]+):/.exec(result.reason);
  const mode = named ? modeOf(named[2]!) : undefined;
  if (named && isKind(named[1]!) && mode) return [{ fault: named[1], mode }];
  const cases: Array<{ fault: WireFaultKind; mode: WireMode }> = [];
  for (const event of result.history ?? []) {
    const label = /^client \(([^,]+), (sdk|explicit|harness)\)$/.exec(event.who);
    if (!label || !isKind(label[1]!)) continue;
    const found = { fault: label[1], mode: label[2] as WireMode };
    if (!cases.some((c) => c.fault === found.fault && c.mode === found.mode)) cases.push(found);
  }
  return cases;
}

interface Plan {
  clients: number;
  modes: WireMode[];
  faults: Array<{ fault: string; when: { kind: string; n: number } }>;
}

/** The run of wire/interleaved-retries that failed: its counterexample (the shrunk plan), as the reason quotes it. */
function interleavedPlan(result: RuleResult): Plan | undefined {
  const quoted = /Counterexample \([^)]*\): (\[.*\])\s*$/s.exec(result.reason);
  if (!quoted) return undefined;
  try {
    const [plan] = JSON.parse(quoted[1]!) as [Plan];
    return plan;
  } catch {
    return undefined;
  }
}

const invocationOf = (exchange: Exchange): string => String(exchange.request.headers['amz-sdk-invocation-id'] ?? '');

/** The invocations the cell's wire clients sent (the history's 'sent attempt 1 of invocation X'), by client label. */
function clientInvocations(result: RuleResult): Array<{ who: string; invocation: string }> {
  const sent: Array<{ who: string; invocation: string }> = [];
  for (const event of result.history ?? []) {
    const found = /sent attempt \d+ of invocation ([0-9a-f]+)/.exec(event.what);
    if (found && /client/.test(event.who)) sent.push({ who: event.who, invocation: found[1]! });
  }
  return sent;
}

/** The case's first request: the evidence's exchange of the first invocation its client (or any client) sent. */
function originalOf(result: RuleResult, who: string | undefined): Exchange | undefined {
  const sent = clientInvocations(result).filter((entry) => who === undefined || entry.who === who);
  for (const { invocation } of sent) {
    const found = result.evidence.find(
      (exchange) => exchange.operation === result.operation && invocationOf(exchange).startsWith(invocation),
    );
    if (found) return found;
  }
  return undefined;
}

/**
 * What the case builds on: the creates and updates that succeeded before its first request (the wire clients' own sends aside),
 * the hook calls before it, and for a create the last List of its kind before it (counted around the case).
 */
function before(result: RuleResult & { hookCalls?: HookCall[] }, original: Exchange): RuleResult & { hookCalls?: HookCall[] } {
  const wireSent = new Set(clientInvocations(result).map((entry) => entry.invocation));
  const fromWire = (exchange: Exchange): boolean => [...wireSent].some((id) => invocationOf(exchange).startsWith(id));
  const spec = operationSpec(original.operation);
  const list = spec?.kind === 'create' ? spec.resource.list.operation : undefined;
  const earlier = result.evidence.filter((exchange) => exchange.startedAt < original.startedAt && !fromWire(exchange));
  // The List of the case's scope: every value it names (a template's name, a major version) is one the case sends.
  const sent = JSON.stringify(original.request.body);
  const inScope = (exchange: Exchange): boolean =>
    Object.entries((exchange.request.body ?? {}) as Record<string, unknown>).every(
      ([key, value]) => typeof value !== 'string' || key === 'nextToken' || key === 'requestedBy' || sent.includes(JSON.stringify(value)),
    );
  const lastList = earlier.findLast(
    (exchange) => exchange.operation === list && (exchange.response?.status ?? 500) < 300 && inScope(exchange),
  );
  const evidence = earlier.filter(
    (exchange) =>
      exchange === lastList ||
      (/^(Create|Update)/.test(exchange.operation) &&
        exchange.response !== undefined &&
        exchange.response.status < 300 &&
        !exchange.transient),
  );
  // The case's own request, also where the harness resent it after weather (steps.ts leaves such a send out).
  const { transient: _weather, ...request } = original;
  evidence.push(request);
  const hookCalls = (result.hookCalls ?? []).filter((call) => call.at < original.startedAt);
  return { ...result, evidence, hookCalls };
}

/** The case as the wire step carries it: the fault schedule, the clients and how they retry, what the answers must be. */
function wireCase(result: RuleResult, operation: string, plan: Plan, sdkToken: boolean): WireCase | string {
  const spec = operationSpec(operation);
  if (!spec) return `${operation} is not an operation of the contract`;
  const schedule: WireCase['schedule'] = [];
  for (const { fault, when } of plan.faults) {
    if (!isKind(fault) || when.kind !== 'nth') return `a fault the script cannot put on the wire: ${fault}@${when.kind}`;
    schedule.push({ fault, n: when.n, ...(WIRE_FAULTS[fault].defaultMs !== undefined ? { ms: WIRE_FAULTS[fault].defaultMs } : {}) });
  }
  const removal = Object.keys(spec.resource.remove.input({ name: 'n', templateName: 't', majorVersion: '1', minorVersion: '0', id: 'i' }));
  const async = spec.kind === 'delete' ? spec.resource.asyncDeletion : undefined;
  const interleaved = result.rule === INTERLEAVED;
  return {
    kind: spec.kind === 'create' ? 'create' : 'delete',
    member: spec.resource.member,
    schedule,
    clients: plan.clients,
    modes: plan.modes,
    lateByCall: interleaved,
    refusals: interleaved || plan.faults.some((f) => f.fault === 'overlap'),
    get: { operation: spec.resource.get.operation, fields: removal },
    ...(async ? { inProgress: { field: async.statusField, value: async.inProgress } } : {}),
    ...(LATE_RULES.has(result.rule)
      ? {
          late: {
            backoffMs: BACKOFF_MS,
            settleRoundTrips: LATE_RETRIES.settleRoundTrips,
            settleFloorMs: LATE_RETRIES.settleFloorMs,
            settleReads: LATE_RETRIES.settleReads,
          },
        }
      : {}),
    rounds: result.rule === SERVER_ERROR ? COUNTER_ROUNDS : schedule.some((rule) => rule.fault === 'close') ? RACE_ROUNDS : 1,
    ...(result.rule === SERVER_ERROR ? { counter: true as const } : {}),
    ...(sdkToken ? { sdkToken: true } : {}),
  };
}

const MODE_WORDS: Record<WireMode, string> = {
  sdk: "the SDK's own retry",
  explicit: 'an explicit retry of the same input',
  harness: "the client's resend of the same request",
};

function caseWords(c: WireCase): string {
  const faults = c.schedule.map((rule) => `${rule.fault} on delivery ${rule.n}`).join(', ');
  const clients = c.clients > 1 ? `${c.clients} clients at once (${c.modes.join('/')}), ` : '';
  return `${clients}${faults}, then ${c.modes.map((mode) => MODE_WORDS[mode]).join(' / ')}`;
}

/** The notes at the top of a wire reproducer. */
function wireNotes(rule: string, cases: readonly WireCase[]): string[] {
  const notes = [
    `Wire fault: ${cases.map(caseWords).join('; or ')}.`,
    'The .mjs puts the fault between its client and the target with a forwarder of its own on 127.0.0.1, which keeps the',
    "target's answer to every request it forwarded (also those no client saw: a late original, a duplicate's second copy);",
    'the .sh uses `proton-conformance proxy --faults KIND@first` and judges those answers from the lines it prints.',
  ];
  if (cases.some((c) => c.sdkToken))
    notes.push(
      'Where the case let the SDK choose the client token, the .mjs sends none and retries with the one the SDK chose; the .sh',
      'gives a fresh one itself (the AWS CLI does not say which it chose), which its own retries keep.',
    );
  if (cases.some((c) => c.late))
    notes.push(
      "Then the same request is retried twice more, as a real client's retries come: once the original's processing has",
      `ended, and ${BACKOFF_MS} ms later (the SDK's standard backoff before its second retry).`,
    );
  if (rule === SERVER_ERROR)
    notes.push(
      `The case is run up to ${COUNTER_ROUNDS} times, each with fresh names and tokens, until the target breaks the rule: a target`,
      'that fails on its own after acting (every few creates or deletes) shows it only on the calls its counter picks.',
    );
  if (cases.some((c) => c.schedule.some((f) => f.fault === 'close')))
    notes.push(
      `A close case (the client gives up while the target works) runs up to ${RACE_ROUNDS} times, fresh names and tokens each: it`,
      "races the target's reading of its connection, which a busy machine may lose.",
    );
  if (rule === INTERLEAVED)
    notes.push(
      "The late original is released by an answer to its own call's retry (the SDK's invocation id): a target that keys on",
      "the SDK's amz-sdk-request attempt header shows in the .mjs only; Debian's AWS CLI 2.9 sends no such header, so the .sh",
      'runs the same case and cannot show it.',
    );
  return notes;
}

/**
 * A request the target answered with weather (its own 5xx or throttle) and whose resend of the same bytes then failed
 * (a cell that failed before its wire cases: a create of its prerequisites retried after the target's own 500).
 */
function weatherFailure(result: RuleResult): Exchange | undefined {
  const failed = (exchange: Exchange): boolean => {
    const status = exchange.response?.status;
    return status !== undefined && status >= 300 && status < 500 && status !== 429;
  };
  return result.evidence.find(
    (exchange) =>
      exchange.transient !== undefined &&
      /^(Create|Delete)/.test(exchange.operation) &&
      result.evidence.some(
        (later) => later.startedAt > exchange.startedAt && invocationOf(later) === invocationOf(exchange) && failed(later),
      ),
  );
}

/** A failing wire cell's reproducer, or why it has none. */
export function buildWireReproducer(result: RuleResult & { hookCalls?: HookCall[] }, name: string): Reproducer | string {
  const plans: Array<{ plan: Plan; who: string | undefined; sdkToken: boolean }> = [];
  const unnamed = result.rule !== INTERLEAVED && !/^Under fault /.test(result.reason) ? weatherFailure(result) : undefined;
  if (unnamed) {
    // No wire fault: the target's own weather, and the client's resend of the same request.
    plans.push({ plan: { clients: 1, modes: ['harness'], faults: [] }, who: undefined, sdkToken: false });
  } else if (result.rule === INTERLEAVED) {
    const plan = interleavedPlan(result);
    if (!plan) return 'the reason quotes no counterexample of the failing run';
    plans.push({ plan, who: undefined, sdkToken: false });
  } else {
    for (const c of scenarioCases(result)) {
      const plan = { clients: 1, modes: [c.mode], faults: [{ fault: c.fault, when: { kind: 'nth', n: 1 } }] };
      const tokenOp = operationSpec(result.operation)?.kind === 'create' && (operationSpec(result.operation) as { token?: boolean }).token;
      plans.push({ plan, who: `client (${c.fault}, ${c.mode})`, sdkToken: c.mode === 'sdk' && tokenOp === true });
    }
  }
  if (plans.length === 0) return 'the cell names no wire case (neither its reason nor its history)';
  const original = unnamed ?? originalOf(result, plans[0]!.who) ?? originalOf(result, undefined);
  if (!original) return "the evidence holds no request of the case's client";
  const cases: WireCase[] = [];
  for (const { plan, sdkToken } of plans) {
    const made = wireCase(result, original.operation, plan, sdkToken);
    if (typeof made === 'string') return made;
    cases.push(made);
  }
  const { steps, recorded, tokens, runId } = stepsOf(before(result, original));
  for (const step of steps) if (step.kind === 'call') delete step.group;
  const last = steps.length - 1;
  const decisive = steps[last] as CallStep;
  decisive.wire = cases;
  const kind = cases[0]!.kind;
  decisive.expect = {
    wire: true,
    why:
      kind === 'create'
        ? "every answer (the client's, its retries', the target's to each delivery) a success naming one resource, or weather"
        : "every answer (the client's, its retries', the target's to each delivery) a success, empty or naming the deleted " +
          'resource, or weather; then Get: gone or being deleted',
  };
  const input = { steps, recorded, tokens, operation: result.operation, reason: result.reason };
  if (kind === 'create') countAround(input, last, 1, 'exactly one new resource (the List count one more)');
  preconditions(input);
  return reproducerOf(result, name, { tokens, runId, steps, notes: wireNotes(result.rule, cases) });
}
