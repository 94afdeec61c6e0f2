// suites/lib/interleaving.ts: a case whose interleaving never happens is run
// again, fresh, INTERLEAVING_ATTEMPTS times, then the cell is inconclusive,
// never pass; one that happens on a later attempt passes, counted; a failure
// on any attempt stays a failure. The "proxy" here answers the original
// before the retry arrives (its deliveries say so), so `retry-overtakes-
// original` never happens; the queries are the real ones.
import { describe, expect, it } from 'vitest';
import type { CheckContext, WireLink } from '../../harness/run/context.ts';
import { InconclusiveCheck } from '../../harness/types.ts';
import { findInterleaving } from '../../harness/wire/interleavings.ts';
import type { Delivery } from '../../harness/wire/history.ts';
import { INTERLEAVING_ATTEMPTS } from '../../specs/wire.ts';
import type { Interleaving } from '../../specs/wire.ts';
import { provenOnce, proveCase, untilProven } from '../../suites/lib/interleaving.ts';
import { Violation } from '../../suites/lib/verdict.ts';

/** Original answered at 2, its retry sent at 3 and answered at 4: the retry never overtakes it. */
const ANSWERED_FIRST: Delivery[] = [
  {
    n: 1,
    operation: 'CreateService',
    body: '{}',
    watched: true,
    attempt: 1,
    answers: [],
    receivedAt: 0,
    forwards: [{ sentAt: 1, answeredAt: 2 }],
  },
  {
    n: 2,
    operation: 'CreateService',
    body: '{}',
    watched: true,
    attempt: 2,
    answers: [],
    receivedAt: 3,
    forwards: [{ sentAt: 3, answeredAt: 4 }],
  },
];
/** The original held until its retry was answered (at 4), then sent at 5. */
const OVERTAKEN: Delivery[] = [
  { ...ANSWERED_FIRST[0]!, forwards: [{ sentAt: 5, answeredAt: 6 }] },
  { ...ANSWERED_FIRST[1]!, forwards: [{ sentAt: 3, answeredAt: 4 }] },
];

/** A fake link over fixed deliveries, counting what it is told. */
function fakeLink(deliveries: Delivery[], tallies: Array<[number, number]>): WireLink {
  return {
    deliveries,
    interleaving: (interleaving: Interleaving) => findInterleaving(interleaving, deliveries),
    tally: (intended: number, exercised: number) => tallies.push([intended, exercised]),
  } as unknown as WireLink;
}

function fakeContext(steps: string[]): CheckContext {
  return { step: (what: string) => steps.push(what) } as unknown as CheckContext;
}

describe('a case proves its interleaving', () => {
  it('never happening: run INTERLEAVING_ATTEMPTS times, then inconclusive naming the interleaving, never pass', async () => {
    const tallies: Array<[number, number]> = [];
    const steps: string[] = [];
    let runs = 0;
    const outcome = provenOnce(fakeContext(steps), 'retry-overtakes-original', 'late/sdk', async () => {
      runs++;
      return fakeLink(ANSWERED_FIRST, tallies);
    });
    await expect(outcome).rejects.toBeInstanceOf(InconclusiveCheck);
    await expect(outcome).rejects.toThrow(/retry-overtakes-original .* never happened in 5 attempts for 1 of 1 cases/);
    expect(runs).toBe(INTERLEAVING_ATTEMPTS);
    expect(INTERLEAVING_ATTEMPTS).toBe(5);
    expect(tallies).toEqual([[1, 0]]);
    expect(steps).toHaveLength(INTERLEAVING_ATTEMPTS - 1);
  });

  it('happening on the third attempt: passes, counted exercised, the re-runs noted', async () => {
    const tallies: Array<[number, number]> = [];
    let runs = 0;
    const proven = await provenOnce(fakeContext([]), 'retry-overtakes-original', 'late/sdk', async () => {
      runs++;
      return fakeLink(runs < 3 ? ANSWERED_FIRST : OVERTAKEN, tallies);
    });
    expect(runs).toBe(3);
    expect(proven).toMatchObject({ intended: 1, attempts: 3 });
    expect(proven.note).toMatch(/2 case run\(s\) did not meet their interleaving/);
    expect(tallies).toEqual([[1, 1]]);
  });

  it('a failure on a later attempt stays a failure', async () => {
    let runs = 0;
    const outcome = provenOnce(fakeContext([]), 'retry-overtakes-original', 'late/sdk', async () => {
      runs++;
      if (runs === 2) throw new Violation('two resources for one token');
      return fakeLink(ANSWERED_FIRST, []);
    });
    await expect(outcome).rejects.toBeInstanceOf(Violation);
    expect(runs).toBe(2);
  });

  it('several cases: only those whose interleaving did not happen run again', async () => {
    const ctx = fakeContext([]);
    const tallies: Array<[number, number]> = [];
    const ran: string[][] = [];
    const proven = await untilProven(
      ctx,
      ['a', 'b', 'c'],
      (c) => c,
      async (cases, attempt) => {
        ran.push([...cases]);
        for (const c of cases) {
          const late = c === 'b' && attempt === 1;
          proveCase(ctx, c, fakeLink(late ? ANSWERED_FIRST : OVERTAKEN, tallies), 'retry-overtakes-original');
        }
      },
    );
    expect(ran).toEqual([['a', 'b', 'c'], ['b']]);
    expect(proven).toMatchObject({ intended: 3, attempts: 2 });
    expect(tallies).toEqual([[3, 3]]);
  });
});
