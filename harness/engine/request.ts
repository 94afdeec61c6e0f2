// What a run is asked to do (RunRequest), what it is handed (EngineParts: the
// checks, where its output goes) and what it hands back (EngineResult). The
// CLI fills a request from its flags, the library from its options; the field
// names are the flags' (seconds where a flag takes seconds).
import type { Expectation } from '../outcomes/expectations.ts';
import type { HookName } from '../target/probe.ts';
import type { FailOnVerdict } from './gate.ts';
import type { Catalog } from '../run/catalog.ts';
import type { RunProgress } from '../run/runner.ts';
import type { Shard } from '../run/shard.ts';
import type { UnsettledRun } from '../run/unsettled.ts';
import type { Ledger } from '../safety/ownership.ts';
import type { TextOut } from '../safety/real-target.ts';
import type { Report } from '../types.ts';

export interface RunRequest {
  /** The target URL, or 'aws'; default: AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL, else the embedded emulator. */
  endpoint?: string | undefined;
  /** Environment the endpoint (and PROTON_CONFORMANCE_TREAT_AS_REMOTE) is read from; default process.env. */
  env?: NodeJS.ProcessEnv | undefined;
  /** The interlock: a remote endpoint (maybe a real account) is refused before any request without it. */
  allowRealAccount: boolean;
  /** The account the credentials must act in (STS, before anything is created). */
  account?: string | undefined;
  rules?: string | undefined;
  operations?: string | undefined;
  shard?: Shard | undefined;
  /** Replays one property case of one cell. */
  path?: string | undefined;
  /** --rerun-failed: the JSON report whose cells that did not pass are run again, with its seed (harness/outcomes/rerun.ts). */
  rerunFailed?: string | undefined;
  /** Undefined: a random one, in the header and the report. */
  seed?: number | undefined;
  numRuns: number;
  /** Whether numRuns was given (else a target without a clock gets its own default: harness/plan/sizing.ts). */
  numRunsGiven: boolean;
  concurrency?: number | undefined;
  /** Seconds. */
  cellTimeout?: number | undefined;
  /** Seconds the end-of-run cleanup of a target without `reset` may take. */
  cleanupTimeout?: number | undefined;
  /** Seconds one wait on an asynchronous step may last. */
  waitTimeout?: number | undefined;
  /** Seconds to wait for a given endpoint to answer before the run (a service still starting); default: no wait. */
  waitForTarget?: number | undefined;
  /** Seconds a run against a slow target is sized to fit. */
  budget?: number | undefined;
  /** The durations a target without a clock is expected to take (`real/N`, `name=ms,...`). */
  expectDurations?: string | undefined;
  maxLiveResources?: number | undefined;
  bundleBucket?: string | undefined;
  bundlePrefix?: string | undefined;
  /** Known failures: a file (read with `flag` naming it in errors), or the entries themselves. */
  expect?: { file: string; flag: string } | { entries: readonly Expectation[] } | undefined;
  strictExpectations: boolean;
  /** --fail-on: cells with these verdicts fail the run (exit 1) unless expected (harness/engine/gate.ts). */
  failOn?: readonly FailOnVerdict[] | undefined;
  /** --require-capabilities: hooks the target must offer, else exit 2 before any cell. */
  requireCapabilities?: readonly HookName[] | undefined;
  /** client-token/expiry in two runs 8 h apart (harness/run/phase.ts). */
  phase?: 'record' | 'verify' | undefined;
  state?: string | undefined;
  /** Stops the run: running cells are interrupted, their cleanups run, then the run's cleanup; the report is partial. */
  signal?: AbortSignal | undefined;
  /** The words that run this installation, for the printed rerun and replay commands (default `proton-conformance`). */
  program?: readonly string[] | undefined;
}

/** What an interrupt needs of a run under way (the CLI's second Ctrl-C says what may be left). */
export interface RunHandle {
  runId: string;
  endpoint: string;
  /** Whether the run removes what it created at its end. */
  cleansUp: boolean;
  /** What the checks created and did not delete (any target but the embedded emulator). */
  ledger: Ledger | undefined;
  /** The command that removes what the run left. */
  sweepCommand: string;
  /** Whether the end-of-run cleanup is running. */
  cleaning(): boolean;
  /** s3://bucket/prefix of the run's uploaded bundles, if any. */
  bundlesLocation(): string | undefined;
}

/** Facts of the run besides the report (reporters/reporter.ts RunInfo). */
export interface EngineInfo {
  requests: number;
  wallMs: number;
  interrupted: boolean;
}

/** Where a run's output goes. Every member is optional: without them the run is silent. */
export interface EngineSink {
  /** The run's own lines (the CLI's stdout): the account, the header, the phase's and the cleanup's summaries. */
  out?: TextOut;
  /** Lines of their own on the CLI's stderr (the summary of what the bundles' preflight made and removed). */
  err?: TextOut;
  /** Notes while the run goes (the CLI's stderr, through its progress line). */
  note?(line: string): void;
  /** Cells as they start and finish. */
  progress?: RunProgress;
  /** The cells are chosen, before the target is awaited (the CLI checks its report files can be written). */
  prepared?(): Promise<void>;
  /** The run is under way (nothing is created before): what an interrupt needs. */
  started?(handle: RunHandle): void;
  /** The cells are done, their report complete but for the cleanup and the verdict (the CLI prints its matrix). */
  ran?(report: EngineReport, info: EngineInfo): Promise<void>;
  /**
   * The run's promises could never settle: its partial report carries verdict
   * 'error' (the CLI writes its files); the run then rejects with it.
   */
  stalled?(error: UnsettledRun): Promise<void>;
}

export interface EngineParts<O> {
  /** The checks: suites/catalog.ts loadCatalog() where the program is put together, a fake in tests. */
  catalog: Catalog<O> | Promise<Catalog<O>>;
  sink?: EngineSink;
  /** The exit code of an interrupted run (the CLI: 143 after SIGTERM); default EXIT_INTERRUPTED. */
  interruptedExitCode?: () => number;
}

/** The report as the JSON report file holds it (specs/report.schema.json). */
export type EngineReport = Report & {
  runId: string;
  requests: number;
  interrupted: boolean;
  verdict: 'pass' | 'fail' | 'error' | 'interrupted';
  exitCode: number;
};

export interface EngineResult {
  report: EngineReport;
  info: EngineInfo;
  exitCode: number;
  /** The expectations the run was given (for --write-expectations). */
  expectations: readonly Expectation[] | undefined;
}
