// Emulators with faults or variants, for the mutation analysis: started in a
// worker thread (on two cores the suite and the emulator each get one, as
// for the embedded target), reached through the harness's own target
// resolution (probe, capabilities, pool), so that the suite meets them as it
// meets any endpoint.
import { Worker } from 'node:worker_threads';
import { resolveTarget } from '../harness/target/target.ts';
import type { Target } from '../harness/target/target.ts';
import type { Weather } from '../emulator/weather.ts';

export interface EmulatorChoice {
  faults?: readonly string[];
  variants?: readonly string[];
  /** Seed of the emulator's weather (the run's seed, so that --seed repeats it). */
  seed?: number;
  /** A slow target (the emulator's `latency` option, ms per request). */
  latency?: { min: number; max: number };
  /** Weather over the variants' presets (the emulator's `weather` option: rates, handlers). */
  weather?: Weather;
}

interface Reply {
  id?: number;
  url?: string;
  stopped?: boolean;
  error?: string;
  ready?: boolean;
}

/** One worker thread that starts and stops emulators on request. */
export class EmulatorHost {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(reply: Reply): void; reject(error: Error): void }>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => {
      if (reply.id === undefined) return;
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      if (reply.error !== undefined) waiter.reject(new Error(reply.error));
      else waiter.resolve(reply);
    });
    worker.on('error', (error) => {
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
  }

  static async start(): Promise<EmulatorHost> {
    // execArgv: [] so the worker does not inherit the parent's loaders; the entry registers tsx.
    const worker = new Worker(new URL('./emulator-host.mjs', import.meta.url), { execArgv: [], stdout: false, stderr: false });
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the emulator host exited during its start (code ${code})`)));
      worker.once('message', () => {
        worker.removeAllListeners('exit');
        worker.off('error', reject);
        resolve();
      });
    });
    worker.unref();
    return new EmulatorHost(worker);
  }

  private request(message: Record<string, unknown>): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (reply) => {
          this.pending.delete(id);
          resolve(reply);
        },
        reject: (error) => {
          this.pending.delete(id);
          reject(error);
        },
      });
      this.worker.postMessage({ ...message, id });
    });
  }

  /** An emulator with the chosen faults and variants, as a target of the suite. */
  async target(choice: EmulatorChoice): Promise<Target> {
    const started = await this.request({
      kind: 'start',
      faults: [...(choice.faults ?? [])],
      variants: [...(choice.variants ?? [])],
      seed: choice.seed,
      latency: choice.latency,
      weather: choice.weather,
    });
    const emulator = started.id!;
    const stop = async (): Promise<void> => {
      await this.request({ kind: 'stop', emulator }).catch(() => undefined);
    };
    try {
      const target = await resolveTarget({ endpoint: started.url!, env: {} });
      return {
        ...target,
        close: async () => {
          await target.close();
          await stop();
        },
      };
    } catch (error) {
      await stop();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
