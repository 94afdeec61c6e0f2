// The library entry point (`import { runConformance } from 'proton-conformance'`):
// one run of the contract from a program's own code, resolving with the
// report (the same object the JSON report holds: specs/report.schema.json).
// The target is chosen as the CLI chooses it (options.endpoint, else
// AWS_ENDPOINT_URL_PROTON, else AWS_ENDPOINT_URL, else the embedded
// emulator); a remote endpoint needs allowRealAccount, the ownership guard
// checks every delete, and what the run created on a target without the
// reset hook is removed at the end, as the CLI does.
import { loadCatalog } from '../suites/catalog.ts';
import { applyExpectations, gateExitCode, loadExpectations } from '../harness/outcomes/expectations.ts';
import type { Expectation, ExpectationsSummary } from '../harness/outcomes/expectations.ts';
import { newRunId } from '../harness/safety/names.ts';
import { RunOwnership } from '../harness/safety/ownership.ts';
import { runConformance as runCells } from '../harness/run/runner.ts';
import type { CellResult } from '../harness/run/results.ts';
import { selectCells } from '../harness/run/select.ts';
import type { Selection } from '../harness/run/select.ts';
import { parseShard, shardSelection } from '../harness/run/shard.ts';
import type { Shard, ShardInfo } from '../harness/run/shard.ts';
import { resolveTarget } from '../harness/target/target.ts';
import type { Target } from '../harness/target/target.ts';
import type { Report } from '../harness/types.ts';
import { setUpBundles } from '../harness/bundles/setup.ts';
import type { RunBundles } from '../harness/bundles/setup.ts';
import { checkBundleFlags } from '../harness/bundles/flags.ts';
import { cleanUpRun, cleansUp } from '../harness/safety/real-target.ts';
import { RUN_DEFAULTS, sizeRun, sizedSettings } from '../harness/plan/sizing.ts';
import { DEFAULT_NUM_RUNS } from '../harness/run/results.ts';
import { guardRun, RunWatch } from '../harness/run/unsettled.ts';
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
  /** Seconds one wait on an asynchronous step may last (as --wait-timeout). */
  waitTimeoutS?: number;
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
  /** Stops the run (running cells are interrupted, their cleanups run; the report is partial). */
  signal?: AbortSignal;
  /** Called as each cell finishes. */
  onCell?: (result: CellResult, done: number, total: number) => void;
  /** Environment to read the endpoint from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface ConformanceReport extends Report {
  runId: string;
  requests: number;
  interrupted: boolean;
  /** The CLI's exit code for this report: 0 no MUST cell fails (or every failure is expected), else 1. */
  exitCode: 0 | 1;
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

export async function runConformance(options: ConformanceOptions = {}): Promise<ConformanceReport> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const [catalog, model] = await Promise.all([loadCatalog(), import('../specs/model.ts')]);
  let selection = selectCells(catalog.rules, { rules: options.rules, operations: options.operations });
  let shardInfo: ShardInfo | undefined;
  if (options.shard !== undefined) ({ selection, info: shardInfo } = shardSelection(selection, shardOf(options.shard)));
  const known = new Map(catalog.rules.map((rule) => [rule.id, rule.operations]));
  const expectations =
    options.expect === undefined
      ? undefined
      : typeof options.expect === 'string'
        ? await loadExpectations(options.expect, 'expect', known)
        : [...options.expect];
  const target: Target = await resolveTarget({
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.env ? { env: options.env } : {}),
    allowRealAccount: options.allowRealAccount === true,
  });
  const silent = { write: () => true } as unknown as NodeJS.WritableStream;
  let bundles: RunBundles | undefined;
  try {
    const runId = newRunId();
    const ownership = target.embedded ? undefined : new RunOwnership(runId);
    checkBundleFlags(options.bundleBucket, options.bundlePrefix);
    bundles = await setUpBundles(target, runId, options, () => undefined, options.signal, silent);
    const defaults = target.remote ? RUN_DEFAULTS.remote : RUN_DEFAULTS.local;
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    if (options.expectDurations !== undefined) parseTransitionDurations('expectDurations', options.expectDurations);
    // As the CLI: a target without a clock is rehearsed first and sized by its plan.
    const sizing = await sizeRun(
      target,
      {
        numRuns: options.numRuns ?? DEFAULT_NUM_RUNS,
        numRunsGiven: options.numRuns !== undefined,
        ...(options.expectDurations !== undefined ? { expectDurations: options.expectDurations } : {}),
        ...(options.waitTimeoutS !== undefined ? { waitTimeout: options.waitTimeoutS } : {}),
        ...(options.budgetS !== undefined ? { budget: options.budgetS } : {}),
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
        ...(options.cellTimeoutS !== undefined ? { cellTimeout: options.cellTimeoutS } : {}),
      },
      selection,
      catalog,
      model,
      seed,
      options.signal ?? new AbortController().signal,
    );
    // Never left unsettled: if nothing in the process could end the run, it rejects with UnsettledRun (what was pending, the partial report).
    const watch = new RunWatch();
    const outcome = await guardRun(
      runCells({
        catalog,
        selection,
        target,
        shapeModel: model,
        runId,
        ...(ownership ? { ownership } : {}),
        seed,
        ...sizedSettings(sizing, defaults, {
          concurrency: options.concurrency,
          cellTimeoutS: options.cellTimeoutS,
          maxLiveResources: options.maxLiveResources,
        }),
        ...(options.signal ? { signal: options.signal } : {}),
        progress: { start() {}, cellDone: (result, done, total) => options.onCell?.(result, done, total) },
        ...(bundles.sources ? { bundles: bundles.sources } : {}),
        watch,
      }),
      watch,
    );
    const report = outcome.report as ConformanceReport;
    if (sizing.plan) Object.assign(report, { plan: sizing.plan });
    if (sizing.latency) {
      const settings = sizedSettings(sizing, target.remote ? RUN_DEFAULTS.remote : RUN_DEFAULTS.local, {
        concurrency: options.concurrency,
        cellTimeoutS: options.cellTimeoutS,
      });
      Object.assign(report, {
        sizing: { ...sizing.latency, numRuns: settings.numRuns, concurrency: settings.concurrency, cellTimeoutMs: settings.cellTimeoutMs },
      });
    }
    if (cleansUp(target)) {
      const cleaned = await cleanUpRun(target, runId, { note: () => undefined, out: silent });
      Object.assign(report, { cleanup: cleaned });
    }
    const bundlesRemoved = await bundles.remove();
    if (bundlesRemoved) Object.assign(report, { bundles: bundlesRemoved });
    if (shardInfo) report.shard = shardInfo;
    if (expectations)
      applyExpectations(
        report,
        expectations,
        typeof options.expect === 'string' ? options.expect : '(given)',
        options.strictExpectations === true,
      );
    Object.assign(report, { runId, requests: outcome.requests, interrupted: outcome.interrupted });
    report.exitCode = gateExitCode(report);
    Object.assign(report, { verdict: outcome.interrupted ? 'interrupted' : report.exitCode === 0 ? 'pass' : 'fail' });
    return report;
  } finally {
    await bundles?.remove();
    await target.close();
  }
}
