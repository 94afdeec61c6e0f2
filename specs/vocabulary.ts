// The vocabulary every layer shares, with the contract's data: a rule's
// category and level, a verdict, a capability a rule needs of the target, and
// how a wait is bounded. specs/ names them; suites/, harness/, reporters/ and
// cli/ use them (harness/types.ts re-exports them), so no arrow runs back up.

/** The four categories of the seed, plus the rules that span them. */
export type Category =
  | 'client-token'
  | 'idempotent-create'
  | 'idempotent-delete'
  | 'async-delete'
  | 'shape'
  | 'general'
  /** The contract of each category held under faults on the wire (harness/wire/proxy.ts). */
  | 'wire';

/** RFC 2119 level of a rule (CONTRACT.md). */
export type Level = 'MUST' | 'SHOULD';

/** CONTRACT.md "Verdicts". */
export type Verdict = 'pass' | 'fail' | 'warn' | 'inconclusive' | 'skipped';

export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'warn', 'inconclusive', 'skipped'];

/**
 * What a target can do beyond the Proton API, discovered through the
 * emulator hooks (docs/emulator-hooks.md). A rule that needs a capability
 * the target lacks is `skipped`, with the reason.
 */
export type Capability = 'clock' | 'durations' | 'reset' | 'counts';

/** Options of one poll: waitFor keeps probing until the predicate holds. */
export interface WaitOptions {
  /** Give up after this much (virtual, when the clock is controlled) time. */
  timeoutMs?: number;
  /** Step between probes, milliseconds. */
  intervalMs?: number;
}

/** Thrown inside a check when the target lacks what the check needs: the cell is `skipped`. */
export class SkipCheck extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SkipCheck';
  }
}

/**
 * Thrown inside a check when its precondition could not be observed or set
 * up (a prerequisite the target would not create, a wait that never ended):
 * the cell is `inconclusive`, never a contract failure.
 */
export class InconclusiveCheck extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InconclusiveCheck';
  }
}
