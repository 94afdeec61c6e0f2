// --wait-for-target: a service that is still starting (a CI job's service
// container) is probed until it answers, then the run starts; only a target
// that has not answered by the end of the wait is unreachable (exit 3).
import { setTimeout as delay } from 'node:timers/promises';
import { UnreachableError } from '../errors.ts';
import { probeHooks } from './probe.ts';

export interface WaitOptions {
  /** One probe's own timeout, ms (default 5,000; never past the end of the wait). */
  probeTimeoutMs?: number;
  /** Between two probes, ms (default 500). */
  intervalMs?: number;
  /** Told once, when the first probe found nothing: the run is waiting. */
  waiting?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * Probes `endpoint` (GET of the hooks' capabilities path: any HTTP answer
 * will do, a target without hooks answers it too) until it answers or
 * `withinMs` has passed; then throws the last UnreachableError, saying how
 * long it waited.
 */
export async function waitForTarget(endpoint: string, withinMs: number, options: WaitOptions = {}): Promise<void> {
  const started = Date.now();
  const deadline = started + withinMs;
  const probeTimeoutMs = options.probeTimeoutMs ?? 5_000;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      await probeHooks(endpoint, { timeoutMs: Math.max(1, Math.min(probeTimeoutMs, deadline - Date.now())) });
      return;
    } catch (error) {
      if (!(error instanceof UnreachableError)) throw error;
      const left = deadline - Date.now();
      if (left <= 0) {
        const waited = ((Date.now() - started) / 1000).toFixed(1);
        throw new UnreachableError(`${error.message} (no answer in ${waited} s of --wait-for-target, ${attempts} probes)`);
      }
      if (attempts === 1) options.waiting?.(`waiting up to ${seconds(withinMs)} for ${endpoint} to answer (--wait-for-target)`);
      await delay(Math.min(options.intervalMs ?? 500, left), undefined, options.signal ? { signal: options.signal } : {});
    }
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
