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
      "closes the client's connection at once (the client times out) and forwards the request only once a retry of the same call " +
      '(its SDK invocation id, else the same bytes) has been answered, or after MS: the retry overtakes its original, which the ' +
      'target receives last',
    forwards: true,
    answers: false,
    defaultMs: 200,
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
