// How the harness waits: one abortable sleep and one backoff, for every
// caller that retries or polls (the request handler's weather, the sweep,
// waitFor, the bundle preflight, the live view). The wire proxy's timers
// are its own: they are the faults it injects, not waits.
import { setTimeout as delay } from 'node:timers/promises';

export interface SleepOptions {
  /** On abort: reject with the signal's reason (the default), or resolve at once. */
  onAbort?: 'reject' | 'resolve';
  /** Do not keep the process alive for this sleep alone. */
  unref?: boolean;
}

/**
 * Waits `ms`, ending early when `signal` aborts (at once when it already
 * has): then it rejects with the signal's reason, or with `onAbort:
 * 'resolve'` resolves, for a caller that checks its own state afterwards.
 */
export async function sleep(ms: number, signal?: AbortSignal, options: SleepOptions = {}): Promise<void> {
  try {
    await delay(ms, undefined, { ...(signal ? { signal } : {}), ref: options.unref !== true });
  } catch (error) {
    if (signal?.aborted !== true) throw error;
    if (options.onAbort === 'resolve') return;
    throw signal.reason;
  }
}

export interface Backoff {
  /** The interval before the first retry, milliseconds. */
  baseMs: number;
  /** Each retry's interval is the previous one's times this (1: a fixed interval). */
  factor: number;
  /** The interval's bounds before jitter; absent: unbounded. */
  floorMs?: number;
  capMs?: number;
  /**
   * The interval is multiplied by a number drawn in [low, high) and rounded
   * to the millisecond, so that callers waiting at once spread out; absent:
   * the interval as it is.
   */
  jitter?: readonly [low: number, high: number];
  /** The jitter's source, in [0, 1): a seeded one keeps a seeded run's waits the same. Default Math.random. */
  random?: () => number;
}

/**
 * The wait before retry `n` (1, 2, ...): baseMs × factor^(n−1), within
 * [floorMs, capMs], then jittered. A caller whose growth depends on what it
 * met (faster after a throttle) passes its current interval as baseMs and
 * takes n = 2 for the next one.
 */
export function backoff(policy: Backoff, n = 1): number {
  const grown = policy.baseMs * policy.factor ** (n - 1);
  const interval = Math.min(policy.capMs ?? Number.POSITIVE_INFINITY, Math.max(policy.floorMs ?? 0, grown));
  if (policy.jitter === undefined) return interval;
  const [low, high] = policy.jitter;
  const random = policy.random ?? Math.random;
  return Math.round(interval * low + random() * interval * (high - low));
}
