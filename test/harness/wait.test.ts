// waitFor's schedules (harness/run/wait.ts), read off the clock it advances:
// virtual time doubles from 1 s up to 10 min; the real-time schedule (here
// rehearsed on the clock, realSchedule) starts at 200 ms and then waits a
// tenth of the time waited so far, within 200 ms and 5 s, less up to a fifth.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../harness/run/wait.ts';

/** The steps waitFor advanced the clock by, until the probe's `probes`th answer. */
async function steps(probes: number, realSchedule: boolean): Promise<number[]> {
  const advanced: number[] = [];
  let probed = 0;
  const clock = { advance: async (ms: number) => advanced.push(ms) };
  await waitFor(
    { clock, signal: new AbortController().signal, realSchedule },
    'the probe',
    async () => ++probed,
    (n) => n >= probes,
  );
  return advanced;
}

describe('waitFor', () => {
  it('on the virtual clock: 1 s, doubling, at most 10 min', async () => {
    expect(await steps(13, false)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 512_000, 600_000, 600_000,
    ]);
  });

  it(
    'on the real-time schedule: 200 ms, then a tenth of the time waited, within 200 ms and 5 s, ' + 'jittered down by up to a fifth',
    async () => {
      const advanced = await steps(60, true);
      expect(advanced[0]).toBe(200);
      let elapsed = 0;
      for (const [i, step] of advanced.entries()) {
        if (i > 0) {
          const interval = Math.min(5_000, Math.max(200, elapsed / 10));
          expect(step, `step ${i}`).toBeGreaterThanOrEqual(Math.floor(interval * 0.8));
          expect(step, `step ${i}`).toBeLessThanOrEqual(Math.ceil(interval));
        }
        elapsed += step;
      }
      expect(Math.max(...advanced)).toBeGreaterThan(4_000);
    },
  );
});
