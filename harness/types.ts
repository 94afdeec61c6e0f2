// What the harness's parts share: exchanges, results, the report, outcomes,
// hooks. The contract's own vocabulary (category, level, verdict, capability)
// lives with its data in specs/vocabulary.ts and is re-exported here.

export type { Capability, Category, Level, Verdict, WaitOptions } from '../specs/vocabulary.ts';
export { VERDICTS } from '../specs/vocabulary.ts';
import type { Capability, Category, Level, Verdict } from '../specs/vocabulary.ts';

/** One HTTP exchange, as recorded for evidence (credentials redacted). */
export interface Exchange {
  /** Proton operation name, from X-Amz-Target. */
  operation: string;
  request: { headers: Record<string, string>; body: unknown };
  /** Absent when no response arrived (network error, injected loss). */
  response?: { status: number; headers: Record<string, string>; body: unknown };
  /** Network-level error, when there was no response. */
  error?: string;
  /** Wall-clock start and duration, milliseconds. */
  startedAt: number;
  durationMs: number;
  /**
   * A transient answer (harness/client/weather.ts): its kind, and the wait before
   * the same request was sent again (absent when the step gave up on it).
   */
  transient?: { kind: 'throttle' | 'server-error' | 'network'; waitMs?: number };
}

/** Transient answers met (weather, not violations) and what became of them. */
export interface TransientCounts {
  /** ThrottlingException and its kin, HTTP 429. */
  throttle: number;
  /** Any 5xx. */
  serverError: number;
  /** A reset, refused or timed-out connection. */
  network: number;
  /** Requests sent again because of one of them. */
  retries: number;
  /** Steps that never got past them within their budget (their cells are inconclusive). */
  exhausted: number;
  /** Answers the wire checks' proxy made up itself (harness/wire/proxy.ts), retried too: not the target's weather. */
  injected?: number;
}

/** How to replay one property-based failure exactly. */
export interface Replay {
  seed: number;
  path: string;
  /** One-line shell command that replays exactly this case. */
  command: string;
}

/** One cell of the matrix: a rule checked on one operation. */
export interface RuleResult {
  rule: string;
  category: Category;
  level: Level;
  operation: string;
  verdict: Verdict;
  reason: string;
  evidence: Exchange[];
  replay?: Replay;
  /** Wall-clock time the check took, milliseconds. */
  durationMs?: number;
  /** The weather the cell met (absent: none). */
  transient?: TransientCounts;
  /** Differences of its Lists that a repeated List and Get settled (docs/lists-and-evidence.md; absent: none). */
  listWeather?: number;
  /** What happened on the wire (wire rules, non-pass cells): who sent what, when, what the proxy did, what each client saw. */
  history?: WireEvent[];
  /** The interleavings the cell's cases needed (specs/wire.ts INTERLEAVINGS), and how many the proxy's history shows happened. */
  interleavings?: InterleavingCount;
  /** The retries its wire cases made at a client's pace (suites/lib/late-retry.ts), and what they cost. */
  paced?: PacedCost;
}

/** A clock jump or a duration change a check made through the hooks (reproducers replay them in time order with the evidence). */
export interface HookCall {
  /** Wall-clock time of the call, milliseconds (the clock of Exchange.startedAt). */
  at: number;
  advanceMs?: number;
  durations?: Record<string, number>;
}

/** Intended interleavings of a cell's cases, and those exercised (issue 19: a pass must prove its interleaving). */
export interface InterleavingCount {
  intended: number;
  exercised: number;
}

/**
 * Retries at a client's pace (issue 19), as a cell counts them: the retries sent, the direct reads that looked for an
 * aborted original's action, the time they waited (the settle times and the backoff, milliseconds) and the settle time used.
 */
export interface PacedCost {
  retries: number;
  reads: number;
  waitedMs: number;
  settleMs: number;
}

/** One event on the wire of a cell (harness/wire/proxy.ts): a client's request and what it saw, the proxy's doing, the target's answer. */
export interface WireEvent {
  /** Milliseconds since the cell's wire history began. */
  at: number;
  /** 'client 1', 'proxy', 'target', 'check'. */
  who: string;
  /** The proxy's delivery number, when the event belongs to one. */
  delivery?: number;
  operation: string;
  what: string;
}

export interface Summary {
  pass: number;
  fail: number;
  warn: number;
  inconclusive: number;
  skipped: number;
}

/** The JSON report written by `--json FILE` (schema: specs/report.schema.json). */
export interface Report {
  target: {
    endpoint: string;
    embedded: boolean;
    region: string;
    /** The hook capabilities, and 'accounts' when the target isolates accounts. */
    capabilities: Array<Capability | 'accounts'>;
  };
  startedAt: string;
  finishedAt: string;
  seed: number;
  numRuns: number;
  summary: Summary;
  results: RuleResult[];
  /** The weather of the whole run: every transient answer, the checks' and their cleanups'. */
  transient?: TransientCounts;
}

/** A property's failure, in parts: the runner words the reason of its replayed case from them. */
export interface PropertyFailure {
  /** What went wrong in the shrunk case, in the words of its evidence. */
  cause: string;
  /** The shrunk case (and how its generated tokens were sent, in a replay). */
  counterexample: string;
  /** Cases run before the failure, and shrinks after it. */
  runs: number;
  shrinks: number;
}

/** What a check returns; the runner adds rule, operation and evidence. */
export interface Outcome {
  verdict: Verdict;
  reason: string;
  replay?: Replay;
  /** A property failure's parts (suites/lib/property.ts). */
  property?: PropertyFailure;
  /** Differences of a List from what a repeated List and Get showed: weather, not violations (suites/lib/evidence.ts). */
  listWeather?: number;
}

export { InconclusiveCheck, SkipCheck } from '../specs/vocabulary.ts';

/** The emulator hooks (docs/emulator-hooks.md), scoped to one account. */
export interface Hooks {
  readonly capabilities: ReadonlySet<Capability>;
  now(): Promise<number>;
  advance(ms: number): Promise<number>;
  getDurations(): Promise<Record<string, number>>;
  setDurations(durations: Record<string, number>): Promise<Record<string, number>>;
  reset(): Promise<void>;
  counts(): Promise<Record<string, number>>;
}
