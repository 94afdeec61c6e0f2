// The last guard against a run that can never end: a promise the run waits on
// that nothing left in the process can settle (no socket, no timer, no
// worker). Node would end such a process with exit code 13 ("unsettled
// top-level await") and say nothing. Instead, when the event loop empties
// while the run is still pending ('beforeExit'), the guard settles the run
// itself, as an internal error that names what was still pending (RunWatch)
// and carries the partial report. The cells' own bounds (the cell timeout,
// the cleanup budget) come first; the guard is for what slips past them: a
// bug of the suite, never the target's doing.
import type { Report } from '../types.ts';

/** What each running cell is doing, for the guard's message; and the report of the cells done so far. */
export class RunWatch {
  private readonly active = new Map<number, { cell: string; phase: string; since: number; step: () => string | undefined }>();
  private next = 0;
  /** The report of the cells finished so far (set by the runner once it starts). */
  partial: (() => Report) | undefined;

  /** A cell begins (or a replay of it); returns its handle. */
  enter(cell: string, step: () => string | undefined): number {
    const id = this.next++;
    this.active.set(id, { cell, phase: 'waiting for its turn', since: performance.now(), step });
    return id;
  }

  phase(id: number, phase: string): void {
    const entry = this.active.get(id);
    if (entry) Object.assign(entry, { phase, since: performance.now() });
  }

  leave(id: number): void {
    this.active.delete(id);
  }

  /** One line per running cell: what it is doing, for how long, its last step. */
  pending(): string[] {
    const now = performance.now();
    return [...this.active.values()].map(({ cell, phase, since, step }) => {
      const last = step();
      return `${cell}: ${phase} for ${((now - since) / 1000).toFixed(1)} s${last ? ` (last step: ${last})` : ''}`;
    });
  }
}

/** The run ended with promises pending and nothing left to settle them: an internal error. */
export class UnsettledRun extends Error {
  constructor(
    readonly pending: readonly string[],
    readonly partial: Report | undefined,
  ) {
    const what = pending.length > 0 ? pending.join('; ') : 'no cell (the run itself, after its cells)';
    super(`the run stopped with promises pending that nothing could settle; still pending: ${what}`);
    this.name = 'UnsettledRun';
  }
}

/** The guards waiting, innermost last: an empty loop is answered by the innermost (it knows most). */
const guards: Array<() => void> = [];

function onBeforeExit(): void {
  guards.at(-1)?.();
}

/**
 * `work`, or, if the process's event loop empties while it is still pending
 * (nothing left could ever settle it), `onStall()`'s result instead. Only a
 * process that would otherwise end hears this: a long-lived host (a test
 * runner, a server) keeps its loop busy, and the run's own bounds apply there.
 * Guards nest (the CLI's whole run around the cells' run): the innermost
 * answers; should its answer leave the loop empty again, the next one does.
 */
export function untilSettled<T>(work: Promise<T>, onStall: () => T | Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      guards.splice(guards.indexOf(stall), 1);
      if (guards.length === 0) process.off('beforeExit', onBeforeExit);
      return true;
    };
    const stall = (): void => {
      if (settle()) Promise.resolve().then(onStall).then(resolve, reject);
    };
    if (guards.length === 0) process.on('beforeExit', onBeforeExit);
    guards.push(stall);
    work.then(
      (value) => settle() && resolve(value),
      (error: unknown) => settle() && reject(error),
    );
  });
}

/** `work`, or an UnsettledRun rejection naming what `watch` says is pending, with its partial report. */
export function guardRun<T>(work: Promise<T>, watch: RunWatch): Promise<T> {
  return untilSettled(work, () => {
    throw new UnsettledRun(watch.pending(), watch.partial?.());
  });
}
