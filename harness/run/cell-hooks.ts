// The hooks a check sees are the target's hooks for its account, wrapped:
// clock jumps and duration changes go to the step trail, and on a target
// without per-account isolation they first wait until the cell runs alone.
import type { CellHold } from './lock.ts';
import type { HookCall, Hooks } from '../types.ts';
import { formatMs } from './wait.ts';
import { formatTransitionDurations } from '../../specs/transitions.ts';

/** Hooks whose clock jumps and duration changes are written to the step trail. */
export function steppedHooks(hooks: Hooks, step: (text: string) => void): Hooks {
  return notedHooks(hooks, (call) =>
    step(
      call.durations === undefined
        ? `hook: clock advanced by ${formatMs(call.advanceMs ?? 0)}`
        : `hook: durations set: ${formatTransitionDurations(call.durations, ', ')}`,
    ),
  );
}

/**
 * Hooks on a shared account: calls that change global state first wait until
 * the cell runs alone, and changed durations are put back after the cell.
 */
export function sharedAccountHooks(hooks: Hooks, hold: CellHold, onCleanup: (action: () => Promise<void>) => void): Hooks {
  let saved = false;
  return {
    capabilities: hooks.capabilities,
    now: () => hooks.now(),
    counts: () => hooks.counts(),
    getDurations: () => hooks.getDurations(),
    async advance(ms: number) {
      await hold.upgrade();
      return hooks.advance(ms);
    },
    async setDurations(durations: Record<string, number>) {
      await hold.upgrade();
      if (!saved) {
        saved = true;
        const original = await hooks.getDurations();
        onCleanup(async () => {
          await hooks.setDurations(original);
        });
      }
      return hooks.setDurations(durations);
    },
    async reset() {
      await hold.upgrade();
      return hooks.reset();
    },
  };
}

/** Hooks that note each clock jump and duration change (with its time) before making it. */
export function notedHooks(hooks: Hooks, note: (call: HookCall) => void): Hooks {
  return {
    capabilities: hooks.capabilities,
    now: () => hooks.now(),
    counts: () => hooks.counts(),
    getDurations: () => hooks.getDurations(),
    reset: () => hooks.reset(),
    advance(ms: number) {
      note({ at: Date.now(), advanceMs: ms });
      return hooks.advance(ms);
    },
    setDurations(durations: Record<string, number>) {
      note({ at: Date.now(), durations: { ...durations } });
      return hooks.setDurations(durations);
    },
  };
}
