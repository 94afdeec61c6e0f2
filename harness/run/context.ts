// The interface between the runner (harness/) and the checks (suites/): what
// one check of one rule on one operation is given to work with. The runner
// builds one CheckContext per cell, in an account of its own when the target
// has the `accounts` capability, and records every exchange as evidence.
import type { ProtonClient } from '@aws-sdk/client-proton';
import type { CellPhase } from './expiry-state.ts';
import type { Delivery, FaultRule, WireHistory } from '../wire/proxy.ts';
import type { Capability, Hooks, PacedCost, WaitOptions } from '../types.ts';
import type { BundleSources } from '../../specs/types.ts';
import type { Interleaving } from '../../specs/wire.ts';
import type { InterleavingFinding } from '../wire/interleavings.ts';

export interface ClientOptions {
  /**
   * Drop the response of the first N attempts after the target has processed
   * them (the request reaches the target, the client sees a network error),
   * so that the SDK's own retry strategy resends the same serialized request.
   */
  loseResponses?: number;
  /** SDK max attempts (default: the SDK's own default). */
  maxAttempts?: number;
  /**
   * false: transient answers (throttles, 5xx, resets) reach the SDK, whose own
   * retry strategy then resends (harness/client/weather.ts does not); default true.
   */
  weather?: boolean;
  /** The SDK's backoff between its retries, milliseconds (default: the SDK's own, 100 ms and up with jitter). */
  retryBackoffMs?: number;
}

/** A cell's link through a wire proxy (harness/wire/proxy.ts) with one fault schedule. */
export interface WireLink {
  /** A new client through the proxy, on the cell's account; `label` names it in the history ("client 2"). */
  client(options?: ClientOptions & { label?: string }): ProtonClient;
  /** The proxy's deliveries so far (the target's answers to each). */
  readonly deliveries: readonly Delivery[];
  /** The schedule's spec and seed, for reasons ("drop@first, seed 7"). */
  readonly faults: string;
  readonly seed: number;
  /**
   * Another fault schedule from now on, on the same proxy (its clients reused):
   * `deliveries` then holds only those that come after.
   */
  reschedule(faults: string | readonly FaultRule[]): void;
  /**
   * From now on, the next `count` creates and deletes through this link are held until all have come (at most
   * TOGETHER_MS), then forwarded at once, as WireLinkOptions.together does for a link's first ones.
   */
  gather(count: number): void;
  /** Resolves once the proxy holds no delivery (a late one has reached the target): before a check observes the outcome. */
  idle(): Promise<void>;
  /** Resolves once the proxy has received `count` deliveries since the link's schedule began. */
  received(count: number): Promise<void>;
  /** The cell's wire history, shared by all its links. */
  readonly history: WireHistory;
  /** A line of the check's own in the history ("List shows 1 new"). */
  note(what: string): void;
  /**
   * Whether `interleaving` happened among this link's deliveries since its schedule began (harness/wire/interleavings.ts),
   * noted in the history with the times that show it.
   */
  interleaving(interleaving: Interleaving): InterleavingFinding;
  /** Adds to the cell's count of intended interleavings and of those exercised (the report's `interleavings`). */
  tally(intended: number, exercised: number): void;
  /** Adds to the cell's count of retries at a client's pace and what they cost (the report's `paced`). */
  pace(cost: PacedCost): void;
}

/** Options of a link's proxy. */
export interface WireLinkOptions {
  /** Hold the first N creates and deletes until all N have come, then forward them at once (harness/wire/server.ts). */
  together?: number;
  /** A `late` delivery waits for an answered retry of its own call alone (harness/wire/server.ts ProxyOptions.lateByCall). */
  lateByCall?: boolean;
}

export interface CheckContext {
  /** Recording, shape-validating SDK client for this cell's account. */
  readonly client: ProtonClient;
  /** Another client on the same account, e.g. to lose responses on the wire. */
  newClient(options?: ClientOptions): ProtonClient;
  /**
   * A wire proxy of the cell's own between its clients and the target, with
   * this fault schedule (specs/wire.ts; parseFaults syntax or rules), seeded
   * with `seed` (default: the cell's); closed after the check.
   */
  throughProxy(faults: string | readonly FaultRule[], seed?: number, options?: WireLinkOptions): Promise<WireLink>;
  /** Hooks scoped to this cell's account; undefined when the target has none. */
  readonly hooks: Hooks | undefined;
  readonly capabilities: ReadonlySet<Capability>;
  /**
   * Whether no other cell can create or delete in this cell's account right
   * now: it has an account of its own (hooks `accounts`), or it runs alone
   * (exclusive, without per-account isolation). Only then do account-wide
   * observations (the hooks' counts) speak of this cell's doings alone.
   */
  runsAlone(): boolean;
  /** Throws SkipCheck naming the capability when the target lacks it. */
  require(capability: Capability, why: string): void;
  /**
   * A resource name unique to this run and cell (valid ResourceName: starts
   * with an alphanumeric, then [0-9A-Za-z_-], at most 100 characters).
   */
  uniqueName(hint: string): string;
  /** Tags every resource the suite creates carries (run id, cell). */
  readonly tags: { key: string; value: string }[];
  /** Where template versions get their bundles: the run's uploaded ones, or placeholders. */
  readonly bundles: BundleSources;
  /** Seed and run count for fast-check in this cell. */
  readonly seed: number;
  readonly numRuns: number;
  /**
   * The target's median round trip as the run measured it before its first cell (harness/plan/latency.ts),
   * milliseconds; undefined where nothing was measured (the embedded emulator). A rehearsal is given the run's.
   */
  readonly roundTripMs?: number;
  /** When replaying one property failure: the fast-check path. */
  readonly path: string | undefined;
  /**
   * Poll `probe` until `done(value)` holds; with the clock capability the
   * virtual clock is advanced between probes instead of waiting.
   */
  waitFor<T>(description: string, probe: () => Promise<T>, done: (value: T) => boolean, options?: WaitOptions): Promise<T>;
  /**
   * Lets `ms` of the target's time pass, for a check that must wait in real
   * time on a target without the clock capability (aborted with the cell).
   * In a rehearsal (harness/plan/plan.ts) the rehearsal emulator's clock is moved
   * instead: resolves with the milliseconds it was moved (0 when real time
   * passed), so that the check's own idea of the target's time follows.
   */
  sleep(ms: number): Promise<number>;
  /** A readable step for the evidence trail ("create template t1"). */
  step(description: string): void;
  /**
   * Registers a cleanup action, run after the check whatever its outcome,
   * last registered first. Consecutive actions of one `group` (resources of
   * one kind) run at once: their deletions, and the waits for them, overlap.
   */
  onCleanup(action: () => Promise<void>, group?: string): void;
  /** Aborted when the run is interrupted or the cell times out. */
  readonly signal: AbortSignal;
  /**
   * The two-phase run of client-token/expiry without clock control
   * (`--phase record|verify`, harness/run/expiry-state.ts); undefined otherwise.
   */
  readonly phase?: CellPhase;
}
