// The embedded target: the reference emulator on an ephemeral loopback port.
// By default it runs in a worker thread, so that on two cores the suite and
// the emulator each get one (measured: see the harness report); `inline`
// keeps it on the main thread.
import { Worker } from 'node:worker_threads';
import { sleep } from '../pace.ts';

export interface EmbeddedEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

export type EmbeddedMode = 'worker' | 'inline';

export function defaultEmbeddedMode(env: NodeJS.ProcessEnv = process.env): EmbeddedMode {
  return env['PROTON_CONFORMANCE_EMULATOR_THREAD'] === 'inline' ? 'inline' : 'worker';
}

/**
 * What the embedded emulator is started with (a subset of emulator/index.ts
 * EmulatorOptions, passed as plain data): a rehearsal (harness/plan/plan.ts) asks
 * for the target's expected durations and only the hooks it needs.
 */
export interface EmbeddedOptions {
  durations?: Record<string, number>;
  hooks?: string[];
  /** Variants by name (the conforming ones, or the parity tests' of emulator/variants/parity.ts). */
  variants?: string[];
}

export async function startEmbedded(mode: EmbeddedMode = defaultEmbeddedMode(), options: EmbeddedOptions = {}): Promise<EmbeddedEmulator> {
  return mode === 'inline' ? startInline(options) : startInWorker(options);
}

interface EmulatorModule {
  startEmulator(options: { port: number } & EmbeddedOptions): Promise<{ url: string; port: number; close(): Promise<void> }>;
}

async function startInline(options: EmbeddedOptions): Promise<EmbeddedEmulator> {
  const modulePath = '../emulator/index.ts';
  const { startEmulator } = (await import(modulePath)) as EmulatorModule;
  const server = await startEmulator({ ...options, port: 0 });
  return { url: server.url, port: server.port, close: () => server.close() };
}

interface Ready {
  url: string;
  port: number;
}

function startInWorker(options: EmbeddedOptions): Promise<EmbeddedEmulator> {
  // execArgv: [] so the worker does not inherit the parent's loaders (vitest's,
  // tsx's); the entry registers tsx on its own.
  const worker = new Worker(new URL('./emulator-thread.mjs', import.meta.url), {
    execArgv: [],
    stdout: false,
    stderr: false,
    workerData: options,
  });
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(new Error(`embedded emulator failed to start: ${error.message}`));
    worker.once('error', onError);
    worker.once('exit', (code) => reject(new Error(`embedded emulator exited during start (code ${code})`)));
    worker.once('message', (ready: Ready) => {
      worker.off('error', onError);
      worker.removeAllListeners('exit');
      // A crash after the start: the cells will see refused connections and
      // fail; say why once, without a stack.
      worker.on('error', (error: Error) => {
        process.stderr.write(`proton-conformance: the embedded emulator stopped: ${error.message.split('\n')[0]}\n`);
      });
      // The run must not stay alive for the worker's sake once it is done.
      worker.unref();
      resolve({ url: ready.url, port: ready.port, close: () => closeWorker(worker) });
    });
  });
}

async function closeWorker(worker: Worker): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    worker.once('exit', () => resolve());
  });
  worker.postMessage('close');
  await Promise.race([closed, sleep(1_000, undefined, { unref: true })]);
  await worker.terminate();
}
