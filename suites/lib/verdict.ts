// Outcomes of checks. A check throws Violation where the contract is broken;
// `verdictOf` turns it into a `fail` Outcome and lets SkipCheck and
// InconclusiveCheck through for the runner.
import type { Outcome } from '../../harness/types.ts';

export class Violation extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'Violation';
  }
}

/** Throws a Violation with `reason` unless `condition` holds. */
export function expect(condition: boolean, reason: () => string): asserts condition {
  if (!condition) throw new Violation(reason());
}

export function pass(reason: string): Outcome {
  return { verdict: 'pass', reason };
}

export async function verdictOf(body: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await body();
  } catch (thrown) {
    if (thrown instanceof Violation) return { verdict: 'fail', reason: thrown.reason };
    throw thrown;
  }
}

/** Runs several checks of one cell in order; the first that does not pass decides. */
export async function allOf(...parts: (() => Promise<Outcome>)[]): Promise<Outcome> {
  const reasons: string[] = [];
  for (const part of parts) {
    const outcome = await verdictOf(part);
    if (outcome.verdict !== 'pass') return outcome;
    reasons.push(outcome.reason);
  }
  return pass(reasons.join(' '));
}
