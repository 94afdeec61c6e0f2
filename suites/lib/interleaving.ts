// A pass must prove its interleaving (issue 19): a case that sends requests
// through the wire proxy names the interleaving it needs (specs/wire.ts
// INTERLEAVINGS) and reads from the proxy's history whether it happened
// (WireLink.interleaving). A case whose interleaving did not happen checked
// nothing: it is run again, with a fresh name, token or resource, at most
// INTERLEAVING_ATTEMPTS times in all; one that never happens leaves the cell
// inconclusive with that reason, never pass. A failure on any attempt is
// thrown where it is found and stays a failure.
import type { CheckContext, WireLink } from '../../harness/run/context.ts';
import { InconclusiveCheck } from '../../harness/types.ts';
import { INTERLEAVING_ATTEMPTS, INTERLEAVINGS } from '../../specs/wire.ts';
import type { Interleaving } from '../../specs/wire.ts';

/** One case as it ran on one attempt: the link it went through (its own proxy, or its own schedule on a shared one). */
export interface RanCase<C> {
  c: C;
  link: WireLink;
}

/** What became of the cases: how many needed another attempt (noted in the pass's reason). */
export interface Proven {
  intended: number;
  attempts: number;
  /** "2 cases needed a second attempt for their interleaving", or ''. */
  note: string;
}

/**
 * Runs `cases` (all at once, by `run`, which judges them and throws on a failure), then again those whose
 * interleaving (`interleavingOf`) the history does not show, each time fresh, INTERLEAVING_ATTEMPTS times in all.
 * Counts the cell's intended and exercised interleavings (WireLink.tally); throws InconclusiveCheck naming the
 * cases whose interleaving never happened.
 */
export async function untilExercised<C>(
  ctx: CheckContext,
  cases: readonly C[],
  interleavingOf: (c: C) => Interleaving | undefined,
  label: (c: C) => string,
  run: (cases: readonly C[], attempt: number) => Promise<ReadonlyArray<RanCase<C>>>,
): Promise<Proven> {
  let pending = [...cases];
  let last: WireLink | undefined;
  const intended = cases.filter((c) => interleavingOf(c) !== undefined).length;
  const missed: string[] = [];
  let again = 0;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const ran = await run(pending, attempt);
    const next: C[] = [];
    missed.length = 0;
    for (const { c, link } of ran) {
      last = link;
      const interleaving = interleavingOf(c);
      if (interleaving === undefined) continue;
      const finding = link.interleaving(interleaving);
      if (finding.happened) continue;
      next.push(c);
      missed.push(`${label(c)}: ${finding.evidence}`);
    }
    if (next.length > 0 && attempt >= INTERLEAVING_ATTEMPTS) {
      last?.tally(intended, intended - next.length);
      const needed = [...new Set(next.map((c) => interleavingOf(c)!))];
      throw new InconclusiveCheck(
        `${needed.map((i) => `the interleaving ${i} (${INTERLEAVINGS[i]})`).join('; ')} never happened in ${INTERLEAVING_ATTEMPTS} ` +
          `attempts for ${next.length} of ${intended} cases (${missed.slice(0, 3).join('; ')}): those cases checked nothing`,
      );
    }
    if (next.length > 0) {
      again += next.length;
      ctx.step(`${next.length} case(s) did not meet their interleaving (${missed.slice(0, 2).join('; ')}): run again, fresh`);
    }
    pending = next;
    if (pending.length === 0) last?.tally(intended, intended);
    if (pending.length > 0) continue;
    return {
      intended,
      attempts: attempt,
      note: again === 0 ? '' : ` ${again} case run(s) did not meet their interleaving and were run again, fresh, until they did.`,
    };
  }
  return { intended, attempts: 0, note: '' };
}

/**
 * One attempt of a single case that needs `interleaving`, run until it happens (at most INTERLEAVING_ATTEMPTS
 * times): `run` sends it, judges it (throwing on a failure) and returns its link.
 */
export async function provenOnce(
  ctx: CheckContext,
  interleaving: Interleaving,
  what: string,
  run: (attempt: number) => Promise<WireLink>,
): Promise<Proven> {
  return untilExercised(
    ctx,
    [what],
    () => interleaving,
    (c) => c,
    async (_cases, attempt) => [{ c: what, link: await run(attempt) }],
  );
}
