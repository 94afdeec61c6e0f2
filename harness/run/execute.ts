// One execution of a check in a fresh cell: the cell's hold on the run lock
// (exclusive when it moves global time without per-account isolation), the
// race between the check, the per-cell timeout and Ctrl-C, and the cleanups,
// which run whatever happened.
import type { Catalog } from './catalog.ts';
import { createCell } from './cell.ts';
import type { Cell, RunEnvironment } from './cell.ts';
import { UsageError } from '../errors.ts';
import { fromOutcome, fromThrown } from './results.ts';
import type { Verdicted } from './results.ts';
import type { CellPlan } from './select.ts';
import type { Capability, Level } from '../types.ts';
import type { RunWatch } from './unsettled.ts';
import { formatMs } from './wait.ts';

export interface ExecuteOptions<O> {
  catalog: Catalog<O>;
  cellTimeoutMs: number;
  cleanupTimeoutMs?: number;
  signal?: AbortSignal;
  watch?: RunWatch;
}

const GLOBAL_HOOKS: readonly Capability[] = ['clock', 'durations', 'reset'];

export interface Executed {
  cell: Cell;
  result: Verdicted;
}

/** One execution of a check in a fresh cell: exclusivity, timeout, interruption, cleanups. */
export async function execute<O>(
  options: ExecuteOptions<O>,
  env: RunEnvironment,
  plan: CellPlan,
  index: number,
  adjust: (env: RunEnvironment) => RunEnvironment,
): Promise<Executed> {
  const { rule, operation } = plan;
  const cell = createCell(adjust(env), { index, rule: rule.id, operation });
  const check = options.catalog.checks[rule.id]!;
  const entry = options.catalog.operation(operation) as O;
  const watched = options.watch?.enter(`${rule.id} ${operation}`, () => cell.steps[cell.steps.length - 1]);
  const phase = (what: string): void => {
    if (watched !== undefined) options.watch!.phase(watched, what);
  };
  let result: Verdicted;
  let failures: string[] = [];
  try {
    await cell.hold.enter();
    const needsGlobal = [...rule.requires, ...rule.prefers].some((c) => GLOBAL_HOOKS.includes(c) && env.capabilities.has(c));
    if (needsGlobal) await cell.hold.upgrade();
    phase('running its check');
    result = await raceCheck(options, cell, () => check(cell.context, entry), rule.level);
  } finally {
    phase('running its cleanups');
    failures = await cell.runCleanups(options.cleanupTimeoutMs ?? 30_000);
    // Its turn given back even if the check still waits for an upgrade (lock.ts).
    cell.hold.leave();
    if (watched !== undefined) options.watch!.leave(watched);
  }
  // A step that never got past the target's transient answers: whatever the
  // check made of it afterwards, the cell was not judged on the contract.
  const exhausted = cell.weather?.exhausted;
  if (exhausted !== undefined && (result.verdict === 'fail' || result.verdict === 'warn')) {
    result = { verdict: 'inconclusive', reason: `${exhausted} (the check then said: ${result.reason})` };
  }
  // Cleanups do not change a verdict; what they left behind is reported.
  if (failures.length > 0) result = { ...result, reason: `${result.reason} (cleanup failed: ${failures.join('; ')})` };
  return { cell, result };
}

type Race = { kind: 'done'; value: unknown } | { kind: 'threw'; error: unknown } | { kind: 'timeout' } | { kind: 'interrupted' };

async function raceCheck<O>(options: ExecuteOptions<O>, cell: Cell, run: () => Promise<unknown>, level: Level): Promise<Verdicted> {
  const lastStep = (): string | undefined => cell.steps[cell.steps.length - 1];
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const checked = Promise.resolve()
    .then(run)
    .then(
      (value) => ({ kind: 'done', value }) as const,
      (error: unknown) => ({ kind: 'threw', error }) as const,
    );
  const outcome = await Promise.race<Race>([
    checked,
    new Promise<Race>((resolve) => {
      // Unref'd: it ends a check that waits on the target (a socket, a timer)
      // too long, but does not keep alive a process in which nothing is left
      // that could ever settle the check: that is the suite's own bug, which
      // the run's guard reports (harness/run/unsettled.ts, exit 4), not a verdict.
      timer = setTimeout(() => resolve({ kind: 'timeout' }), options.cellTimeoutMs);
      timer.unref();
    }),
    new Promise<Race>((resolve) => {
      if (!options.signal) return;
      onAbort = () => resolve({ kind: 'interrupted' });
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort, { once: true });
    }),
  ]);
  clearTimeout(timer);
  if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  switch (outcome.kind) {
    case 'done':
      return fromOutcome(outcome.value, level);
    case 'threw':
      // A replay path that names no case (suites/lib/property.ts): the user's flag, not the target's verdict.
      if (outcome.error instanceof UsageError) throw outcome.error;
      return fromThrown(outcome.error, level, lastStep());
    case 'timeout': {
      cell.abort('cell timeout');
      // Its requests in flight fail at once: the check ends before its cleanups
      // start, so that it sends nothing (creates nothing) after them.
      await settledWithin(checked, Math.min(CHECK_GRACE_MS, options.cellTimeoutMs));
      // Running out of time says nothing about the contract: inconclusive, never a violation.
      const where = lastStep() ? `; last step: ${lastStep()}` : '';
      const ran = Math.round(performance.now() - started);
      return {
        verdict: 'inconclusive',
        reason:
          `the check did not finish within ${formatMs(options.cellTimeoutMs)} (it ran ${ran} ms${where}); a longer --cell-timeout ` +
          'may let it finish',
      };
    }
    case 'interrupted':
      cell.abort('interrupted');
      await settledWithin(checked, INTERRUPT_GRACE_MS);
      return { verdict: 'inconclusive', reason: 'interrupted (Ctrl-C) before the check finished', interrupted: true };
  }
}

/** How long a check that ran out of time is given to end, once aborted, before its cleanups start anyway. */
const CHECK_GRACE_MS = 5_000;
/** The same after Ctrl-C, which should stop a run promptly. */
const INTERRUPT_GRACE_MS = 1_000;

/** Resolves once `work` settles or `ms` have passed (an unref'd timer, as the cell's own). */
function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work.then(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
