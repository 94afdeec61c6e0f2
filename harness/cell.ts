// Builds the CheckContext of one cell (one rule on one operation): its own
// account when the target isolates accounts, a recording client, hooks scoped
// to that account, unique names, waitFor, the step trail and cleanups.
import { setMaxListeners } from 'node:events';
import type { ProtonClient } from '@aws-sdk/client-proton';
import type { Dispatcher } from 'undici';
import type { CheckContext, ClientOptions } from './context.ts';
import type { Capability, WaitOptions, WireEvent } from './types.ts';
import { SkipCheck } from './types.ts';
import { createProtonClient } from './client.ts';
import type { Credentials } from './client.ts';
import { cellCredentials } from './credentials.ts';
import { describeError } from './errors.ts';
import { cellPhase } from './expiry-state.ts';
import type { RunPhase } from './expiry-state.ts';
import { sharedAccountHooks, steppedHooks } from './cell-hooks.ts';
import { createHooks } from './hooks.ts';
import { CellHold } from './lock.ts';
import type { CellLock } from './lock.ts';
import { TAG_CELL, TAG_RUN, makeUniqueName } from './names.ts';
import { createReader } from './ownership.ts';
import type { RefusedDelete, RunOwnership } from './ownership.ts';
import { Recorder } from './recorder.ts';
import type { ExchangeSink } from './recorder.ts';
import { waitFor } from './wait.ts';
import { createWireLinks } from './wire-link.ts';
import { CellWeather } from './weather.ts';
import type { RunWeather } from './weather.ts';

/** What every cell of a run shares. */
export interface RunEnvironment {
  endpoint: string;
  region: string;
  capabilities: ReadonlySet<Capability>;
  /** Per-account isolation: each cell signs as an account of its own. */
  accounts: boolean;
  /** Credentials of the standard chain, for targets without accounts. */
  credentials: Credentials | undefined;
  pool: Dispatcher;
  runId: string;
  seed: number;
  numRuns: number;
  path: string | undefined;
  /** The run's sinks: the shape ledger and the request counter. */
  sinks: readonly ExchangeSink[];
  /** Counts hook requests (not recorded as exchanges). */
  countRequest: () => void;
  /** Shared lock of cells when the target has no accounts (clock and durations are global). */
  lock: CellLock | undefined;
  /** The ownership guard of every Delete* (harness/ownership.ts); absent for the embedded emulator. */
  ownership?: RunOwnership;
  /** The run's weather (harness/weather.ts): transient answers are retried; absent, they reach the checks. */
  weather?: RunWeather;
  /** `--phase record|verify` of client-token/expiry (harness/expiry-state.ts). */
  phase?: RunPhase;
}

export interface CellIdentity {
  index: number;
  rule: string;
  operation: string;
}

export interface Cell {
  readonly context: CheckContext;
  readonly recorder: Recorder;
  readonly steps: readonly string[];
  readonly hold: CellHold;
  /** Deletes the ownership guard refused (the cell is then inconclusive). */
  readonly refusedDeletes: readonly RefusedDelete[];
  /** The transient answers the cell met (undefined when the run does not retry them). */
  readonly weather: CellWeather | undefined;
  /** The cell's wire history (CheckContext.throughProxy), when it used a proxy. */
  readonly wireHistory: () => WireEvent[] | undefined;
  /** Aborts the check (timeout, Ctrl-C); cleanups can still send requests. */
  abort(reason: string): void;
  /** Runs every cleanup (last registered first); returns the failures, described. */
  runCleanups(timeoutMs: number): Promise<string[]>;
}

const STEP_LIMIT = 500;
const GLOBAL_HOOKS = new Set<Capability>(['clock', 'durations', 'reset']);

/** The access key id the client signs with (a static identity or the chain's provider). */
async function accessKeyIdOf(credentials: Credentials): Promise<string | undefined> {
  const identity = typeof credentials === 'function' ? await credentials() : credentials;
  return identity.accessKeyId;
}

export function createCell(env: RunEnvironment, id: CellIdentity): Cell {
  const controller = new AbortController();
  // Every request of the cell in flight (32 concurrent creates, their
  // retries' waits) listens to this one signal: many listeners is the design.
  setMaxListeners(0, controller.signal);
  let requestSignal: AbortSignal = controller.signal;
  const recorder = new Recorder(200, env.sinks);
  const steps: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  const hold = new CellHold(env.lock);
  const isolated = env.accounts;
  // Without accounts: the standard chain's (undefined lets the SDK resolve it).
  const own = isolated ? cellCredentials(env.runId, id.index) : undefined;
  const credentials: Credentials | undefined = own ?? env.credentials;
  // Hooks act on the account the requests are signed for: the cell's own, or the chain's.
  const account = own?.accessKeyId ?? (env.credentials !== undefined ? () => accessKeyIdOf(env.credentials!) : undefined);
  let counter = 0;

  const step = (description: string): void => {
    if (steps.length >= STEP_LIMIT) steps.shift();
    steps.push(description);
  };
  const weather = env.weather ? new CellWeather(env.weather, step) : undefined;
  const refusedDeletes: RefusedDelete[] = [];
  const guardReader = env.ownership ? createReader({ endpoint: env.endpoint, region: env.region, credentials }) : undefined;
  // Refusals during the check make the cell inconclusive; the report lists those of its cleanups too.
  let cleaning = false;
  const guard = env.ownership?.forCell(guardReader!, `${id.rule} ${id.operation}`, (refused) => {
    if (cleaning) refused.cell = `${refused.cell ?? ''} (cleanup)`.trim();
    else refusedDeletes.push(refused);
  });
  const onCleanup = (action: () => Promise<void>): void => {
    cleanups.push(action);
  };
  const newClient = (options?: ClientOptions): ProtonClient =>
    createProtonClient(
      {
        endpoint: env.endpoint,
        region: env.region,
        credentials,
        pool: env.pool,
        sink: recorder,
        signal: () => requestSignal,
        gate: () => hold.pending(),
        ...(guard ? { ownership: guard } : {}),
        ...(weather ? { weather } : {}),
      },
      options,
    );
  // Clients through the cell's wire proxies: the same client, at the proxy, its exchanges also in the wire history.
  const wire = createWireLinks(env.endpoint, env.seed, (endpoint, extra, options) =>
    createProtonClient(
      {
        endpoint,
        region: env.region,
        credentials,
        pool: env.pool,
        sink: { record: (exchange) => (recorder.record(exchange), extra.record(exchange)) },
        signal: () => requestSignal,
        gate: () => hold.pending(),
        ...(guard ? { ownership: guard } : {}),
        ...(weather ? { weather } : {}),
      },
      options,
    ),
  );
  const baseHooks =
    env.capabilities.size > 0
      ? createHooks({
          endpoint: env.endpoint,
          pool: env.pool,
          capabilities: env.capabilities,
          account,
          onRequest: env.countRequest,
        })
      : undefined;
  const scopedHooks = baseHooks && !isolated ? sharedAccountHooks(baseHooks, hold, onCleanup) : baseHooks;
  // What a check does to time and durations is part of its evidence trail;
  // waitFor's own clock steps are summed up in one step instead.
  const hooks = scopedHooks ? steppedHooks(scopedHooks, step) : undefined;

  const context: CheckContext = {
    client: newClient(),
    newClient,
    throughProxy: (faults, seed) => wire.throughProxy(faults, seed),
    hooks,
    capabilities: env.capabilities,
    runsAlone: () => isolated || hold.exclusive,
    require(capability: Capability, why: string) {
      if (!env.capabilities.has(capability)) {
        throw new SkipCheck(`the target lacks the '${capability}' capability (emulator hooks), needed to ${why}`);
      }
      // Without per-account isolation a clock jump or a duration change
      // touches every cell: from now on this cell runs alone.
      if (!isolated && GLOBAL_HOOKS.has(capability)) void hold.upgrade();
    },
    uniqueName(hint: string) {
      counter++;
      return makeUniqueName(env.runId, id.index, counter, hint);
    },
    tags: [
      { key: TAG_RUN, value: env.runId },
      { key: TAG_CELL, value: `${id.rule} ${id.operation}` },
    ],
    seed: env.seed,
    numRuns: env.numRuns,
    path: env.path,
    waitFor<T>(description: string, probe: () => Promise<T>, done: (value: T) => boolean, options?: WaitOptions) {
      const clock = scopedHooks && env.capabilities.has('clock') ? scopedHooks : undefined;
      return waitFor({ clock, signal: controller.signal, step }, description, probe, done, options);
    },
    step,
    onCleanup,
    signal: controller.signal,
    ...(env.phase ? { phase: cellPhase(env.phase, id.index, id.operation) } : {}),
  };

  return {
    context,
    recorder,
    steps,
    hold,
    weather,
    refusedDeletes,
    wireHistory: () => wire.history(),
    abort(reason: string) {
      controller.abort(new Error(reason));
    },
    async runCleanups(timeoutMs: number) {
      // The check's signal may be aborted; cleanups get a signal of their own.
      const deadline = AbortSignal.timeout(timeoutMs);
      setMaxListeners(0, deadline);
      cleaning = true;
      requestSignal = deadline;
      recorder.freeze();
      weather?.freeze();
      const failures: string[] = [];
      for (const action of cleanups.splice(0).reverse()) {
        if (deadline.aborted) {
          failures.push(`cleanup not run: the ${Math.round(timeoutMs / 1000)} s cleanup budget ran out`);
          break;
        }
        try {
          await action();
        } catch (error) {
          failures.push(describeError(error));
        }
      }
      guardReader?.destroy();
      await wire.close();
      return failures;
    },
  };
}
