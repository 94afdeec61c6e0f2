// A run sized to its target. Against the embedded emulator, or any target
// with the clock hook, waits are virtual and the defaults stand. Against a
// target without a clock (a real account, a hosted service, an emulator
// without hooks) every wait is real: the run is rehearsed first
// (harness/plan/plan.ts) so that it says what it will cost before it starts, every
// cell runs at once (their waits overlap: the run lasts about its critical
// path), property runs default to HOOKLESS_NUM_RUNS, and the cell timeout
// grows with the critical path. Every target's round trip is measured first:
// a slow one with a clock is rehearsed too, and its run sized to fit a budget
// (harness/plan/latency.ts; docs/slow-targets.md).
import type { Catalog } from '../run/catalog.ts';
import { DEFAULT_BUDGET_MS, FAST_TARGET_MS, measureLatency, median, sizeForLatency } from './latency.ts';
import type { CellCost } from './latency.ts';
import { formatMs } from '../run/wait.ts';
import { planLine, rehearse } from './plan.ts';
import type { Plan } from './plan.ts';
import type { Selection } from '../run/select.ts';
import type { ShapeModel } from '../client/shape.ts';
import type { Target } from '../target/target.ts';
import { parseTransitionDurations } from '../../specs/transitions.ts';

/**
 * Property runs per property against a target without a clock, unless
 * --num-runs says otherwise: each run of a property creates its own
 * resources and, on a delete operation, waits for their deletion, so the
 * properties' cells are the run's longest; 10 keeps a real account's run to
 * hours at most (the plan says how long) while every property still tries
 * random inputs, tokens and retry times.
 */
export const HOOKLESS_NUM_RUNS = 10;

/**
 * Cells at once and seconds per cell where nothing else says: a loopback
 * target (12: the long clock-driven cells overlap the short ones; measured
 * 9.3 s wall at 8, 8.0 s at 12, no better at 16 on 2 cores), a remote one.
 * A target without a clock gets its own from its plan (sizeRun).
 */
export const RUN_DEFAULTS = {
  local: { concurrency: 12, cellTimeoutS: 60 },
  remote: { concurrency: 4, cellTimeoutS: 900 },
};

/** What sizing reads of a run's request (the CLI's flags, the library's options); seconds where the flags give seconds. */
export interface SizingOptions {
  numRuns: number;
  /** Whether the runs were given (--num-runs), else a target without a clock gets HOOKLESS_NUM_RUNS. */
  numRunsGiven: boolean;
  path?: string | undefined;
  expectDurations?: string | undefined;
  waitTimeout?: number | undefined;
  concurrency?: number | undefined;
  cellTimeout?: number | undefined;
  budget?: number | undefined;
}

/** The target's measured latency and how the run was sized by it (the header's latency line, the report's `sizing`). */
export interface LatencySizing {
  /** The target's own share of a small read's round trip, milliseconds: roundTripMs less baselineMs. */
  latencyMs: number;
  /** The median round trip to the target, and to a server in this process that answers at once (this machine's own share). */
  roundTripMs: number;
  baselineMs: number;
  /** The target's round trips. */
  samplesMs: number[];
  budgetMs: number;
  /**
   * defaults: a fast target, or every setting given; latency: rehearsed and
   * sized to the budget; plan: a target without a clock (its plan).
   */
  sizedBy: 'defaults' | 'latency' | 'plan';
  /** The run's estimated time (sizedBy latency), milliseconds. */
  estimatedMs?: number;
  /** How long the rehearsal that counted the requests took (sizedBy latency), milliseconds. */
  rehearsalMs?: number;
}

export interface RunSizing {
  numRuns: number;
  /** Undefined: the CLI's defaults. */
  concurrency?: number;
  cellTimeoutS?: number;
  /** A cell's cleanups: they wait for real deletions too. */
  cleanupTimeoutMs?: number;
  waitTimeoutMs?: number;
  plan?: Plan;
  latency?: LatencySizing;
}

/** Whether every wait against this target is real time (no clock hook). */
export function waitsInRealTime(target: Pick<Target, 'embedded' | 'capabilities'>): boolean {
  return !target.embedded && !target.capabilities.has('clock');
}

export async function sizeRun<O>(
  target: Target,
  options: SizingOptions,
  selection: Selection,
  catalog: Catalog<O>,
  shapeModel: ShapeModel,
  seed: number,
  signal: AbortSignal,
): Promise<RunSizing> {
  const waitTimeoutMs = options.waitTimeout === undefined ? undefined : options.waitTimeout * 1000;
  const given = { ...(waitTimeoutMs !== undefined ? { waitTimeoutMs } : {}) };
  // The embedded emulator is in this process: no latency, and its run stays as it is.
  if (target.embedded) return { numRuns: options.numRuns, ...given };
  const samples = await measureLatency(target);
  const tenth = (ms: number): number => Math.round(ms * 10) / 10;
  const roundTripMs = tenth(median(samples.target));
  const baselineMs = tenth(median(samples.baseline));
  const measured = {
    latencyMs: tenth(Math.max(0, roundTripMs - baselineMs)),
    roundTripMs,
    baselineMs,
    samplesMs: samples.target.map(tenth),
    budgetMs: options.budget === undefined ? DEFAULT_BUDGET_MS : options.budget * 1000,
  };
  const run: SizedRun<O> = { target, options, selection, catalog, shapeModel, seed, signal };
  if (!waitsInRealTime(target)) return { ...(await sizeByLatency(run, measured)), ...given };
  const numRuns = options.numRunsGiven || options.path !== undefined ? options.numRuns : HOOKLESS_NUM_RUNS;
  const { plan, costs } = await rehearseCosts(run, numRuns, options.expectDurations ?? 'real', measured.roundTripMs);
  // Three critical paths, three times the most requests of a cell at the measured latency, and two minutes; at least the remote default.
  const mostRequests = Math.max(0, ...costs.map((cost) => cost.requests));
  const requestsS = Math.ceil((3 * mostRequests * measured.roundTripMs) / 1000);
  const cellTimeoutS = options.cellTimeout ?? Math.max(900, Math.ceil((3 * plan.criticalPathMs) / 1000) + requestsS + 120);
  return {
    numRuns,
    // Every cell at once: their waits overlap, and the run lasts about its critical path.
    concurrency: options.concurrency ?? Math.max(1, selection.cells.length),
    cellTimeoutS,
    cleanupTimeoutMs: cellTimeoutS * 1000,
    ...given,
    plan,
    latency: { ...measured, sizedBy: 'plan' },
  };
}

/** What sizing reads of a run: its target and options, and what a rehearsal of it needs. */
interface SizedRun<O> {
  target: Target;
  options: SizingOptions;
  selection: Selection;
  catalog: Catalog<O>;
  shapeModel: ShapeModel;
  seed: number;
  signal: AbortSignal;
}

/** The run rehearsed at `numRuns`, its waits the durations `durationsText` names: its plan, and each cell's cost. */
async function rehearseCosts<O>(
  run: SizedRun<O>,
  numRuns: number,
  durationsText: string,
  roundTripMs: number,
): Promise<{ plan: Plan; costs: CellCost[] }> {
  let costs: CellCost[] = [];
  const plan = await rehearse({
    catalog: run.catalog,
    selection: run.selection,
    shapeModel: run.shapeModel,
    capabilities: run.target.capabilities,
    seed: run.seed,
    numRuns,
    durations: parseTransitionDurations('--expect-durations', durationsText),
    durationsText,
    signal: run.signal,
    // The run's measured round trip: the rehearsal's settle times are the run's.
    roundTripMs,
    onCosts: (found) => (costs = found),
  });
  return { plan, costs };
}

/**
 * A target with a clock: its waits are virtual, its requests are not. A fast
 * one (a median round trip under FAST_TARGET_MS), or a run whose every
 * setting is given, keeps the defaults; a slow one is rehearsed (its cells'
 * requests counted) and sized to fit the budget (harness/plan/latency.ts).
 */
async function sizeByLatency<O>(
  run: SizedRun<O>,
  measured: Pick<LatencySizing, 'latencyMs' | 'roundTripMs' | 'baselineMs' | 'samplesMs' | 'budgetMs'>,
): Promise<RunSizing> {
  const { target, options, selection } = run;
  const everyGiven =
    (options.numRunsGiven || options.path !== undefined) && options.concurrency !== undefined && options.cellTimeout !== undefined;
  if (measured.latencyMs < FAST_TARGET_MS || everyGiven || selection.cells.length === 0) {
    return { numRuns: options.numRuns, latency: { ...measured, sizedBy: 'defaults' } };
  }
  const defaults = target.remote ? RUN_DEFAULTS.remote : RUN_DEFAULTS.local;
  const { plan, costs } = await rehearseCosts(run, options.numRuns, 'real', measured.roundTripMs);
  const sized = sizeForLatency({
    // A request costs its whole round trip, this machine's share included.
    latencyMs: measured.roundTripMs,
    budgetMs: measured.budgetMs,
    rehearsedNumRuns: options.numRuns,
    costs,
    defaults: { numRuns: options.numRuns, concurrency: defaults.concurrency, cellTimeoutS: defaults.cellTimeoutS },
    given: { numRuns: options.numRunsGiven || options.path !== undefined ? options.numRuns : undefined, concurrency: options.concurrency },
    local: !target.remote,
  });
  return {
    numRuns: sized.numRuns,
    concurrency: sized.concurrency,
    cellTimeoutS: options.cellTimeout ?? sized.cellTimeoutS,
    latency: { ...measured, sizedBy: 'latency', estimatedMs: sized.estimatedMs, rehearsalMs: plan.rehearsalMs },
  };
}

/** The header's latency line: what was measured, and what the run was sized to. */
export function latencyLine(latency: LatencySizing, settings: { numRuns: number; concurrency: number; cellTimeoutMs: number }): string {
  const measured =
    `latency: ${latency.latencyMs} ms per request (median round trip ${latency.roundTripMs} ms of ${latency.samplesMs.length}, ` +
    `less ${latency.baselineMs} ms to a server in this process; under ${FAST_TARGET_MS} ms is fast)`;
  if (latency.sizedBy === 'defaults') {
    return latency.latencyMs < FAST_TARGET_MS
      ? `${measured}: the run is not sized by it`
      : `${measured}; every setting given, the run is not sized by it`;
  }
  if (latency.sizedBy === 'plan') return `${measured}; a target without a clock is sized by its plan (below)`;
  const over = (latency.estimatedMs ?? 0) > latency.budgetMs ? `, over the budget even at the fewest runs (--budget, --num-runs)` : '';
  return (
    `${measured}; sized for a budget of ${formatMs(latency.budgetMs)} (--budget): ${settings.numRuns} runs per property, ` +
    `concurrency ${settings.concurrency}, cell timeout ${formatMs(settings.cellTimeoutMs)}; ` +
    `estimated ${formatMs(latency.estimatedMs ?? 0)}${over} (requests counted in a rehearsal of ${formatMs(latency.rehearsalMs ?? 0)})`
  );
}

/** What a run is given besides its sizing: the user's own choices win. */
export interface GivenSettings {
  concurrency?: number | undefined;
  cellTimeoutS?: number | undefined;
  maxLiveResources?: number | undefined;
}

/**
 * The runner's settings of a sized run (harness/run/runner.ts RunOptions): what
 * the user gave, else what the sizing chose, else the target's defaults. One
 * place for every run (harness/engine/).
 */
export function sizedSettings(sizing: RunSizing, defaults: { concurrency: number; cellTimeoutS: number }, given: GivenSettings) {
  return {
    numRuns: sizing.numRuns,
    concurrency: given.concurrency ?? sizing.concurrency ?? defaults.concurrency,
    cellTimeoutMs: (given.cellTimeoutS ?? sizing.cellTimeoutS ?? defaults.cellTimeoutS) * 1000,
    ...(sizing.waitTimeoutMs !== undefined ? { waitTimeoutMs: sizing.waitTimeoutMs } : {}),
    ...(sizing.cleanupTimeoutMs !== undefined ? { cleanupTimeoutMs: sizing.cleanupTimeoutMs } : {}),
    ...(given.maxLiveResources !== undefined ? { maxLiveResources: given.maxLiveResources } : {}),
    // The cells' settle times follow the measured round trip (suites/lib/late-retry.ts).
    ...(sizing.latency !== undefined ? { roundTripMs: sizing.latency.roundTripMs } : {}),
  };
}

export { planLine };
