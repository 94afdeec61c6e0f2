// From a run's results to what the analysis reports: for a fault, the MUST
// rules that failed and when its target rule first failed; for a variant, the
// MUST cells that did not pass (false positives) and those it could not judge.
import type { CellResult } from '../harness/run/results.ts';
import type { SubjectRun } from './run.ts';
import type { FaultSubject, VariantSubject } from './subjects.ts';

/** One cell in a finding: enough to read why, and to rerun it. */
export interface CellNote {
  rule: string;
  operation: string;
  verdict: string;
  reason: string;
}

export interface FaultFinding {
  fault: string;
  targetRule: string;
  caught: boolean;
  /** Every MUST rule with a failing verdict, the target first. */
  caughtBy: string[];
  /** From the start of the run to the end of the first failing cell of the target rule; null when it never failed. */
  secondsToCatch: number | null;
  /** Wall time of the fault's run. */
  seconds: number;
}

export interface VariantFinding {
  variant: string;
  /** MUST cells that failed on a conforming variant. */
  falsePositives: CellNote[];
  /** MUST cells inconclusive or skipped (with their reasons): not false positives, listed. */
  unjudged: CellNote[];
  seconds: number;
}

const note = (result: CellResult): CellNote => ({
  rule: result.rule,
  operation: result.operation,
  verdict: result.verdict,
  reason: result.reason.length > 600 ? `${result.reason.slice(0, 600)}...` : result.reason,
});

const seconds = (ms: number): number => Math.round(ms / 10) / 100;

export function faultFinding(subject: FaultSubject, run: SubjectRun): FaultFinding {
  const failing = run.results.filter((result) => result.level === 'MUST' && result.verdict === 'fail');
  const rules = [...new Set(failing.map((result) => result.rule))];
  const caught = rules.includes(subject.targetRule);
  const caughtBy = caught ? [subject.targetRule, ...rules.filter((rule) => rule !== subject.targetRule)] : rules;
  const times = failing.filter((result) => result.rule === subject.targetRule).map((result) => run.finishedAtMs.get(result) ?? run.wallMs);
  return {
    fault: subject.name,
    targetRule: subject.targetRule,
    caught,
    caughtBy,
    secondsToCatch: times.length === 0 ? null : seconds(Math.min(...times)),
    seconds: seconds(run.wallMs),
  };
}

/** The failing cells of the target rule (the evidence of a catch, or nothing). */
export function targetCells(subject: FaultSubject, run: SubjectRun): CellNote[] {
  return run.results.filter((result) => result.rule === subject.targetRule && result.verdict !== 'pass').map(note);
}

export function variantFinding(subject: VariantSubject, run: SubjectRun): VariantFinding {
  const must = run.results.filter((result) => result.level === 'MUST');
  return {
    variant: subject.name,
    falsePositives: must.filter((result) => result.verdict === 'fail' || result.verdict === 'warn').map(note),
    unjudged: must.filter((result) => result.verdict === 'inconclusive' || result.verdict === 'skipped').map(note),
    seconds: seconds(run.wallMs),
  };
}

/** Cells of a run on the reference emulator (any level) that did not pass: a flaky verdict (the target is zero). */
export function notPassing(run: SubjectRun): CellNote[] {
  return run.results.filter((result) => result.verdict !== 'pass').map(note);
}

/** Faults caught by the rule they target, over all faults (1 when there are none). */
export function mutationScore(findings: readonly FaultFinding[]): number {
  if (findings.length === 0) return 1;
  return findings.filter((finding) => finding.caught).length / findings.length;
}
