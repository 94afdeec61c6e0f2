// The library entry point (`import { runConformance } from 'proton-conformance'`):
// one run of the contract from a program's own code, resolving with the
// report (the same object the JSON report holds: specs/report.schema.json).
// The target is chosen as the CLI chooses it (options.endpoint, else
// AWS_ENDPOINT_URL_PROTON, else AWS_ENDPOINT_URL, else the embedded
// emulator); a remote endpoint needs allowRealAccount, `account` is checked
// before anything is created, the ownership guard checks every delete, and
// what the run created on a target without the reset hook is removed at the
// end: the CLI's own run (harness/engine/engine.ts), without its output.
import { loadCatalog } from '../suites/catalog.ts';
import type { Expectation, ExpectationsSummary } from '../harness/outcomes/expectations.ts';
import { runEngine } from '../harness/engine/engine.ts';
import type { EngineReport, RunRequest } from '../harness/engine/engine.ts';
import type { CellResult } from '../harness/run/results.ts';
import { selectCells } from '../harness/run/select.ts';
import type { Selection } from '../harness/run/select.ts';
import { parseShard, shardSelection } from '../harness/run/shard.ts';
import type { Shard, ShardInfo } from '../harness/run/shard.ts';
import { checkBundleFlags } from '../harness/bundles/flags.ts';
import { parseFailOn, parseRequiredCapabilities } from '../harness/engine/gate.ts';
import { DEFAULT_NUM_RUNS } from '../harness/run/results.ts';
import { UsageError } from '../harness/errors.ts';
import { parseTransitionDurations } from '../specs/transitions.ts';

export type { Report, RuleResult, Verdict, Level, Category, Exchange, Summary, Replay, TransientCounts } from '../harness/types.ts';
export type { CellResult } from '../harness/run/results.ts';
export type { Expectation, ExpectationsSummary } from '../harness/outcomes/expectations.ts';
export type { ShardInfo } from '../harness/run/shard.ts';
export { gateExitCode } from '../harness/outcomes/expectations.ts';
export { mergeReports } from '../harness/outcomes/merge.ts';
export { diffReports, renderDiff } from '../harness/outcomes/diff.ts';
export { renderJUnit } from '../reporters/junit.ts';
export { renderHtml } from '../reporters/html.ts';
export { renderMarkdown } from '../reporters/markdown.ts';
/** Rejected with when the run's promises could never settle (a bug of the suite): `pending` names them, `partial` is the report so far. */
export { UnsettledRun } from '../harness/run/unsettled.ts';

export interface ConformanceOptions {
  /** The target URL, or 'aws'; default: AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL, else the embedded emulator. */
  endpoint?: string;
  /** Required for an endpoint off this machine's loopback (a real account). */
  allowRealAccount?: boolean;
  /**
   * The account the credentials must act in (as --account): asked of STS
   * before anything is created; another account, or one STS does not tell,
   * rejects the run (a UsageError) with nothing created.
   */
  account?: string;
  /** Rule ids to run, as --rules (comma-separated globs or substrings). */
  rules?: string;
  /** Operations, as --operations (comma-separated). */
  operations?: string;
  /** fast-check seed; default random (in the report). */
  seed?: number;
  /** Runs per property (default 100). */
  numRuns?: number;
  /** Cells at once (default 12; 4 for a remote target). */
  concurrency?: number;
  /** Per-cell budget in seconds (default 60; 900 for a remote target). */
  cellTimeoutS?: number;
  /**
   * A target without a clock (no hooks): the durations its asynchronous steps
   * are expected to take (as --expect-durations: `real/N`, `name=ms,...`;
   * default `real`). The run is rehearsed with them first; its plan is in the
   * report (`plan`), and it is sized by it as the CLI sizes it (harness/plan/sizing.ts).
   */
  expectDurations?: string;
  /**
   * Seconds a run against a slow target is sized to fit (as --budget; default
   * 300): the target's round trip is measured first, and a slow one's runs
   * per property, concurrency and cell timeout chosen by it (report `sizing`).
   */
  budgetS?: number;
  /** Seconds the end-of-run cleanup of a target without the reset hook may take (as --cleanup-timeout; default 300). */
  cleanupTimeoutS?: number;
  /** Seconds one wait on an asynchronous step may last (as --wait-timeout). */
  waitTimeoutS?: number;
  /** Seconds to wait for the endpoint to answer before the run starts (as --wait-for-target). */
  waitForTargetS?: number;
  /** At most this many of the run's resources at once (as --max-live-resources). */
  maxLiveResources?: number;
  /** The S3 bucket for the run's template bundles (as --bundle-bucket): uploaded first, removed at the end. */
  bundleBucket?: string;
  /** Key prefix of the run's bundles (as --bundle-prefix; default proton-conformance/). */
  bundlePrefix?: string;
  /** One part of the cells, as --shard ('2/3' or {index: 2, count: 3}). */
  shard?: string | Shard;
  /** Known failures: a file (as --expect) or the entries themselves. */
  expect?: string | readonly Expectation[];
  /** A fixed expected failure fails the run (--strict-expectations). */
  strictExpectations?: boolean;
  /**
   * Cells with these verdicts fail the run (exitCode 1), as --fail-on:
   * 'skipped', 'inconclusive' or both (a list, or 'skipped,inconclusive').
   */
  failOn?: string | readonly string[];
  /**
   * Hooks the target must offer (as --require-capabilities: clock, durations,
   * reset, counts, accounts): a target lacking one rejects the run (a
   * UsageError) before any cell.
   */
  requireCapabilities?: string | readonly string[];
  /**
   * A JSON report of an earlier run (as --rerun-failed): only its cells that
   * did not pass run again, with its seed, a property cell replaying its
   * shrunk case; the report's `rerun` says which are fixed. `rules`,
   * `operations`, `shard` and a different `seed` are refused beside it.
   */
  rerunFailed?: string;
  /** Stops the run (running cells are interrupted, their cleanups run; the report is partial). */
  signal?: AbortSignal;
  /** Called as each cell finishes. */
  onCell?: (result: CellResult, done: number, total: number) => void;
  /** Environment to read the endpoint from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface ConformanceReport extends EngineReport {
  /**
   * The CLI's exit code for this report: 0 no MUST cell fails (or every
   * failure is expected), 1 one does (or a cell has a verdict `failOn`
   * names), 2 the run could not be completed as asked, 130 interrupted
   * (options.signal).
   */
  exitCode: number;
  shard?: ShardInfo;
  expectations?: ExpectationsSummary;
}

/** The cells a run with these options would have (no target is contacted). */
export async function planConformance(options: Pick<ConformanceOptions, 'rules' | 'operations' | 'shard'> = {}): Promise<Selection> {
  const catalog = await loadCatalog();
  let selection = selectCells(catalog.rules, { rules: options.rules, operations: options.operations });
  if (options.shard !== undefined) selection = shardSelection(selection, shardOf(options.shard)).selection;
  return selection;
}

function shardOf(shard: string | Shard): Shard {
  return typeof shard === 'string' ? parseShard(shard) : parseShard(`${shard.index}/${shard.count}`);
}

/**
 * One run of the contract, as the CLI runs it (harness/engine/engine.ts), in
 * silence: resolves with the report the CLI's --json writes.
 */
export async function runConformance(options: ConformanceOptions = {}): Promise<ConformanceReport> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const { report } = await runEngine(requestOf(options), {
    catalog: loadCatalog(),
    sink: { progress: { start() {}, cellDone: (result, done, total) => options.onCell?.(result, done, total) } },
  });
  return report as ConformanceReport;
}

/** The engine's request from the options, checked as the CLI checks its flags. */
function requestOf(options: ConformanceOptions): RunRequest {
  if (options.rerunFailed !== undefined) checkRerun(options);
  checkBundleFlags(options.bundleBucket, options.bundlePrefix);
  if (options.expectDurations !== undefined) parseTransitionDurations('expectDurations', options.expectDurations);
  const expect = options.expect;
  return {
    endpoint: options.endpoint,
    env: options.env,
    allowRealAccount: options.allowRealAccount === true,
    account: options.account,
    rules: options.rules,
    operations: options.operations,
    shard: options.shard === undefined ? undefined : shardOf(options.shard),
    seed: options.seed,
    numRuns: options.numRuns ?? DEFAULT_NUM_RUNS,
    numRunsGiven: options.numRuns !== undefined,
    concurrency: options.concurrency,
    cellTimeout: options.cellTimeoutS,
    cleanupTimeout: options.cleanupTimeoutS,
    waitTimeout: options.waitTimeoutS,
    waitForTarget: options.waitForTargetS,
    budget: options.budgetS,
    expectDurations: options.expectDurations,
    maxLiveResources: options.maxLiveResources,
    bundleBucket: options.bundleBucket,
    bundlePrefix: options.bundlePrefix,
    expect: expect === undefined ? undefined : typeof expect === 'string' ? { file: expect, flag: 'expect' } : { entries: expect },
    strictExpectations: options.strictExpectations === true,
    failOn: options.failOn === undefined ? undefined : parseFailOn('failOn', options.failOn),
    requireCapabilities:
      options.requireCapabilities === undefined ? undefined : parseRequiredCapabilities('requireCapabilities', options.requireCapabilities),
    rerunFailed: options.rerunFailed,
    signal: options.signal,
  };
}

/** rerunFailed: the cells and their replay paths come from its report, so nothing else may choose them. */
function checkRerun(options: ConformanceOptions): void {
  for (const option of ['rules', 'operations', 'shard'] as const) {
    if (options[option] !== undefined) throw new UsageError(`rerunFailed runs the cells its report names: drop ${option}`);
  }
}
