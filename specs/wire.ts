// The faults the wire proxy (harness/wire/proxy.ts) can put between a client and a
// target, as data: their names, what each does to one delivery, and which of
// them each rule of the `wire` category (CONTRACT.md "Wire faults") is
// checked under. The proxy carries them out; suites/scenarios/wire.ts judges
// what the target and the clients made of them.

/** What the proxy can do to one delivery of a request. */
export type WireFaultKind =
  | 'drop'
  | 'close'
  | 'late'
  | 'duplicate'
  | 'overlap'
  | 'delay'
  | 'reorder'
  | '500-before'
  | '500-after'
  | '503-before'
  | '503-after'
  | 'throttle-before'
  | 'throttle-after';

export interface WireFaultInfo {
  /** What the fault does, in one sentence (CLI help, timelines). */
  description: string;
  /** Whether the target receives the request (at least once). */
  forwards: boolean;
  /** Whether the target's own answer reaches the client. */
  answers: boolean;
  /** The default of the fault's `:MS` argument, where it takes one. */
  defaultMs?: number;
}

export const WIRE_FAULTS: Readonly<Record<WireFaultKind, WireFaultInfo>> = {
  drop: {
    description:
      'forwards the request, then closes the client connection once the target has answered: the response is lost on its way back',
    forwards: true,
    answers: false,
  },
  close: {
    description:
      "forwards the request and, once it is written to the target (and MS later, when given), closes the client's connection and " +
      'aborts the forwarded request, as a load balancer does when its client gives up: the client times out while the target is ' +
      'still working, and the target finishes',
    forwards: true,
    answers: false,
    defaultMs: 0,
  },
  late: {
    description:
      "closes the client's connection at once (the client times out) and forwards the request only once a retry of it (the same " +
      'SDK invocation, or the same operation and body) has been answered, a gate bounded by MS: the retry overtakes its ' +
      'original, which the target receives last',
    forwards: true,
    answers: false,
    defaultMs: 5_000,
  },
  duplicate: {
    description: 'delivers the request twice, back to back (the second once the first is answered); the client gets the first answer',
    forwards: true,
    answers: true,
  },
  overlap: {
    description: 'delivers the request twice at once; the client gets the answer that comes first',
    forwards: true,
    answers: true,
  },
  delay: { description: 'holds the request for MS before forwarding it', forwards: true, answers: true, defaultMs: 20 },
  reorder: {
    description: 'holds the request until the next one has been forwarded (at most MS), so that a later request overtakes it',
    forwards: true,
    answers: true,
    defaultMs: 50,
  },
  '500-before': { description: 'answers InternalServerException (HTTP 500) itself, without forwarding', forwards: false, answers: false },
  '500-after': {
    description:
      "forwards the request and, once the target has acted, answers InternalServerException (HTTP 500) instead of the target's answer",
    forwards: true,
    answers: false,
  },
  '503-before': { description: 'answers HTTP 503 (a gateway page) itself, without forwarding', forwards: false, answers: false },
  '503-after': {
    description: "forwards the request and, once the target has acted, answers HTTP 503 (a gateway page) instead of the target's answer",
    forwards: true,
    answers: false,
  },
  'throttle-before': {
    description: 'answers ThrottlingException (HTTP 429, as the model has it) itself, without forwarding',
    forwards: false,
    answers: false,
  },
  'throttle-after': {
    description:
      "forwards the request and, once the target has acted, answers ThrottlingException (HTTP 429) instead of the target's answer",
    forwards: true,
    answers: false,
  },
};

export const WIRE_FAULT_KINDS = Object.keys(WIRE_FAULTS) as WireFaultKind[];

/** The lost-response faults (wire/lost-response-retry). */
export const LOST_RESPONSE_FAULTS: readonly WireFaultKind[] = ['drop', 'close', 'late'];
/** The duplicate deliveries (wire/duplicate-delivery). */
export const DUPLICATE_FAULTS: readonly WireFaultKind[] = ['duplicate', 'overlap'];
/** The server errors (wire/server-error-retry), before and after the target acted. */
export const SERVER_ERROR_FAULTS: readonly WireFaultKind[] = [
  '500-before',
  '500-after',
  '503-before',
  '503-after',
  'throttle-before',
  'throttle-after',
];
/** What an interleaving of retries may meet (wire/interleaved-retries): every fault. */
export const INTERLEAVING_FAULTS: readonly WireFaultKind[] = WIRE_FAULT_KINDS;

/** Requests the proxy may fault: the contract's mutations. Reads, hooks and STS always pass untouched. */
export const FAULTABLE_OPERATION = /^(Create|Delete)[A-Za-z]+$/;

/** How many clients the interleavings of wire/interleaved-retries run at once. */
export const INTERLEAVED_CLIENTS = { min: 2, max: 32 } as const;

/**
 * The wire cases' retries at a client's pace (wire/lost-response-retry,
 * wire/server-error-retry; suites/lib/late-retry.ts): after the immediate
 * ones, one once the original's processing has ended at the target, one after
 * the SDK's standard backoff. The backoff's base and cap are the SDK's own
 * (DEFAULT_RETRY_DELAY_BASE, MAXIMUM_RETRY_DELAY of @smithy/util-retry: 100 ms,
 * 20 s); its jitter draws the k-th retry's delay in [0, base × 2^(k−1)), capped:
 * the backoff retry waits the top of the `backoffRetry`-th one's window, the
 * latest the strategy would wait before it.
 */
export const LATE_RETRIES = {
  /** The SDK retry whose backoff window the backoff retry waits out: the second (100 ms × 2 = 200 ms). */
  backoffRetry: 2,
  /** A forward the proxy aborted: the settle time is this many of the direct reads' round trips to the target... */
  settleRoundTrips: 4,
  /** ...and at least this, milliseconds. */
  settleFloorMs: 10,
  /** Direct reads, one settle time apart, before the retry goes out anyway. */
  settleReads: 3,
} as const;

/**
 * The interleavings the wire cases and the concurrent checks need (issue 19): what must have happened between a
 * request's copies, its retries and the target for a case to have checked anything. Each is read from the proxy's
 * history (the times each delivery was sent to the target and answered: harness/wire/interleavings.ts), so it
 * works against any target.
 */
export type Interleaving =
  | 'retry-after-lost-answer'
  | 'retry-after-client-gave-up'
  | 'retry-overtakes-original'
  | 'own-retry-overtakes-original'
  | 'copy-after-answer'
  | 'copies-at-once'
  | 'retry-after-unforwarded-error'
  | 'retry-after-error-after-acting'
  | 'requests-at-once';

export const INTERLEAVINGS: Readonly<Record<Interleaving, string>> = {
  'retry-after-lost-answer': 'the target answered the original, the client never saw it, and a retry reached the target after that',
  'retry-after-client-gave-up':
    'the client gave up on the original while the target was working on it (its forward aborted before any answer), and a ' +
    'retry reached the target after that',
  'retry-overtakes-original': 'a retry was answered before the original reached the target, which got the original last',
  'own-retry-overtakes-original':
    "a retry of the original's own call (its SDK invocation, a later attempt) was answered before the original reached the " +
    'target, which got the original last',
  'copy-after-answer': 'the second copy reached the target after the first had been answered',
  'copies-at-once': 'both copies were at the target before either was answered',
  'retry-after-unforwarded-error': 'the original never reached the target (the proxy answered it), and a retry did',
  'retry-after-error-after-acting':
    'the target answered the original, the client was shown an error instead, and a retry reached the target after that',
  'requests-at-once': 'at least two of the identical requests were at the target at once (each sent before the other was answered)',
};

/** The interleaving each fault is meant to create for the request whose delivery it meets. */
export const FAULT_INTERLEAVING: Readonly<Partial<Record<WireFaultKind, Interleaving>>> = {
  drop: 'retry-after-lost-answer',
  close: 'retry-after-client-gave-up',
  late: 'retry-overtakes-original',
  duplicate: 'copy-after-answer',
  overlap: 'copies-at-once',
  '500-before': 'retry-after-unforwarded-error',
  '503-before': 'retry-after-unforwarded-error',
  'throttle-before': 'retry-after-unforwarded-error',
  '500-after': 'retry-after-error-after-acting',
  '503-after': 'retry-after-error-after-acting',
  'throttle-after': 'retry-after-error-after-acting',
};

/**
 * How many times a case whose interleaving did not happen is run again (each time with a fresh name, token or
 * resource): when it never happens in this many attempts, the cell is inconclusive, never pass.
 */
export const INTERLEAVING_ATTEMPTS = 5;
