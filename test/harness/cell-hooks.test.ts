// The cell's hook wrappers (harness/run/cell-hooks.ts): a clock jump or a
// duration change is written to the step trail and noted with its time
// before it is made, and the call still reaches the target's hooks.
import { describe, expect, it } from 'vitest';
import { notedHooks, steppedHooks } from '../../harness/run/cell-hooks.ts';
import type { HookCall, Hooks } from '../../harness/types.ts';

function fakeHooks(made: string[]): Hooks {
  return {
    capabilities: new Set(['clock', 'durations']),
    now: async () => 0,
    advance: async (ms) => {
      made.push(`advance ${ms}`);
      return ms;
    },
    getDurations: async () => ({}),
    setDurations: async (durations) => {
      made.push(`set ${JSON.stringify(durations)}`);
      return durations;
    },
    reset: async () => undefined,
    counts: async () => ({}),
  };
}

describe('cell hooks', () => {
  it('steppedHooks writes each clock jump and duration change to the trail before making it', async () => {
    const made: string[] = [];
    const trail: string[] = [];
    const hooks = steppedHooks(fakeHooks(made), (text) => trail.push(`${text} (made: ${made.length})`));
    expect(await hooks.advance(90_000)).toBe(90_000);
    await hooks.setDurations({ environmentDeletion: 600_000 });
    expect(made).toEqual(['advance 90000', 'set {"environmentDeletion":600000}']);
    expect(trail).toHaveLength(2);
    expect(trail[0]).toMatch(/^hook: clock advanced by 1(\.0)? ?min.* \(made: 0\)$|^hook: clock advanced by 90(\.0)? ?s \(made: 0\)$/);
    expect(trail[1]).toMatch(/^hook: durations set: environmentDeletion.*600.* \(made: 1\)$/);
  });

  it('notedHooks notes the call with its time, a copy of the durations', async () => {
    const calls: HookCall[] = [];
    const durations = { serviceDeletion: 5 };
    const hooks = notedHooks(fakeHooks([]), (call) => calls.push(call));
    await hooks.advance(7);
    await hooks.setDurations(durations);
    durations.serviceDeletion = 6;
    expect(calls.map(({ at: _at, ...rest }) => rest)).toEqual([{ advanceMs: 7 }, { durations: { serviceDeletion: 5 } }]);
    expect(calls.every((call) => typeof call.at === 'number' && call.at > 0)).toBe(true);
  });
});
