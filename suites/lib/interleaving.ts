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
import type { InterleavingFinding } from '../../harness/wire/interleavings.ts';

/** The findings of a cell's cases on the attempt under way, by case (proveCase), and a link to count through. */
const proofs = new WeakMap<CheckContext, { findings: Map<unknown, InterleavingFinding>; link?: WireLink }>();

/**
 * Reads from `link`'s history whether case `c` met `interleaving` (none: the case needs none), right after the
 * case's own requests (before any later request through the same link): untilProven reads it.
 */
export function proveCase(ctx: CheckContext, c: unknown, link: WireLink, interleaving: Interleaving | undefined): void {
  let proof = proofs.get(ctx);
  if (proof === undefined) {
    proof = { findings: new Map() };
    proofs.set(ctx, proof);
  }
  proof.link = link;
  if (interleaving !== undefined) proof.findings.set(c, link.interleaving(interleaving));
}

/** What became of the cases: how many needed another attempt (noted in the pass's reason). */
export interface Proven {
  intended: number;
  attempts: number;
  /** " 2 case runs did not meet their interleaving and were run again, fresh, until they did.", or ''. */
  note: string;
}

/**
 * Runs `cases` (all at once, by `run`, which judges them, throws on a failure, and proves each with proveCase),
 * then again those whose interleaving did not happen, each time fresh, INTERLEAVING_ATTEMPTS times in all. Counts
 * the cell's intended and exercised interleavings (WireLink.tally); throws InconclusiveCheck naming the cases
 * whose interleaving never happened.
 */
export async function untilProven<C>(
  ctx: CheckContext,
  cases: readonly C[],
  label: (c: C) => string,
  run: (cases: readonly C[], attempt: number) => Promise<void>,
): Promise<Proven> {
  let pending = [...cases];
  let intended = 0;
  let again = 0;
  for (let attempt = 1; ; attempt++) {
    proofs.get(ctx)?.findings.clear();
    await run(pending, attempt);
    const proof = proofs.get(ctx);
    const missed = pending.flatMap((c) => {
      const finding = proof?.findings.get(c);
      return finding === undefined || finding.happened ? [] : [{ c, finding }];
    });
    if (attempt === 1) intended = cases.filter((c) => proof?.findings.has(c)).length;
    if (missed.length === 0) {
      proof?.link?.tally(intended, intended);
      const note = again === 0 ? '' : ` ${again} case run(s) did not meet their interleaving and were run again, fresh, until they did.`;
      return { intended, attempts: attempt, note };
    }
    const texts = missed.map(({ c, finding }) => `${label(c)}: ${finding.evidence}`);
    if (attempt >= INTERLEAVING_ATTEMPTS) {
      proof?.link?.tally(intended, intended - missed.length);
      const needed = [...new Set(missed.map(({ finding }) => finding.interleaving))];
      throw new InconclusiveCheck(
        `${needed.map((i) => `the interleaving ${i} (${INTERLEAVINGS[i]})`).join('; ')} never happened in ${INTERLEAVING_ATTEMPTS} ` +
          `attempts for ${missed.length} of ${intended} cases (${texts.slice(0, 3).join('; ')}): those cases checked nothing`,
      );
    }
    again += missed.length;
    ctx.step(`${missed.length} case(s) did not meet their interleaving (${texts.slice(0, 2).join('; ')}): run again, fresh`);
    pending = missed.map(({ c }) => c);
  }
}

/**
 * A single case that needs `interleaving`, run until it happens (at most INTERLEAVING_ATTEMPTS times): `run`
 * sends it, judges it (throwing on a failure) and returns its link.
 */
export async function provenOnce(
  ctx: CheckContext,
  interleaving: Interleaving,
  what: string,
  run: (attempt: number) => Promise<WireLink>,
): Promise<Proven> {
  return untilProven(
    ctx,
    [what],
    (c) => c,
    async (_cases, attempt) => proveCase(ctx, what, await run(attempt), interleaving),
  );
}
