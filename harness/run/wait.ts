// CheckContext.waitFor: probe until done. With the clock capability the
// target's virtual clock is advanced between probes (no real waiting: an
// eight-hour deletion costs a few requests); without it, real time passes
// with a growing interval, up to a timeout.
import { backoff, sleep } from '../pace.ts';
import type { Hooks, WaitOptions } from '../types.ts';
import { InconclusiveCheck } from '../types.ts';

/**
 * A wait that outlasted its bound: the target's asynchronous step was not
 * seen to end, which the seed does not bound. Not a violation: the cell is
 * inconclusive (an InconclusiveCheck), with what the last probe saw.
 */
export class WaitTimeout extends InconclusiveCheck {
  constructor(description: string, elapsedMs: number, virtual: boolean, lastValue: unknown) {
    super(
      `timed out waiting for ${description} after ${formatMs(elapsedMs)}${virtual ? ' of virtual time' : ''}` +
        ` (last probe: ${preview(lastValue)}); the wait's bound is --wait-timeout`,
    );
  }
}

export interface WaitEnvironment {
  /** Hooks when the target has the clock capability, else undefined. */
  clock: Pick<Hooks, 'advance'> | undefined;
  signal: AbortSignal;
  /** Records a step of the trail ("waiting for ...: 3 probes"). */
  step?: (text: string) => void;
  /**
   * Poll on the real-time schedule even when `clock` moves time (a rehearsal
   * of a run against a target without a clock: harness/plan/plan.ts).
   */
  realSchedule?: boolean;
  /** Told how long each wait lasted (virtual or real), for the cell's time spent waiting on the target. */
  waited?: (ms: number) => void;
  /** The bound of a wait that names none, on the real-time schedule (default 30 min). */
  realTimeoutMs?: number;
}

/** Virtual time: 1 s between probes, doubling, at most 10 min. */
const VIRTUAL = { intervalMs: 1_000, maxIntervalMs: 600_000, timeoutMs: 24 * 3_600_000 };
/**
 * Real time: the next probe comes a tenth of the time waited so far later
 * (at least 200 ms, at most 5 s), jittered by up to a fifth: a transition is
 * seen at most about 10% after it ended, with few probes for long ones, and
 * cells polling at once spread out.
 */
const REAL = { intervalMs: 200, maxIntervalMs: 5_000, timeoutMs: 30 * 60_000 };
const REAL_JITTER = [0.8, 1] as const;

export async function waitFor<T>(
  env: WaitEnvironment,
  description: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  options: WaitOptions = {},
): Promise<T> {
  const real = env.clock === undefined || env.realSchedule === true;
  const defaults = real ? REAL : VIRTUAL;
  const timeoutMs = options.timeoutMs ?? (real ? (env.realTimeoutMs ?? REAL.timeoutMs) : VIRTUAL.timeoutMs);
  let interval = options.intervalMs ?? defaults.intervalMs;
  const growing = options.intervalMs === undefined;
  let elapsed = 0;
  let probes = 0;
  for (;;) {
    env.signal.throwIfAborted();
    const value = await probe();
    probes++;
    if (done(value)) {
      env.step?.(
        `waited for ${description}: ${probes} probe${probes === 1 ? '' : 's'}, ${formatMs(elapsed)}${env.clock ? ' virtual' : ''}`,
      );
      env.waited?.(elapsed);
      return value;
    }
    if (elapsed >= timeoutMs) {
      env.waited?.(elapsed);
      throw new WaitTimeout(description, elapsed, env.clock !== undefined, value);
    }
    const step = Math.min(interval, timeoutMs - elapsed);
    if (env.clock) await env.clock.advance(step);
    else await sleep(step, env.signal);
    elapsed += step;
    if (growing) interval = nextInterval(real, elapsed, probes);
  }
}

/** The interval before the next probe of a wait that names none, after `elapsed` and `probes`. */
function nextInterval(real: boolean, elapsed: number, probes: number): number {
  return real
    ? backoff({ baseMs: elapsed / 10, factor: 1, floorMs: REAL.intervalMs, capMs: REAL.maxIntervalMs, jitter: REAL_JITTER })
    : backoff({ baseMs: VIRTUAL.intervalMs, factor: 2, capMs: VIRTUAL.maxIntervalMs }, probes + 1);
}

export function formatMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 6_000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
