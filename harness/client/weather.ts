// Weather: the transient answers a busy target gives (a throttle, a 5xx, a
// reset connection, a timeout). None is a violation of the contract: the seed
// asks clients to retry through them. The request handler (http-handler.ts)
// resends the very same serialized request, which is the retry the contract
// allows for every step (a create with the same token, or of the same name; a
// delete again; a read again), with backoff and jitter, within a budget per
// step and per cell that does not depend on the SDK's shared retry quota. A
// step that never gets past the weather makes its cell `inconclusive`, never
// `fail`; what the target did is judged from the answer that came after it.
import { backoff } from '../pace.ts';
import { InconclusiveCheck } from '../types.ts';
import type { TransientCounts } from '../types.ts';

export type TransientKind = 'throttle' | 'server-error' | 'network';

/** Error types that mean "slow down" (AWS's JSON services and their load balancers). */
const THROTTLE_TYPES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'BandwidthLimitExceeded',
  // Not weather but the same remedy: the account's quota is full of the run's
  // own resources, whose deletions free it; the same request later succeeds.
  'ServiceQuotaExceededException',
]);

/** Network failures after which the same request may be sent again. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The error type an AWS JSON answer names (header first, as the SDK reads it), without namespace or suffix. */
export function answerErrorType(headers: Record<string, string>, body: string): string | undefined {
  let type = headers['x-amzn-errortype'];
  if (!type && body.startsWith('{')) {
    try {
      const parsed = JSON.parse(body) as Record<string, unknown>;
      const named = parsed['__type'] ?? parsed['code'];
      if (typeof named === 'string') type = named;
    } catch {
      // Not JSON: no type.
    }
  }
  if (!type) return undefined;
  const bare = type.split(':')[0]!;
  return bare.slice(bare.lastIndexOf('#') + 1);
}

/** Whether an answer is weather, and which kind. */
export function transientAnswer(status: number, headers: Record<string, string>, body: string): TransientKind | undefined {
  if (status >= 500) return 'server-error';
  if (status === 429) return 'throttle';
  if (status >= 400) {
    const type = answerErrorType(headers, body);
    if (type !== undefined && THROTTLE_TYPES.has(type)) return 'throttle';
  }
  return undefined;
}

/** Whether a failed request (no answer) is weather: a network failure, not the cell's own abort. */
export function transientFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'AbortError') return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && transientFailure(cause);
}

/** Retry-After (seconds, or an HTTP date), in milliseconds, bounded; undefined when absent or unreadable. */
export function retryAfterMs(headers: Record<string, string>, now = Date.now()): number | undefined {
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, MAX_DELAY_MS) : undefined;
}

export interface WeatherBudget {
  /** Retries of one step (one request the check sends) before it is given up. */
  retriesPerStep: number;
  /** Time one step may spend waiting between its retries, milliseconds. */
  stepWaitMs: number;
  /** Retries one cell may make in all. */
  retriesPerCell: number;
}

export const DEFAULT_WEATHER_BUDGET: WeatherBudget = { retriesPerStep: 10, stepWaitMs: 120_000, retriesPerCell: 2_000 };

const MIN_BASE_MS = 5;
const MAX_BASE_MS = 2_000;
const MAX_DELAY_MS = 30_000;
/** "Equal jitter": a wait between half and all of its interval. */
const EQUAL_JITTER = [0.5, 1] as const;
/** A throttle waits this many times longer than other weather. */
const THROTTLE_SCALE = 4;
/** The latest plain answers the pace is read from. */
const PACE_WINDOW = 64;
/** Which of them: a low percentile (0: the fastest). */
const PACE_PERCENTILE = 0.1;

export function emptyCounts(): TransientCounts {
  return { throttle: 0, serverError: 0, network: 0, retries: 0, exhausted: 0, injected: 0 };
}

/**
 * The header with which the wire checks' proxy (harness/wire/proxy.ts) marks an
 * answer it made up itself (a 500, 503 or throttle it injects): retried like
 * any other, but counted apart, since it is no weather of the target's.
 */
export const INJECTED_HEADER = 'x-proton-conformance-injected';

export function addCounts(into: TransientCounts, from: TransientCounts): void {
  into.throttle += from.throttle;
  into.serverError += from.serverError;
  into.network += from.network;
  into.retries += from.retries;
  into.exhausted += from.exhausted;
  into.injected = (into.injected ?? 0) + (from.injected ?? 0);
}

export function transientTotal(counts: TransientCounts): number {
  return counts.throttle + counts.serverError + counts.network;
}

/**
 * What a whole run knows of its target's pace: the round trip of its plain
 * answers when it is not busy, from which every backoff is scaled. A fast
 * local emulator is retried after milliseconds, a distant service after a
 * multiple of its own round trip; throttles wait four times longer than
 * other weather, and a Retry-After the target sends wins.
 *
 * The pace is a low percentile of the latest answers, not their average: an
 * answer's latency includes the time it queued behind the run's other
 * requests (at the target, in the suite's own event loop), which grows with
 * the run's concurrency. Scaled from an average, every backoff grew with the
 * load the run itself made, and a cell's wait cost many times its requests
 * (docs/weather.md). The fastest answers show the target's own round trip.
 */
export class RunWeather {
  readonly counts = emptyCounts();
  /** The latest plain answers' latencies (a ring of PACE_WINDOW). */
  private readonly recent: number[] = [];
  private next = 0;

  constructor(
    readonly budget: WeatherBudget = DEFAULT_WEATHER_BUDGET,
    private readonly random: () => number = Math.random,
  ) {}

  /** A plain (non-transient) answer took `ms`. */
  observeLatency(ms: number): void {
    if (this.recent.length < PACE_WINDOW) this.recent.push(ms);
    else this.recent[this.next] = ms;
    this.next = (this.next + 1) % PACE_WINDOW;
  }

  /** The target's unloaded round trip as the latest answers show it (their PACE_PERCENTILE), undefined before any. */
  paceMs(): number | undefined {
    if (this.recent.length === 0) return undefined;
    const sorted = [...this.recent].sort((a, b) => a - b);
    return sorted[Math.floor(PACE_PERCENTILE * (sorted.length - 1))];
  }

  /** The base delay: twice the unloaded round trip, within bounds. */
  baseMs(): number {
    return Math.min(MAX_BASE_MS, Math.max(MIN_BASE_MS, 2 * (this.paceMs() ?? MIN_BASE_MS)));
  }

  /**
   * The wait before retry number `retry` (1, 2, ...) of a step: exponential
   * from the base, halved and jittered ("equal jitter": between half and all
   * of it), so that cells retrying at once spread out.
   */
  delayMs(kind: TransientKind, retry: number, retryAfter: number | undefined): number {
    if (retryAfter !== undefined) return retryAfter;
    const scale = kind === 'throttle' ? THROTTLE_SCALE : 1;
    return backoff({ baseMs: this.baseMs() * scale, factor: 2, capMs: MAX_DELAY_MS, jitter: EQUAL_JITTER, random: this.random }, retry);
  }
}

/** One transient answer met by a step, for the cell's trail. */
export interface TransientEvent {
  operation: string;
  kind: TransientKind;
  /** "HTTP 503 ServiceUnavailable", "ThrottlingException", "ECONNRESET: ...". */
  what: string;
  /** Which retry of the step follows (1, 2, ...). */
  retry: number;
  waitMs: number;
}

/**
 * One cell's weather: its counts, its share of the budget, and whether a step
 * has given up (then every later request of the check fails at once with the
 * same reason, so that a property does not go on shrinking against it; the
 * cell's cleanups, after `freeze`, still send and retry).
 */
export class CellWeather {
  readonly counts = emptyCounts();
  private exhaustedReason: string | undefined;
  private frozen = false;
  /** The step in progress met an answer after which the target may have acted. */
  private ambiguous = false;

  constructor(
    readonly run: RunWeather,
    private readonly step: (text: string) => void = () => undefined,
  ) {}

  /** From now on (the cell's cleanups) nothing counts against the verdict. */
  freeze(): void {
    this.frozen = true;
  }

  /** The reason the check's steps can no longer be judged, once one gave up. */
  get exhausted(): string | undefined {
    return this.exhaustedReason;
  }

  /** Throws the cell's InconclusiveCheck when a step already gave up (not during cleanups). */
  throwIfExhausted(): void {
    if (!this.frozen && this.exhaustedReason !== undefined) throw new InconclusiveCheck(this.exhaustedReason);
  }

  /**
   * A transient answer to retry number `retry - 1` of a step that has waited
   * `waitedMs` so far. Resolves with the wait before the next retry, or
   * throws InconclusiveCheck when the step's or the cell's budget is spent.
   */
  transient(
    kind: TransientKind,
    operation: string,
    what: string,
    retry: number,
    waitedMs: number,
    retryAfter: number | undefined,
    injected = false,
  ): number {
    const counts = this.counts;
    const runCounts = this.run.counts;
    if (injected) {
      counts.injected = (counts.injected ?? 0) + 1;
      runCounts.injected = (runCounts.injected ?? 0) + 1;
    } else {
      const field = kind === 'throttle' ? 'throttle' : kind === 'server-error' ? 'serverError' : 'network';
      counts[field]++;
      runCounts[field]++;
    }
    const budget = this.run.budget;
    const waitMs = this.run.delayMs(kind, retry, retryAfter);
    const overStep = retry > budget.retriesPerStep || waitedMs + waitMs > budget.stepWaitMs;
    const overCell = counts.retries >= budget.retriesPerCell;
    if (overStep || overCell) {
      counts.exhausted++;
      runCounts.exhausted++;
      const limit = overCell
        ? `the cell's budget of ${budget.retriesPerCell} retries is spent`
        : `${retry - 1} retr${retry - 1 === 1 ? 'y' : 'ies'} of the same request over ${Math.round(waitedMs)} ms did not get past it`;
      const reason =
        `the target kept answering transiently: ${operation} got ${what} ` +
        `(${transientTotal(counts)} transient answers in this cell); ${limit}. ` +
        'A throttle, a 5xx or a reset is weather, not a violation: this cell could not be judged';
      if (!this.frozen) {
        this.exhaustedReason ??= reason;
        this.step(`weather: ${operation} gave up after ${what}`);
      }
      throw new InconclusiveCheck(reason);
    }
    counts.retries++;
    runCounts.retries++;
    // Throttles are routine and visible in the exchanges; an error after which
    // the target may have acted is worth a line in the trail.
    if (kind !== 'throttle' && !this.frozen) {
      this.ambiguous = true;
      this.step(
        `weather: ${operation} got ${what} (the target may or may not have acted); the same request (same token or name) is sent ` +
          `again after ${waitMs} ms`,
      );
    }
    return waitMs;
  }

  /**
   * A step got a plain answer after `transients` transient ones. Where one of
   * them may have followed the target's action (a 5xx, a reset), the trail
   * says what came after it: the answer the check judges, the one the
   * contract prescribes for a retry of the same request.
   */
  settled(operation: string, transients: number, answer: string): void {
    if (this.frozen || !this.ambiguous) return;
    this.ambiguous = false;
    this.step(
      `weather: ${operation} answered ${answer} after ${transients} transient answer${transients === 1 ? '' : 's'}: the check ` +
        'judges this answer, the one a retry of the same request must give',
    );
  }
}
