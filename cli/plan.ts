// A run sized to its target. Against the embedded emulator, or any target
// with the clock hook, waits are virtual and the defaults stand. Against a
// target without a clock (a real account, a hosted service, an emulator
// without hooks) every wait is real: the run is rehearsed first
// (harness/plan.ts) so that it says what it will cost before it starts, every
// cell runs at once (their waits overlap: the run lasts about its critical
// path), property runs default to HOOKLESS_NUM_RUNS, and the cell timeout
// grows with the critical path.
import type { Catalog } from '../harness/catalog.ts';
import { planLine, rehearse } from '../harness/plan.ts';
import type { Plan } from '../harness/plan.ts';
import type { Selection } from '../harness/select.ts';
import type { ShapeModel } from '../harness/shape.ts';
import type { Target } from '../harness/target.ts';
import { parseTransitionDurations } from '../specs/transitions.ts';
import type { CliOptions } from './args.ts';

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

/** What sizing reads of the options (the CLI's flags, or the library's options). */
export type SizingOptions = Pick<CliOptions, 'numRuns' | 'numRunsGiven' | 'path' | 'expectDurations' | 'waitTimeout' | 'concurrency' | 'cellTimeout'>;

export interface RunSizing {
  numRuns: number;
  /** Undefined: the CLI's defaults. */
  concurrency?: number;
  cellTimeoutS?: number;
  /** A cell's cleanups: they wait for real deletions too. */
  cleanupTimeoutMs?: number;
  waitTimeoutMs?: number;
  plan?: Plan;
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
  if (!waitsInRealTime(target)) return { numRuns: options.numRuns, ...given };
  const numRuns = options.numRunsGiven || options.path !== undefined ? options.numRuns : HOOKLESS_NUM_RUNS;
  const durationsText = options.expectDurations ?? 'real';
  const plan = await rehearse({
    catalog,
    selection,
    shapeModel,
    capabilities: target.capabilities,
    seed,
    numRuns,
    durations: parseTransitionDurations('--expect-durations', durationsText),
    durationsText,
    signal,
  });
  // Three critical paths and two minutes of requests, at least the remote default.
  const cellTimeoutS = options.cellTimeout ?? Math.max(900, Math.ceil((3 * plan.criticalPathMs) / 1000) + 120);
  return {
    numRuns,
    // Every cell at once: their waits overlap, and the run lasts about its critical path.
    concurrency: options.concurrency ?? Math.max(1, selection.cells.length),
    cellTimeoutS,
    cleanupTimeoutMs: cellTimeoutS * 1000,
    ...given,
    plan,
  };
}

/** What a run is given besides its sizing: the user's own choices win. */
export interface GivenSettings {
  concurrency?: number | undefined;
  cellTimeoutS?: number | undefined;
  maxLiveResources?: number | undefined;
}

/**
 * The runner's settings of a sized run (harness/runner.ts RunOptions): what
 * the user gave, else what the sizing chose, else the target's defaults. One
 * place for the CLI (cli/main.ts) and the library (cli/api.ts).
 */
export function sizedSettings(sizing: RunSizing, defaults: { concurrency: number; cellTimeoutS: number }, given: GivenSettings) {
  return {
    numRuns: sizing.numRuns,
    concurrency: given.concurrency ?? sizing.concurrency ?? defaults.concurrency,
    cellTimeoutMs: (given.cellTimeoutS ?? sizing.cellTimeoutS ?? defaults.cellTimeoutS) * 1000,
    ...(sizing.waitTimeoutMs !== undefined ? { waitTimeoutMs: sizing.waitTimeoutMs } : {}),
    ...(sizing.cleanupTimeoutMs !== undefined ? { cleanupTimeoutMs: sizing.cleanupTimeoutMs } : {}),
    ...(given.maxLiveResources !== undefined ? { maxLiveResources: given.maxLiveResources } : {}),
  };
}

export { planLine };
