// From what a check did to a RuleResult: the verdict mapping of CONTRACT.md
// (a SHOULD `fail` is a `warn`; a skip or an inconclusive carries its reason;
// anything unexpected is a `fail` that names it, never a `pass`), summaries,
// and the command that replays or reruns a cell.
import type { HookCall, Level, Outcome, PropertyFailure, Report, RuleResult, Summary, Verdict } from '../types.ts';
import { InconclusiveCheck, SkipCheck, VERDICTS } from '../types.ts';
import { describeError } from '../errors.ts';

/** Extra fields a result carries beyond RuleResult (the report welcomes more fields). */
export interface ResultExtras {
  /** The readable steps of the check ("create template t1"). */
  steps?: string[];
  /** Exchanges the cell sent in all (the evidence keeps the latest). */
  requests?: number;
  /** One-line command that reruns this cell (non-pass results). */
  rerun?: string;
  /** Time the check spent waiting on the target's asynchronous steps (virtual or real), milliseconds. */
  waitedMs?: number;
  /** Cut short by Ctrl-C or SIGTERM (then inconclusive): not counted as run. */
  interrupted?: boolean;
  /** Exchanges of the whole property run, when the evidence is that of its replayed case (`requests`). */
  runRequests?: number;
  /** The check's clock jumps and duration changes, its waits' too (results that do not pass; reporters/reproducers/). */
  hookCalls?: HookCall[];
  /** In a report file, a result summarised by the run-wide evidence bound (reporters/evidence-bound.ts): what it left out. */
  evidenceOmitted?: EvidenceOmitted;
}

/** `evidenceOmitted`: what a summarised result no longer holds, and the bound it did not fit in. */
export interface EvidenceOmitted {
  exchanges: number;
  steps: number;
  hookCalls: number;
  wireEvents: number;
  /** Bytes of the JSON report they would have taken. */
  bytes: number;
  /** The run-wide bound, spent on the results before this one. */
  boundBytes: number;
}

export type CellResult = RuleResult & ResultExtras;

export interface Verdicted {
  verdict: Verdict;
  reason: string;
  replay?: Outcome['replay'];
  property?: Outcome['property'];
  listWeather?: number;
  /** The run was interrupted while the check ran. */
  interrupted?: boolean;
}

/** "N things", "1 thing". */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** The reason of a property failure: its cause, then the shrunk case. */
export function propertyReason(failure: PropertyFailure): string {
  return (
    `${failure.cause} Counterexample ` +
    `(after ${plural(failure.runs, 'run')}, ${plural(failure.shrinks, 'shrink')}): ${failure.counterexample}`
  );
}

/** A returned outcome, checked and mapped by level. */
export function fromOutcome(outcome: unknown, level: Level): Verdicted {
  if (!isOutcome(outcome)) {
    return { verdict: 'fail', reason: `the check returned a malformed outcome: ${preview(outcome)}` };
  }
  let reason = outcome.reason.trim() || defaultReason(outcome.verdict);
  let verdict: Verdict = outcome.verdict;
  // The level decides between the two: a violated SHOULD is a warn, a
  // violated MUST a fail (CONTRACT.md "Verdicts").
  if (verdict === 'fail' && level === 'SHOULD') verdict = 'warn';
  else if (verdict === 'warn' && level === 'MUST') {
    verdict = 'fail';
    reason = `${reason} (the check said 'warn', but the rule is a MUST)`;
  }
  const mapped: Verdicted = { verdict, reason };
  if (outcome.replay) mapped.replay = outcome.replay;
  if (outcome.property) mapped.property = outcome.property;
  if (outcome.listWeather) mapped.listWeather = outcome.listWeather;
  return mapped;
}

/** A thrown value: SkipCheck and InconclusiveCheck by their meaning, anything else a failure naming it. */
export function fromThrown(thrown: unknown, level: Level, lastStep: string | undefined): Verdicted {
  if (thrown instanceof SkipCheck || isNamed(thrown, 'SkipCheck')) {
    return { verdict: 'skipped', reason: reasonOf(thrown) || defaultReason('skipped') };
  }
  if (thrown instanceof InconclusiveCheck || isNamed(thrown, 'InconclusiveCheck')) {
    return { verdict: 'inconclusive', reason: reasonOf(thrown) || defaultReason('inconclusive') };
  }
  const where = lastStep ? ` (last step: ${lastStep})` : '';
  const verdict: Verdict = level === 'SHOULD' ? 'warn' : 'fail';
  return { verdict, reason: `the check threw unexpectedly: ${describeError(thrown)}${where}` };
}

function isOutcome(value: unknown): value is Outcome {
  if (typeof value !== 'object' || value === null) return false;
  const { verdict, reason } = value as Record<string, unknown>;
  return typeof verdict === 'string' && (VERDICTS as readonly string[]).includes(verdict) && typeof reason === 'string';
}

function isNamed(value: unknown, name: string): boolean {
  return value instanceof Error && value.name === name;
}

function reasonOf(value: unknown): string {
  const reason = (value as { reason?: unknown }).reason;
  if (typeof reason === 'string' && reason.trim()) return reason.trim();
  return value instanceof Error ? value.message.trim() : '';
}

function defaultReason(verdict: Verdict): string {
  return verdict === 'pass' ? 'passed' : `(the check gave no reason for '${verdict}')`;
}

function preview(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 200);
  } catch {
    return String(value).slice(0, 200);
  }
}

export function summarize(results: readonly RuleResult[]): Summary {
  const summary: Summary = { pass: 0, fail: 0, warn: 0, inconclusive: 0, skipped: 0 };
  for (const result of results) summary[result.verdict]++;
  return summary;
}

/** 0 when no MUST rule failed, else 1 (CLI exit code of a finished run). */
export function exitCodeOf(report: Pick<Report, 'results'>): 0 | 1 {
  return report.results.some((result) => result.verdict === 'fail' && result.level === 'MUST') ? 1 : 0;
}

/** Runs per property when --num-runs is not given (the issue asks for at least 100). */
export const DEFAULT_NUM_RUNS = 100;

export interface CommandParts {
  /** The words that run this installation (harness/run/invocation.ts); default `proton-conformance`. */
  program?: readonly string[];
  /** Endpoint to name, or undefined for the embedded emulator. */
  endpoint: string | undefined;
  rule: string;
  operation: string;
  seed: number;
  numRuns?: number;
  path?: string;
  /** More flags that change the outcome (--cell-timeout 5, --allow-real-account), in order. */
  flags?: readonly string[];
}

/** `<program> [--endpoint E] --rules R --operations O --seed S [--num-runs N] [--path P] [flags]`, shell-quoted. */
export function cellCommand(parts: CommandParts): string {
  const args = [...(parts.program ?? ['proton-conformance'])];
  if (parts.endpoint) args.push('--endpoint', parts.endpoint);
  args.push('--rules', parts.rule, '--operations', parts.operation, `--seed`, String(parts.seed));
  if (parts.numRuns !== undefined && parts.numRuns !== DEFAULT_NUM_RUNS) args.push('--num-runs', String(parts.numRuns));
  if (parts.path !== undefined) args.push('--path', parts.path);
  args.push(...(parts.flags ?? []));
  return args.map(shellQuote).join(' ');
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_\-./:=@,+]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
