// Builds the CheckContext of one cell (one rule on one operation): its own
// account when the target isolates accounts, a recording client, hooks scoped
// to that account, unique names, waitFor, the step trail and cleanups.
import { setMaxListeners } from 'node:events';
import type { ProtonClient } from '@aws-sdk/client-proton';
import type { Dispatcher } from 'undici';
import type { CheckContext, ClientOptions } from './context.ts';
import type { Capability, HookCall, InterleavingCount, PacedCost, WaitOptions, WireEvent } from '../types.ts';
import { SkipCheck } from '../types.ts';
import { createProtonClient } from '../client/client.ts';
import type { Credentials } from '../client/client.ts';
import { cellCredentials } from '../target/credentials.ts';
import { describeError } from '../errors.ts';
import { cellPhase } from './expiry-state.ts';
import type { RunPhase } from './expiry-state.ts';
import { notedHooks, sharedAccountHooks, steppedHooks } from './cell-hooks.ts';
import { createHooks } from '../target/hooks.ts';
import { CellHold } from './lock.ts';
import type { CellLock } from './lock.ts';
import { TAG_CELL, TAG_RUN, makeUniqueName } from '../safety/names.ts';
import { createReader } from '../safety/ownership.ts';
import type { RefusedDelete, RunOwnership } from '../safety/ownership.ts';
import { Recorder } from '../client/recorder.ts';
import type { ExchangeSink } from '../client/recorder.ts';
import { waitFor } from './wait.ts';
import { createWireLinks } from '../wire/link.ts';
import { CellWeather } from '../client/weather.ts';
import { sleep } from '../pace.ts';
import type { LiveResources } from './live.ts';
import type { RunWeather } from '../client/weather.ts';
import type { BundleSources } from '../../specs/types.ts';
import { PLACEHOLDER_BUNDLES } from '../../specs/values.ts';

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
  /** The target's measured median round trip, milliseconds (CheckContext.roundTripMs). */
  roundTripMs?: number;
  /** The run's sinks: the shape ledger and the request counter. */
  sinks: readonly ExchangeSink[];
  /** Counts hook requests (not recorded as exchanges). */
  countRequest: () => void;
  /** Shared lock of cells when the target has no accounts (clock and durations are global). */
  lock: CellLock | undefined;
  /** The ownership guard of every Delete* (harness/safety/ownership.ts); absent for the embedded emulator. */
  ownership?: RunOwnership;
  /** The run's weather (harness/client/weather.ts): transient answers are retried; absent, they reach the checks. */
  weather?: RunWeather;
  /** `--phase record|verify` of client-token/expiry (harness/run/expiry-state.ts). */
  phase?: RunPhase;
  /**
   * A rehearsal (harness/plan/plan.ts): the checks see the capabilities of the
   * target rehearsed for (no clock), while every wait they make moves the
   * rehearsal emulator's virtual clock instead of passing in real time.
   */
  rehearsal?: boolean;
  /** The bound of a real-time wait that names none, milliseconds (--wait-timeout). */
  waitTimeoutMs?: number;
  /** --max-live-resources: creates wait for room (harness/run/live.ts). */
  live?: LiveResources;
  /** The template bundles of the run (`--bundle-bucket`); placeholders when absent. */
  bundles?: BundleSources;
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
  /** The hook calls that move the target's clock or change its durations, in order. */
  readonly hookCalls: readonly HookCall[];
  readonly hold: CellHold;
  /** Deletes the ownership guard refused (the cell is then inconclusive). */
  readonly refusedDeletes: readonly RefusedDelete[];
  /** The transient answers the cell met (undefined when the run does not retry them). */
  readonly weather: CellWeather | undefined;
  /** Time the check spent waiting on the target's asynchronous steps (virtual or real), milliseconds. */
  readonly waitedMs: () => number;
  /** The cell's wire history (CheckContext.throughProxy), when it used a proxy. */
  readonly wireHistory: () => WireEvent[] | undefined;
  /** The interleavings its wire checks intended and exercised (WireLink.tally), when they counted any. */
  readonly wireInterleavings: () => InterleavingCount | undefined;
  /** The retries at a client's pace its wire checks made (WireLink.pace), when they counted any. */
  readonly wirePaced: () => PacedCost | undefined;
  /** Aborts the check (timeout, Ctrl-C); cleanups can still send requests. */
  abort(reason: string): void;
  /** Runs every cleanup (last registered first); returns the failures, described. */
  runCleanups(timeoutMs: number): Promise<string[]>;
}

const STEP_LIMIT = 500;
/** The bound of closing a cell's wire proxies. */
const PROXY_CLOSE_MS = 5_000;

/** Resolves (undefined) once `signal` aborts. */
function aborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(undefined);
    else signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
}
const GLOBAL_HOOKS = new Set<Capability>(['clock', 'durations', 'reset']);

/** The access key id the client signs with (a static identity or the chain's provider). */
async function accessKeyIdOf(credentials: Credentials): Promise<string | undefined> {
  const identity = typeof credentials === 'function' ? await credentials() : credentials;
  return identity.accessKeyId;
}

/** One cleanup action; those of a group run at once. */
interface CleanupAction {
  action: () => Promise<void>;
  group: string | undefined;
}

/**
 * Time a cell spends waiting on the target. In a rehearsal, the virtual time
 * its waits moved the clock by (waits at once share the one clock of the
 * cell's account: their moves add up to the time they overlap in);
 * otherwise the real time during which at least one wait was in progress.
 */
class WaitMeter {
  private virtualMs = 0;
  private realMs = 0;
  private waiting = 0;
  private since = 0;

  constructor(private readonly rehearsal: boolean) {}

  readonly waited = (ms: number): void => {
    this.virtualMs += ms;
  };

  async during<T>(wait: () => Promise<T>): Promise<T> {
    if (this.waiting++ === 0) this.since = performance.now();
    try {
      return await wait();
    } finally {
      if (--this.waiting === 0) this.realMs += performance.now() - this.since;
    }
  }

  readonly total = (): number => (this.rehearsal ? this.virtualMs : this.realMs);
}

/** What the cell's clients share: where they send, how they sign, what they record and wait for. */
interface ClientParts {
  credentials: Credentials | undefined;
  recorder: Recorder;
  /** The signal of the cell's requests: the check's, or during cleanups the cleanup budget's. */
  signal: () => AbortSignal;
  gate: (operation: string, signal: AbortSignal | undefined) => Promise<void> | undefined;
  guard: ReturnType<RunOwnership['forCell']> | undefined;
  weather: CellWeather | undefined;
}

/** The cell's SDK clients: direct, and through its wire proxies. */
function cellClients(env: RunEnvironment, parts: ClientParts) {
  const common = {
    endpoint: env.endpoint,
    region: env.region,
    credentials: parts.credentials,
    pool: env.pool,
    signal: parts.signal,
    gate: parts.gate,
    ...(parts.guard ? { ownership: parts.guard } : {}),
    ...(parts.weather ? { weather: parts.weather } : {}),
  };
  const newClient = (options?: ClientOptions): ProtonClient => createProtonClient({ ...common, sink: parts.recorder }, options);
  // Clients through the cell's wire proxies: the same client, connected to the
  // proxy, its exchanges also in the wire history. It signs for the target's
  // own endpoint (Host included), as a client behind a proxy does: the proxy
  // forwards those bytes as they are, to an https target over TLS.
  const wire = createWireLinks(env.endpoint, env.seed, (proxyUrl, extra, options) =>
    createProtonClient(
      {
        ...common,
        connectTo: proxyUrl,
        sink: {
          record: (exchange) => {
            parts.recorder.record(exchange);
            extra.record(exchange);
          },
        },
      },
      options,
    ),
  );
  return { newClient, wire };
}

/** The cell's hooks: the target's (scoped to the cell's account or its turn), and the clock its waits move. */
function cellHooks(
  env: RunEnvironment,
  account: string | (() => Promise<string | undefined>) | undefined,
  hold: CellHold,
  onCleanup: (action: () => Promise<void>, group?: string) => void,
  noteCall: (call: HookCall) => void,
) {
  const base =
    env.capabilities.size > 0
      ? createHooks({ endpoint: env.endpoint, pool: env.pool, capabilities: env.capabilities, account, onRequest: env.countRequest })
      : undefined;
  const shared = base && !env.accounts ? sharedAccountHooks(base, hold, onCleanup) : base;
  const scoped = shared ? notedHooks(shared, noteCall) : undefined;
  // A rehearsal's waits move its emulator's clock, which the checks are not told of.
  const rehearsalClock = env.rehearsal
    ? createHooks({
        endpoint: env.endpoint,
        pool: env.pool,
        capabilities: new Set<Capability>(['clock']),
        account,
        onRequest: env.countRequest,
      })
    : undefined;
  const waitClock = rehearsalClock ?? (scoped && env.capabilities.has('clock') ? scoped : undefined);
  return { base, scoped, rehearsalClock, waitClock };
}

/** What running a cell's cleanups needs besides the actions. */
interface CleanupParts {
  /** Called with the cleanup budget's signal before the first action: the cell's requests switch to it. */
  begin(deadline: AbortSignal): void;
  /** The cell's own account emptied at the end (an account of its own and the reset hook), if it is to be. */
  reset: (() => Promise<void>) | undefined;
  /** Releases what the cell holds (the ownership reader, its wire proxies). */
  close(): Promise<void>;
}

/** Runs a cell's cleanups, last registered first, within `timeoutMs`; returns the failures, described. */
async function runCleanups(cleanups: CleanupAction[], timeoutMs: number, parts: CleanupParts): Promise<string[]> {
  // The check's signal may be aborted; cleanups get a signal of their own,
  // on a timer that keeps the process alive (unlike AbortSignal.timeout's):
  // a cleanup that waits on nothing still ends with its budget, and the run goes on.
  const budget = new AbortController();
  const seconds = Math.round(timeoutMs / 1000);
  const budgetTimer = setTimeout(() => budget.abort(new Error(`the ${seconds} s cleanup budget ran out`)), timeoutMs);
  const deadline = budget.signal;
  setMaxListeners(0, deadline);
  parts.begin(deadline);
  const failures: string[] = [];
  const pending = cleanups.splice(0).reverse();
  while (pending.length > 0) {
    if (deadline.aborted) {
      failures.push(`cleanup not run: the ${seconds} s cleanup budget ran out`);
      break;
    }
    // The next action, with those of its group that follow it: at once.
    const first = pending.shift()!;
    const batch = [first];
    while (first.group !== undefined && pending[0]?.group === first.group) batch.push(pending.shift()!);
    // Within the budget even if an action ignores the signal (it is left behind, named).
    const settled = await Promise.race([Promise.allSettled(batch.map(({ action }) => action())), aborted(deadline)]);
    if (settled === undefined) {
      failures.push(`cleanup cut short: the ${seconds} s cleanup budget ran out during it`);
      break;
    }
    for (const outcome of settled) if (outcome.status === 'rejected') failures.push(describeError(outcome.reason));
  }
  // An account of its own and the reset hook: the cell leaves its account
  // empty, so that nothing of the run stays on the target, not even what a
  // check that ran out of time made after its last tracked step.
  if (parts.reset && !deadline.aborted) {
    const reset = parts.reset().then(
      () => undefined,
      (error: unknown) => {
        failures.push(`reset of the cell's account: ${describeError(error)}`);
      },
    );
    await Promise.race([reset, aborted(deadline)]);
  }
  await parts.close();
  clearTimeout(budgetTimer);
  return failures;
}

export function createCell(env: RunEnvironment, id: CellIdentity): Cell {
  const controller = new AbortController();
  // Every request of the cell in flight (32 concurrent creates, their
  // retries' waits) listens to this one signal: many listeners is the design.
  setMaxListeners(0, controller.signal);
  let requestSignal: AbortSignal = controller.signal;
  const recorder = new Recorder(undefined, env.sinks);
  const steps: string[] = [];
  const cleanups: CleanupAction[] = [];
  const hold = new CellHold(env.lock);
  const isolated = env.accounts;
  // Without accounts: the standard chain's (undefined lets the SDK resolve it).
  const own = isolated ? cellCredentials(env.runId, id.index) : undefined;
  const credentials: Credentials | undefined = own ?? env.credentials;
  // Hooks act on the account the requests are signed for: the cell's own, or the chain's.
  const account = own?.accessKeyId ?? (env.credentials !== undefined ? () => accessKeyIdOf(env.credentials!) : undefined);

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
  const onCleanup = (action: () => Promise<void>, group?: string): void => {
    cleanups.push({ action, group });
  };
  // The cell's turn (it may have to run alone), then room under --max-live-resources for a create.
  const gate = (operation: string, signal: AbortSignal | undefined): Promise<void> | undefined => {
    const held = hold.pending();
    if (!env.live) return held;
    return (held ?? Promise.resolve()).then(() => env.live!.admit(operation, signal));
  };
  const { newClient, wire } = cellClients(env, { credentials, recorder, signal: () => requestSignal, gate, guard, weather });
  const hookCalls: HookCall[] = [];
  const hooks = cellHooks(env, account, hold, onCleanup, (call) => {
    if (!cleaning && hookCalls.length < STEP_LIMIT) hookCalls.push(call);
  });
  const meter = new WaitMeter(env.rehearsal === true);
  const context = cellContext(env, id, {
    newClient,
    wire,
    hooks,
    meter,
    hold,
    step,
    onCleanup,
    requestSignal: () => requestSignal,
    signal: controller.signal,
  });

  return {
    context,
    recorder,
    steps,
    hookCalls,
    hold,
    weather,
    refusedDeletes,
    waitedMs: meter.total,
    wireHistory: () => wire.history(),
    wireInterleavings: () => wire.interleavings(),
    wirePaced: () => wire.paced(),
    abort(reason: string) {
      controller.abort(new Error(reason));
    },
    runCleanups: (timeoutMs: number) =>
      runCleanups(cleanups, timeoutMs, {
        begin(deadline) {
          cleaning = true;
          requestSignal = deadline;
          recorder.freeze();
          weather?.freeze();
        },
        reset:
          isolated && hooks.base && env.capabilities.has('reset') && env.phase?.kind !== 'record' ? () => hooks.base!.reset() : undefined,
        async close() {
          guardReader?.destroy();
          await Promise.race([wire.close(), aborted(AbortSignal.timeout(PROXY_CLOSE_MS))]);
        },
      }),
  };
}

/** What the check's context is made of (createCell makes them). */
interface ContextParts {
  newClient: (options?: ClientOptions) => ProtonClient;
  wire: ReturnType<typeof cellClients>['wire'];
  hooks: ReturnType<typeof cellHooks>;
  meter: WaitMeter;
  hold: CellHold;
  step: (description: string) => void;
  onCleanup: (action: () => Promise<void>, group?: string) => void;
  requestSignal: () => AbortSignal;
  signal: AbortSignal;
}

/** The CheckContext a check sees. */
function cellContext(env: RunEnvironment, id: CellIdentity, parts: ContextParts): CheckContext {
  const { hooks, meter, hold, step } = parts;
  let counter = 0;
  return {
    client: parts.newClient(),
    newClient: parts.newClient,
    throughProxy: (faults, seed, options) => parts.wire.throughProxy(faults, seed, options),
    // What a check does to time and durations is part of its evidence trail;
    // waitFor's own clock steps are summed up in one step instead.
    hooks: hooks.scoped ? steppedHooks(hooks.scoped, step) : undefined,
    capabilities: env.capabilities,
    runsAlone: () => env.accounts || hold.exclusive,
    require(capability: Capability, why: string) {
      if (!env.capabilities.has(capability)) {
        throw new SkipCheck(`the target lacks the '${capability}' capability (emulator hooks), needed to ${why}`);
      }
      // Without per-account isolation a clock jump or a duration change
      // touches every cell: from now on this cell runs alone.
      if (!env.accounts && GLOBAL_HOOKS.has(capability)) void hold.upgrade();
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
    ...(env.roundTripMs !== undefined ? { roundTripMs: env.roundTripMs } : {}),
    waitFor<T>(description: string, probe: () => Promise<T>, done: (value: T) => boolean, options?: WaitOptions) {
      const settings = {
        clock: hooks.waitClock,
        // The check's, or during cleanups the cleanup budget's.
        signal: parts.requestSignal(),
        step,
        waited: meter.waited,
        realSchedule: env.rehearsal === true,
        ...(env.waitTimeoutMs !== undefined ? { realTimeoutMs: env.waitTimeoutMs } : {}),
      };
      return meter.during(() => waitFor(settings, description, probe, done, options));
    },
    async sleep(ms: number) {
      meter.waited(ms);
      if (hooks.rehearsalClock) {
        await hooks.rehearsalClock.advance(ms);
        return ms;
      }
      await meter.during(() => sleep(ms, parts.requestSignal()));
      return 0;
    },
    step,
    onCleanup: parts.onCleanup,
    signal: parts.signal,
    bundles: env.bundles ?? PLACEHOLDER_BUNDLES,
    ...(env.phase ? { phase: cellPhase(env.phase, id.index, id.operation) } : {}),
  };
}
