// CheckContext.waitFor: probe until done. With the clock capability the
// target's virtual clock is advanced between probes (no real waiting: an
// eight-hour deletion costs a few requests); without it, real time passes
// with a growing interval, up to a timeout.
import type { Hooks, WaitOptions } from './types.ts';

export class WaitTimeout extends Error {
  constructor(description: string, elapsedMs: number, virtual: boolean, lastValue: unknown) {
    super(
      `timed out waiting for ${description} after ${formatMs(elapsedMs)}${virtual ? ' of virtual time' : ''}` +
        ` (last probe: ${preview(lastValue)})`,
    );
    this.name = 'WaitTimeout';
  }
}

export interface WaitEnvironment {
  /** Hooks when the target has the clock capability, else undefined. */
  clock: Pick<Hooks, 'advance'> | undefined;
  signal: AbortSignal;
  /** Records a step of the trail ("waiting for ...: 3 probes"). */
  step?: (text: string) => void;
}

const VIRTUAL = { intervalMs: 1_000, maxIntervalMs: 600_000, timeoutMs: 24 * 3_600_000 };
const REAL = { intervalMs: 200, maxIntervalMs: 5_000, timeoutMs: 10 * 60_000 };

export async function waitFor<T>(
  env: WaitEnvironment,
  description: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  options: WaitOptions = {},
): Promise<T> {
  const defaults = env.clock ? VIRTUAL : REAL;
  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
  let interval = options.intervalMs ?? defaults.intervalMs;
  const growing = options.intervalMs === undefined;
  let elapsed = 0;
  let probes = 0;
  for (;;) {
    env.signal.throwIfAborted();
    const value = await probe();
    probes++;
    if (done(value)) {
      env.step?.(`waited for ${description}: ${probes} probe${probes === 1 ? '' : 's'}, ${formatMs(elapsed)}${env.clock ? ' virtual' : ''}`);
      return value;
    }
    if (elapsed >= timeoutMs) throw new WaitTimeout(description, elapsed, env.clock !== undefined, value);
    const step = Math.min(interval, timeoutMs - elapsed);
    if (env.clock) await env.clock.advance(step);
    else await sleep(step, env.signal);
    elapsed += step;
    if (growing) interval = Math.min(interval * 2, defaults.maxIntervalMs);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
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
