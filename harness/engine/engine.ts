// One run of the contract, as the CLI (cli/main.ts), the library
// (library/api.ts) and the vitest entry (library/vitest.ts) make it: the
// cells chosen, the target resolved behind the interlock, the account checked
// before anything is created, the phases of client-token/expiry, the run's id
// and ownership guard, its bundles, its sizing and plan, the cells run, known
// failures applied, what it created removed, and every field of the report
// with its verdict and exit code. The caller hands it the checks and says
// where its output goes (EngineSink); the CLI prints, the library is silent.
import { needsBundleBucket } from '../bundles/preflight.ts';
import { setUpBundles } from '../bundles/setup.ts';
import type { RunBundles } from '../bundles/setup.ts';
import type { ShapeModel } from '../client/shape.ts';
import { UsageError } from '../errors.ts';
import { applyExpectations, loadExpectations } from '../outcomes/expectations.ts';
import { loadRerun, rerunSelection, rerunSummary } from '../outcomes/rerun.ts';
import type { RerunPlan } from '../outcomes/rerun.ts';
import type { Expectation } from '../outcomes/expectations.ts';
import { RUN_DEFAULTS, sizeRun, sizedSettings } from '../plan/sizing.ts';
import type { RunSizing } from '../plan/sizing.ts';
import type { Catalog } from '../run/catalog.ts';
import { toolVersion } from '../run/invocation.ts';
import { checkPhaseTarget, finishRecord, phaseSelection, preparePhase } from '../run/phase.ts';
import type { PhasePlan } from '../run/phase.ts';
import { runConformance } from '../run/runner.ts';
import type { RunOutcome } from '../run/runner.ts';
import { selectCells } from '../run/select.ts';
import type { Selection } from '../run/select.ts';
import { shardSelection } from '../run/shard.ts';
import type { ShardInfo } from '../run/shard.ts';
import { guardRun, RunWatch, UnsettledRun } from '../run/unsettled.ts';
import { newRunId } from '../safety/names.ts';
import { RunOwnership } from '../safety/ownership.ts';
import { announceAccount, cleanUpRun, cleansUp, sweepCommand } from '../safety/real-target.ts';
import type { TextOut } from '../safety/real-target.ts';
import { resolveTarget } from '../target/target.ts';
import type { Target } from '../target/target.ts';
import { checkRequiredCapabilities, strictExitCode } from './gate.ts';
import { headerLines, outcomeFlags, runSettings, selectionFields } from './header.ts';
import type { EngineInfo, EngineParts, EngineReport, EngineResult, RunRequest } from './request.ts';

export type { EngineInfo, EngineParts, EngineReport, EngineResult, EngineSink, RunHandle, RunRequest } from './request.ts';

/** Ended by an interrupt (Ctrl-C), after the cleanups and the end-of-run cleanup. */
export const EXIT_INTERRUPTED = 130;
/** Ended by SIGTERM (after the cleanups and the end-of-run cleanup). */
export const EXIT_TERMINATED = 143;
/** A bug in proton-conformance itself (not the target's, not the user's): its own code, so that scripts can tell. */
export const EXIT_INTERNAL = 4;

/** What a run knows once its target is resolved and checked, before it creates anything. */
interface Prepared<O> {
  catalog: Catalog<O>;
  model: ShapeModel;
  target: Target;
  selection: Selection;
  shard: ShardInfo | undefined;
  expectations: Expectation[] | undefined;
  phase: PhasePlan | undefined;
  /** The account of a --phase run, if STS tells it. */
  account: string | undefined;
  /** --rerun-failed: the report's cells that did not pass, its seed and runs. */
  rerun: RerunPlan | undefined;
}

/** Runs the contract once; resolves with the report (rejects with a UsageError before anything is created, or with UnsettledRun). */
export async function runEngine<O>(request: RunRequest, parts: EngineParts<O>): Promise<EngineResult> {
  const wallStart = performance.now();
  const ready = await prepare(request, parts);
  try {
    // --rerun-failed: the report's seed, and its runs per property unless given.
    const rerun = ready.rerun;
    const effective: RunRequest = rerun
      ? { ...request, seed: rerun.seed, ...(request.numRunsGiven ? {} : { numRuns: rerun.numRuns, numRunsGiven: true }) }
      : request;
    return await runPrepared(effective, parts, ready, wallStart);
  } finally {
    await ready.target.close();
  }
}

/**
 * The cells, the target, the account: everything that may refuse the run
 * does so here, before anything is created. The target starts (or is probed)
 * while the checks load; a selection error still wins over an unreachable
 * target, and closes what was started.
 */
async function prepare<O>(request: RunRequest, parts: EngineParts<O>): Promise<Prepared<O>> {
  const catalogReady = Promise.resolve(parts.catalog);
  catalogReady.catch(() => undefined);
  // --phase verify: the state file and the time are checked first (nothing is sent before 8 h have passed).
  const phase = await preparePhase(request);
  // The interlock: a remote endpoint without allowRealAccount stops here, before any request.
  const pendingTarget = resolveTarget({
    endpoint: phase?.endpoint ?? request.endpoint,
    allowRealAccount: request.allowRealAccount,
    ...(request.env ? { env: request.env } : {}),
    ...(request.waitForTarget !== undefined ? { waitForTargetMs: Math.round(request.waitForTarget * 1000) } : {}),
    waiting: (line) => parts.sink?.err?.write(`proton-conformance: ${line}\n`),
  });
  pendingTarget.catch(() => undefined);
  let chosen: Omit<Prepared<O>, 'target' | 'account'>;
  try {
    const [catalog, model] = await Promise.all([catalogReady, import('../../specs/model.ts')]);
    chosen = { catalog, model, phase, ...(await choose(request, catalog, phase)) };
    await parts.sink?.prepared?.();
  } catch (error) {
    await pendingTarget.then((target) => target.close()).catch(() => undefined);
    throw error;
  }
  const target = await pendingTarget;
  try {
    // --require-capabilities: before the account, the bundles or any cell.
    checkRequiredCapabilities(target, request.requireCapabilities);
    // AWS's own endpoint registers versions from real bundles: without a bucket, nothing is sent.
    if (target.aws && request.bundleBucket === undefined)
      throw needsBundleBucket(target.endpoint, 'AWS Proton registers a template version from its bundle');
    // Before anything is created: the account, region and endpoint (and the account asked for).
    await announceAccount(target, request.account, parts.sink?.out ?? SILENT);
    const account = phase ? (await checkPhaseTarget(phase, target)).account : undefined;
    return { ...chosen, target, account };
  } catch (error) {
    await target.close();
    throw error;
  }
}

/** The cells of the run (rules, operations, the phase, the shard, --path) and the known failures. */
async function choose<O>(
  request: RunRequest,
  catalog: Catalog<O>,
  phase: PhasePlan | undefined,
): Promise<{ selection: Selection; shard: ShardInfo | undefined; expectations: Expectation[] | undefined; rerun: RerunPlan | undefined }> {
  const rerun = request.rerunFailed === undefined ? undefined : await loadRerun(request.rerunFailed, toolVersion(), catalog.rules);
  if (rerun && request.seed !== undefined && request.seed !== rerun.seed)
    throw new UsageError(`--rerun-failed runs with its report's seed ${rerun.seed}: drop --seed ${request.seed}`);
  let selection = rerun
    ? rerunSelection(catalog.rules, rerun)
    : phase
      ? phaseSelection(catalog.rules, phase, request)
      : selectCells(catalog.rules, { rules: request.rules, operations: request.operations });
  if (request.path !== undefined && (selection.cells.length !== 1 || selection.exerciseOnly)) {
    throw new UsageError(
      '--path replays one property case of one cell: narrow --rules and --operations to one rule and one operation (they ' +
        `select ${selection.cells.length} cells)`,
    );
  }
  const only = selection.cells[0]?.rule;
  if (request.path !== undefined && only !== undefined && !only.checkedBy.includes('property')) {
    throw new UsageError(`--path: ${only.id} is checked by scenarios only, which have no property case to replay (drop --path)`);
  }
  let shard: ShardInfo | undefined;
  if (request.shard) ({ selection, info: shard } = shardSelection(selection, request.shard));
  let expectations: Expectation[] | undefined;
  if (request.expect !== undefined && 'file' in request.expect) {
    const known = new Map(catalog.rules.map((rule) => [rule.id, rule.operations]));
    expectations = await loadExpectations(request.expect.file, request.expect.flag, known);
  } else if (request.expect !== undefined) expectations = [...request.expect.entries];
  return { selection, shard, expectations, rerun };
}

/** The run itself, once nothing can refuse it any more: its bundles, sizing, cells, cleanup and report. */
async function runPrepared<O>(request: RunRequest, parts: EngineParts<O>, ready: Prepared<O>, wallStart: number): Promise<EngineResult> {
  const { target, phase } = ready;
  const sink = parts.sink ?? {};
  const out = sink.out ?? SILENT;
  const note = (line: string): void => sink.note?.(line);
  const seed = request.seed ?? randomSeed();
  // --phase verify continues the record run: its run id (names, tags, the cleanup's sweep).
  const runId = phase?.runId ?? newRunId();
  // Every Delete* against anything but the embedded emulator goes through the ownership guard.
  const ownership = target.embedded ? undefined : new RunOwnership(runId);
  const cleanup = cleansUp(target) || phase?.kind === 'verify';
  let cleaning = false;
  let bundles: RunBundles | undefined;
  sink.started?.({
    runId,
    endpoint: target.endpoint,
    cleansUp: cleanup,
    ledger: ownership?.ledger,
    sweepCommand: sweepCommand(target, runId),
    cleaning: () => cleaning,
    bundlesLocation: () => bundles?.location,
  });
  try {
    // The template bundles: uploaded (--bundle-bucket), or the target shown not to need them.
    bundles = await setUpBundles(target, runId, request, note, request.signal, sink.err ?? SILENT);
    const sized = await sizeAndAnnounce(request, ready, seed, out);
    const outcome = await runCells(request, parts, ready, { runId, ownership, seed, settings: sized.settings, bundles });
    const report = outcome.report as EngineReport;
    Object.assign(report, {
      tool: { name: 'proton-conformance', version: toolVersion() },
      settings: runSettings(request, { seed, settings: sized.settings, cleanup }),
      selection: selectionFields(ready.selection),
    });
    addSizing(report, sized, wallStart);
    const info: EngineInfo = { requests: outcome.requests, wallMs: performance.now() - wallStart, interrupted: outcome.interrupted };
    if (ready.shard) Object.assign(report, { shard: ready.shard });
    if (ready.expectations) applyExpectations(report, ready.expectations, expectationsName(request), request.strictExpectations);
    if (ready.rerun) Object.assign(report, { rerun: rerunSummary(ready.rerun, report) });
    // The matrix first; then the cleanup of a target without `reset` (success,
    // failure or interrupt alike); then the verdict, which the JSON report carries.
    await sink.ran?.(report, info);
    // --phase record: the state file, before the cleanup, which leaves what it names alone.
    const operations = ready.selection.cells.map((cell) => cell.operation);
    const recorded = phase ? await finishRecord(phase, target, runId, ready.account, operations, out) : {};
    if (cleanup) {
      cleaning = true;
      const cleaned = await cleanUpRun(target, runId, {
        ...(request.cleanupTimeout !== undefined ? { timeoutMs: request.cleanupTimeout * 1000 } : {}),
        note,
        out,
        ...(recorded.keep ? { keep: recorded.keep } : {}),
      });
      Object.assign(report, { cleanup: cleaned });
    }
    const bundlesRemoved = await bundles.remove();
    if (bundlesRemoved) Object.assign(report, { bundles: bundlesRemoved });
    const exitCode = outcome.interrupted
      ? (parts.interruptedExitCode?.() ?? EXIT_INTERRUPTED)
      : recorded.error !== undefined
        ? 2
        : strictExitCode(report);
    Object.assign(report, { verdict: verdictOf(outcome.interrupted, exitCode), exitCode });
    return { report, info, exitCode, expectations: ready.expectations };
  } finally {
    // Uploaded bundles go whatever happened (a failure, an interrupt): once.
    await bundles?.remove();
  }
}

interface Sized {
  sizing: RunSizing;
  settings: ReturnType<typeof sizedSettings>;
}

/** The run sized to its target (harness/plan/sizing.ts), then the header that says how. */
async function sizeAndAnnounce<O>(request: RunRequest, ready: Prepared<O>, seed: number, out: TextOut): Promise<Sized> {
  const { target, selection } = ready;
  // Against a target without a clock: rehearsed first, so that the run says what it will cost.
  const sizing = await sizeRun(
    target,
    request,
    selection,
    ready.catalog,
    ready.model,
    seed,
    request.signal ?? new AbortController().signal,
  );
  // Defaults by what the target is: on this machine (the embedded emulator or
  // any loopback endpoint) short cells run many at once; a remote one is slower.
  const settings = sizedSettings(sizing, target.remote ? RUN_DEFAULTS.remote : RUN_DEFAULTS.local, {
    concurrency: request.concurrency,
    cellTimeoutS: request.cellTimeout,
    maxLiveResources: request.maxLiveResources,
  });
  for (const line of headerLines(target, seed, request, { selection, sizing, settings, shard: ready.shard })) out.write(`${line}\n`);
  return { sizing, settings };
}

/** The cells, guarded against a run that can never end: then its partial report says 'error' and the run rejects with UnsettledRun. */
async function runCells<O>(
  request: RunRequest,
  parts: EngineParts<O>,
  ready: Prepared<O>,
  run: { runId: string; ownership: RunOwnership | undefined; seed: number; settings: Sized['settings']; bundles: RunBundles },
): Promise<RunOutcome> {
  const watch = new RunWatch();
  try {
    return await guardRun(
      runConformance({
        catalog: ready.catalog,
        selection: ready.selection,
        target: ready.target,
        shapeModel: ready.model,
        runId: run.runId,
        ...(run.ownership ? { ownership: run.ownership } : {}),
        seed: run.seed,
        ...run.settings,
        path: request.path,
        command: { ...(request.program ? { program: request.program } : {}), flags: outcomeFlags(request, ready.target) },
        ...(request.signal ? { signal: request.signal } : {}),
        ...(parts.sink?.progress ? { progress: parts.sink.progress } : {}),
        ...(ready.phase ? { phase: ready.phase.run } : {}),
        ...(run.bundles.sources ? { bundles: run.bundles.sources } : {}),
        watch,
      }),
      watch,
    );
  } catch (error) {
    if (error instanceof UnsettledRun) {
      if (error.partial) Object.assign(error.partial, { verdict: 'error', exitCode: EXIT_INTERNAL, stalled: [...error.pending] });
      await parts.sink?.stalled?.(error);
    }
    throw error;
  }
}

/** The report's plan (and the run's wall time so far, to compare with it) and its latency sizing. */
function addSizing(report: EngineReport, sized: Sized, wallStart: number): void {
  const { sizing, settings } = sized;
  if (sizing.plan) Object.assign(report, { plan: sizing.plan, wallMs: Math.round(performance.now() - wallStart) });
  if (sizing.latency)
    Object.assign(report, {
      sizing: { ...sizing.latency, numRuns: sizing.numRuns, concurrency: settings.concurrency, cellTimeoutMs: settings.cellTimeoutMs },
    });
}

function expectationsName(request: RunRequest): string {
  return request.expect !== undefined && 'file' in request.expect ? request.expect.file : '(given)';
}

function verdictOf(interrupted: boolean, exitCode: number): EngineReport['verdict'] {
  if (interrupted) return 'interrupted';
  return exitCode === 0 ? 'pass' : exitCode === 1 ? 'fail' : 'error';
}

/** A 31-bit seed: positive, so it copies without a sign. */
function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

const SILENT: TextOut = { write: () => true };
