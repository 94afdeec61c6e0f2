// Retries at the pace real clients use (issue 19). A wire case's immediate
// retries come within milliseconds of its fault; a real client retries after
// its SDK's backoff, from 100 ms to 20 s later. So after them, every
// lost-response and server-error case sends the same logical request twice
// more, the cases of a cell together:
//   1. once the original's processing has ended at the target: the proxy has
//      the target's answer to every forward; for a forward the proxy aborted,
//      once a direct read shows the action done, or after a settle time of a
//      few of the target's round trips as the run measured them (specs/wire.ts
//      LATE_RETRIES; the reads' own where nothing was measured);
//   2. after the SDK's standard backoff (BACKOFF_RETRY_MS), one wait for the
//      cell's cases together.
// Each must be answered as the immediate retries were: the original resource
// (a create) or success without acting again (a delete); the wire checks
// judge their answers with the rest of the history (suites/scenarios/wire.ts).
// The waits are ctx.sleep's: real time on a live target, the rehearsal's
// virtual clock in a plan (harness/plan/plan.ts counts them and the requests:
// each cell tallies its paced retries, reads and waits, WireLink.pace).
import { DEFAULT_RETRY_DELAY_BASE, MAXIMUM_RETRY_DELAY } from '@smithy/util-retry';
import { median } from '../../harness/plan/latency.ts';
import type { CheckContext, WireLink } from '../../harness/run/context.ts';
import type { CallResult } from '../../specs/commands.ts';
import { LATE_RETRIES } from '../../specs/wire.ts';

/** The wait before the backoff retry, milliseconds: the top of the SDK standard strategy's window for its `backoffRetry`. */
export const BACKOFF_RETRY_MS = Math.min(MAXIMUM_RETRY_DELAY, DEFAULT_RETRY_DELAY_BASE * 2 ** (LATE_RETRIES.backoffRetry - 1));

export type LateRetryKind = 'settled' | 'backoff';

export const LATE_RETRY_TEXT: Readonly<Record<LateRetryKind, string>> = {
  settled: "the retry once the original's processing had ended",
  backoff: `the retry after the SDK's standard backoff (${BACKOFF_RETRY_MS} ms)`,
};

/** One case's logical request, as its late retries send it again. */
export interface LateCase {
  link: WireLink;
  operation: string;
  /** Sends the same logical request once more (its weather retried as the immediate retries' was). */
  send(): Promise<CallResult>;
  /** A direct read: whether the target's state shows the original's action done (asked only for a forward the proxy aborted). */
  done(): Promise<boolean>;
}

/** A case's late retries, in the order they went out. */
export interface LateRetry {
  kind: LateRetryKind;
  result: CallResult;
}

/** Whether the proxy forwarded `operation` and has no answer of the target to some forward (aborted, or none came). */
export function forwardAborted(link: WireLink, operation: string): boolean {
  return link.deliveries.some((delivery) => delivery.operation === operation && delivery.answers.some((answer) => 'error' in answer));
}

/**
 * The settle time after an aborted forward (ms): LATE_RETRIES.settleRoundTrips of the target's round trip as the run
 * measured it before its first cell (CheckContext.roundTripMs: the same in the rehearsal that plans the run, so the plan
 * counts the run's waits); where nothing was measured (the embedded emulator), of the median of the case's own direct reads.
 */
export function settleMs(measuredMs: number | undefined, roundTrips: readonly number[]): number {
  const trip = measuredMs ?? median(roundTrips);
  return Math.max(LATE_RETRIES.settleFloorMs, Math.ceil(LATE_RETRIES.settleRoundTrips * trip));
}

/** How a case's original settled: why its retry may go, the direct reads it took and the settle time it waited. */
interface Settled {
  why: string;
  reads: number;
  waitedMs: number;
  settleMs: number;
}

/**
 * Waits until the original's processing has ended at the target: at once when
 * the proxy holds the target's answer to every forward (the caller awaited
 * link.idle()); else direct reads, a settle time apart, until one shows the
 * action done (at most LATE_RETRIES.settleReads, then the settle time once more).
 */
async function settled(ctx: CheckContext, late: LateCase): Promise<Settled> {
  if (!forwardAborted(late.link, late.operation))
    return { why: "the proxy has the target's answer to every forward", reads: 0, waitedMs: 0, settleMs: 0 };
  const trips: number[] = [];
  let waitedMs = 0;
  let settle = 0;
  for (let read = 1; read <= LATE_RETRIES.settleReads; read++) {
    const started = performance.now();
    const done = await late.done();
    trips.push(performance.now() - started);
    if (done) return { why: `a forward was aborted; read ${read} shows the action done`, reads: read, waitedMs, settleMs: settle };
    settle = settleMs(ctx.roundTripMs, trips);
    await ctx.sleep(settle);
    waitedMs += settle;
  }
  const why =
    `a forward was aborted; ${trips.length} reads did not show the action done, each followed by a settle time ` +
    `(last ${settle} ms${ctx.roundTripMs !== undefined ? `, from the measured round trip of ${ctx.roundTripMs} ms` : ''})`;
  return { why, reads: trips.length, waitedMs, settleMs: settle };
}

/** Sends one late retry of `late`, noted in its wire history. */
async function retry(late: LateCase, kind: LateRetryKind, why: string): Promise<LateRetry> {
  late.link.note(`${LATE_RETRY_TEXT[kind]}: ${late.operation} with the same input (${why})`);
  return { kind, result: await late.send() };
}

/** The late retries of a cell's cases, together: the settled retries, then one backoff wait, then the backoff retries. */
export async function lateRetries(ctx: CheckContext, cases: readonly LateCase[]): Promise<LateRetry[][]> {
  if (cases.length === 0) return [];
  ctx.step(`late retries of ${cases.length} cases: once the originals' processing ended, then after ${BACKOFF_RETRY_MS} ms`);
  const waits: Settled[] = [];
  const first = await Promise.all(
    cases.map(async (late) => {
      const wait = await settled(ctx, late);
      waits.push(wait);
      return retry(late, 'settled', wait.why);
    }),
  );
  await ctx.sleep(BACKOFF_RETRY_MS);
  const second = await Promise.all(cases.map((late) => retry(late, 'backoff', `${BACKOFF_RETRY_MS} ms after the last answer`)));
  // What they cost: the cases' settle waits overlap, the backoff is one wait for all.
  cases[0]!.link.pace({
    retries: first.length + second.length,
    reads: waits.reduce((sum, wait) => sum + wait.reads, 0),
    waitedMs: Math.max(0, ...waits.map((wait) => wait.waitedMs)) + BACKOFF_RETRY_MS,
    // The settle time an aborted forward waits: the measured round trip's, else the longest the reads gave.
    settleMs: ctx.roundTripMs !== undefined ? settleMs(ctx.roundTripMs, []) : Math.max(0, ...waits.map((wait) => wait.settleMs)),
  });
  return cases.map((_late, index) => [first[index]!, second[index]!]);
}
