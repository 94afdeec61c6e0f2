// The one backoff and the one abortable sleep (harness/pace.ts): the
// intervals and their bounds, jitter from the caller's random source, the
// schedules of the callers as they were before they shared it, and a sleep
// that ends on abort (rejecting with the reason, or resolving) and, unref'd,
// does not keep the process alive.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoff, sleep } from '../../harness/pace.ts';

/** A source that replays `values` in turn. */
const replay = (...values: number[]) => {
  let next = 0;
  return () => values[next++ % values.length]!;
};

describe('backoff', () => {
  it('grows from the base by the factor, within the floor and the cap', () => {
    const policy = { baseMs: 100, factor: 2, capMs: 1_000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoff(policy, n))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(backoff({ baseMs: 20, factor: 1, floorMs: 200, capMs: 5_000 })).toBe(200);
    expect(backoff({ baseMs: 90_000, factor: 1, floorMs: 200, capMs: 5_000 })).toBe(5_000);
    // Unrounded without jitter: a caller may grow an interval by 1.5 and jitter it later.
    expect(backoff({ baseMs: 10_125, factor: 1.5 }, 2)).toBe(15_187.5);
  });

  it('jitters within [low, high) of the interval, rounded, from the source it is given', () => {
    const policy = { baseMs: 1_000, factor: 2, jitter: [0.75, 1.25] as const };
    expect(backoff({ ...policy, random: () => 0 })).toBe(750);
    expect(backoff({ ...policy, random: () => 0.5 }, 2)).toBe(2_000);
    expect(backoff({ ...policy, random: () => 0.999_999 }, 3)).toBe(5_000);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 1, max: 12 }), (r, n) => {
        const wait = backoff({ ...policy, random: () => r }, n);
        const interval = 1_000 * 2 ** (n - 1);
        return Number.isInteger(wait) && wait >= Math.round(interval * 0.75) && wait <= Math.round(interval * 1.25);
      }),
    );
  });

  it('draws once per wait from a seeded source: the same source gives the same waits', () => {
    const policy = (random: () => number) => ({ baseMs: 40, factor: 2, capMs: 30_000, jitter: [0.5, 1] as const, random });
    const first = policy(replay(0.1, 0.9, 0.3, 0.7));
    const second = policy(replay(0.1, 0.9, 0.3, 0.7));
    const waits = [1, 2, 3, 4].map((n) => backoff(first, n));
    expect([1, 2, 3, 4].map((n) => backoff(second, n))).toEqual(waits);
    expect(waits).toEqual([22, 76, 104, 272]);
  });

  it("keeps the callers' schedules as they were written before they shared it", () => {
    const double = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
    // The weather's equal jitter (RunWeather.delayMs): exactly the old formula, so seeded runs repeat.
    fc.assert(
      fc.property(double, fc.integer({ min: 5, max: 8_000 }), fc.integer({ min: 1, max: 12 }), (r, base, retry) => {
        const ceiling = Math.min(30_000, base * 2 ** (retry - 1));
        const before = Math.round(ceiling / 2 + (r * ceiling) / 2);
        return backoff({ baseMs: base, factor: 2, capMs: 30_000, jitter: [0.5, 1], random: () => r }, retry) === before;
      }),
    );
    // The sweep's quarter either way, and waitFor's real-time fifth: the same up to the rounding of the last bit.
    fc.assert(
      fc.property(double, fc.integer({ min: 1, max: 60_000 }), (r, ms) => {
        const sweep = Math.round(ms * (0.75 + r * 0.5));
        const wait = Math.round(Math.min(5_000, Math.max(200, ms / 10)) * (0.8 + r * 0.2));
        const sweepNow = backoff({ baseMs: ms, factor: 1, jitter: [0.75, 1.25], random: () => r });
        const waitNow = backoff({ baseMs: ms / 10, factor: 1, floorMs: 200, capMs: 5_000, jitter: [0.8, 1], random: () => r });
        return Math.abs(sweepNow - sweep) <= 1 && Math.abs(waitNow - wait) <= 1;
      }),
    );
  });
});

describe('sleep', () => {
  it('waits the time it is given: it ends between a shorter and a longer timer set at the same moment', async () => {
    const order: string[] = [];
    const longer = new Promise<void>((resolve) => setTimeout(resolve, 60));
    setTimeout(() => order.push('20 ms'), 20);
    void sleep(40).then(() => order.push('sleep 40 ms'));
    void longer.then(() => order.push('60 ms'));
    await longer;
    await sleep(0);
    expect(order).toEqual(['20 ms', 'sleep 40 ms', '60 ms']);
  });

  it("ends at once when the signal aborts, rejecting with the signal's reason", async () => {
    const controller = new AbortController();
    const reason = new Error('the cell timed out');
    const started = performance.now();
    const sleeping = sleep(600_000, controller.signal);
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(60_000);
    // Already aborted: rejects without waiting.
    await expect(sleep(600_000, controller.signal)).rejects.toBe(reason);
  });

  it("resolves instead on abort when asked (a caller that checks its own state: the sweep's deadline)", async () => {
    const controller = new AbortController();
    const sleeping = sleep(600_000, controller.signal, { onAbort: 'resolve' });
    controller.abort(new Error('interrupted'));
    await expect(sleeping).resolves.toBeUndefined();
    await expect(sleep(600_000, controller.signal, { onAbort: 'resolve' })).resolves.toBeUndefined();
  });

  it('unref: does not keep the process alive (no active timer counted), unlike a plain sleep', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const controller = new AbortController();
    const before = timers();
    const unrefed = sleep(600_000, controller.signal, { unref: true });
    expect(timers()).toBe(before);
    const plain = sleep(600_000, controller.signal);
    expect(timers()).toBe(before + 1);
    controller.abort(new Error('done'));
    await expect(unrefed).rejects.toThrow('done');
    await expect(plain).rejects.toThrow('done');
    expect(timers()).toBe(before);
  });
});
