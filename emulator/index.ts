// The reference emulator of the Proton API, in-process:
//   const emulator = await startEmulator({ port: 0 });
//   new ProtonClient({ endpoint: emulator.url, ... });
//   await emulator.close();
// See emulator/README.md for what it emulates and the choices it makes.
import type { AddressInfo } from 'node:net';
import { World } from './accounts.ts';
import { attachRegistrar, BundleRegistrar, s3OptionsProblem, type S3Options } from './bundles.ts';
import { verifierOf, type AuthOptions } from './auth.ts';
import { DEFAULT_DURATIONS, durationsProblem, type Durations } from './durations.ts';
import { CAPABILITIES, countsOf } from './hooks.ts';
import { DEFAULT_ACCOUNT } from './identity.ts';
import type { Latency } from './flags.ts';
import { batchedWriter } from './log.ts';
import { behaviourOf, type Policy } from './policy.ts';
import { stream } from './random.ts';
import { createEmulatorServer } from './server.ts';
import { DEFAULT_SEED, queuedDelays, weatherProblem, type Weather } from './weather.ts';

export type { Durations } from './durations.ts';
export { DEFAULT_DURATIONS } from './durations.ts';
export type { Weather } from './weather.ts';
export type { S3Options } from './bundles.ts';
export type { AuthOptions, Credential } from './auth.ts';
export type { Latency } from './flags.ts';

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
  /**
   * The hook capabilities offered (docs/emulator-hooks.md: clock, durations,
   * reset, counts, accounts); default all, [] none. A variant may hide more.
   * Without `accounts`, every request lands in one account whatever key id
   * signs it.
   */
  hooks?: readonly string[];
  /** Transient failures (weather.ts), over the weather variants' presets. Default: none. */
  weather?: Weather;
  /** Seed of the weather and the latency (default weather.ts DEFAULT_SEED): one seed, one sequence of answers. */
  seed?: number;
  /**
   * A slow target (`--latency MIN-MAX`): every request, the hooks' too, waits
   * a delay drawn from [min, max] ms (real time; a generator of the seed)
   * before it is handled, as across a network or from a slower server.
   * Default: none.
   */
  latency?: Latency;
  /**
   * Read template bundles from this S3 endpoint (bundles.ts): a version
   * registers only once its `source.s3` object has been fetched and checked
   * as Proton checks a bundle, then reads DRAFT, or REGISTRATION_FAILED with
   * a statusMessage naming the problem. Without it (the default),
   * registration always succeeds and nothing is fetched.
   */
  s3?: S3Options;
  /**
   * Authentication (auth.ts). `{ mode: 'open' }` (the default): any
   * signature, the access key id picks the account. `{ mode: 'strict',
   * credentials, now? }`: SigV4 verified against these credentials, each
   * request in the account of its credential; the hooks are off (`hooks`
   * may only be [] or absent); `now` is the clock of the 15-minute window.
   */
  auth?: AuthOptions;
}

export interface RunningEmulator {
  url: string;
  port: number;
  /** The hook capabilities it offers. */
  hooks: string[];
  /** The weather in force (options and variants together). */
  weather: Weather;
  /** The S3 endpoint template bundles are read from, if any. */
  s3?: string;
  /** The authentication mode, and how many credentials strict mode accepts (never the secrets). */
  auth: { mode: 'open' | 'strict'; credentials: number };
  /**
   * In-process control for the project's own tests, whatever hooks are
   * offered: every account's virtual clock moved on by `ms` (a target
   * "without clock control" still ages, as a real one does).
   */
  advanceClock(ms: number): void;
  /** Resources of every account, by kind, summed (the counts hook's numbers, without the hook). */
  counts(): Record<string, number>;
  close(): Promise<void>;
}

/** The policy with only the chosen hook capabilities offered (and no more than it offered already). */
function withHooks(policy: Policy, hooks: readonly string[] | undefined): Policy {
  if (hooks === undefined) return policy;
  for (const name of hooks) {
    if (!(CAPABILITIES as readonly string[]).includes(name)) {
      throw new Error(`unknown hook capability "${name}" (known: ${CAPABILITIES.join(', ')})`);
    }
  }
  const offered = new Set(hooks);
  return { ...policy, offersHook: (capability) => offered.has(capability) && policy.offersHook(capability) };
}

/** Salt of the latency's stream of the seed (random.ts), apart from the weather's. */
const LATENCY_SALT = 0x1a7e;

/** The per-request delay (ms) of `latency`: whole milliseconds from min to max, both included. */
function latencyDraw(latency: Latency, seed: number): () => number {
  const { min, max } = latency;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || min > max) {
    throw new Error(`latency must be whole milliseconds with 0 <= min <= max, not ${min}-${max}`);
  }
  const next = stream(seed, LATENCY_SALT);
  return () => min + Math.floor(next() * (max - min + 1));
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const weatherIssue = options.weather === undefined ? undefined : weatherProblem(options.weather);
  if (weatherIssue !== undefined) throw new Error(weatherIssue);
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) throw new Error(`seed must be an integer, not ${options.seed}`);
  const verifier = verifierOf(options.auth);
  if (verifier !== undefined && options.hooks !== undefined && options.hooks.length > 0) {
    throw new Error('hooks are off in strict auth mode (it looks like a real account): leave hooks out, or []');
  }
  const s3Problem = options.s3 === undefined ? undefined : s3OptionsProblem(options.s3);
  if (s3Problem !== undefined) throw new Error(s3Problem);
  const behaviour = behaviourOf(options.faults, options.variants, { weather: options.weather, seed: options.seed });
  const policy = withHooks(behaviour.policy, verifier === undefined ? options.hooks : []);
  const problem = options.durations === undefined ? undefined : durationsProblem(options.durations);
  if (problem !== undefined) throw new Error(problem);
  const durations: Durations = { ...DEFAULT_DURATIONS, ...behaviour.durations, ...options.durations };
  const log =
    options.log === true
      ? batchedWriter((text) => process.stdout.write(text))
      : typeof options.log === 'function'
        ? options.log
        : undefined;
  // Strict mode: each credential names its account, whatever hooks are offered.
  const singleAccount = verifier !== undefined || policy.offersHook('accounts') ? undefined : DEFAULT_ACCOUNT;
  const world = new World(durations, policy, singleAccount);
  // Weather's `handlers`: the latency is service time at that many handlers, queued beyond them.
  const delay =
    options.latency === undefined
      ? undefined
      : queuedDelays(latencyDraw(options.latency, options.seed ?? DEFAULT_SEED), behaviour.weather.handlers);
  const server = createEmulatorServer({ world, log, verifier, delay });
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
  // Listening: from now on a create may fetch a bundle.
  const registrar = options.s3 === undefined ? undefined : new BundleRegistrar(options.s3);
  if (registrar !== undefined) attachRegistrar(world, registrar);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    hooks: CAPABILITIES.filter((capability) => policy.offersHook(capability)),
    weather: behaviour.weather,
    ...(registrar === undefined ? {} : { s3: registrar.options.endpoint }),
    auth: { mode: verifier === undefined ? 'open' : 'strict', credentials: verifier?.size ?? 0 },
    advanceClock(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) throw new Error(`advanceClock: ${ms} is not a finite number of milliseconds >= 0`);
      world.advanceClocks(ms);
    },
    counts() {
      const total: Record<string, number> = {};
      for (const account of world.allAccounts()) {
        for (const [kind, n] of Object.entries(countsOf(world, account))) total[kind] = (total[kind] ?? 0) + n;
      }
      return total;
    },
    close: async () => {
      const closed = new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      // Fetches in flight are aborted (their versions fail) and the S3 client released.
      await Promise.all([closed, registrar?.close()]);
    },
  };
}
