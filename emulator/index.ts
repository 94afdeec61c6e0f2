// The reference emulator of the Proton API, in-process:
//   const emulator = await startEmulator({ port: 0 });
//   new ProtonClient({ endpoint: emulator.url, ... });
//   await emulator.close();
// See emulator/README.md for what it emulates and the choices it makes.
import type { AddressInfo } from 'node:net';
import { World } from './accounts.ts';
import { DEFAULT_DURATIONS, durationsProblem, type Durations } from './durations.ts';
import { batchedWriter } from './log.ts';
import { behaviourOf } from './policy.ts';
import { createEmulatorServer } from './server.ts';

export type { Durations } from './durations.ts';
export { DEFAULT_DURATIONS } from './durations.ts';

export interface EmulatorOptions {
  /** 0 (the default here) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** One line per request: to stdout when true, or to this function. */
  log?: boolean | ((line: string) => void);
  /** Durations every account starts with (virtual ms), over the defaults. */
  durations?: Partial<Durations>;
  /** Faults of the catalogue to inject (policy.ts FAULTS). */
  faults?: string[];
  /** Conforming variants to show (policy.ts VARIANTS). */
  variants?: string[];
}

export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const behaviour = behaviourOf(options.faults, options.variants);
  const problem = options.durations === undefined ? undefined : durationsProblem(options.durations);
  if (problem !== undefined) throw new Error(problem);
  const durations: Durations = { ...DEFAULT_DURATIONS, ...behaviour.durations, ...options.durations };
  const log =
    options.log === true
      ? batchedWriter((text) => process.stdout.write(text))
      : typeof options.log === 'function'
        ? options.log
        : undefined;
  const server = createEmulatorServer({ world: new World(durations, behaviour.policy), log });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const port = options.port ?? 0;
      if (error.code === 'EADDRINUSE') reject(new Error(`port ${port} on ${host} is already in use`));
      else if (error.code === 'EACCES') reject(new Error(`no permission to listen on port ${port} of ${host}`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new Error(`can't listen on host ${host}`));
      else reject(error);
    });
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
