// proton-conformance: the whole contract against one target. Flags and exit
// codes: cli/usage.ts. Every error ends in one line on stderr, never a stack
// (PROTON_CONFORMANCE_DEBUG=1 prints it).
import { setUpBundles } from '../harness/bundles/setup.ts';
import { needsBundleBucket } from '../harness/bundles/preflight.ts';
import type { RunBundles } from '../harness/bundles/setup.ts';
import { pathToFileURL } from 'node:url';
import { loadCatalog } from '../suites/catalog.ts';
import { UnreachableError, UsageError, describeError } from '../harness/errors.ts';
import { newRunId } from '../harness/safety/names.ts';
import { runConformance } from '../harness/run/runner.ts';
import { selectCells } from '../harness/run/select.ts';
import type { Selection } from '../harness/run/select.ts';
import { resolveTarget } from '../harness/target/target.ts';
import type { Target } from '../harness/target/target.ts';
import { formatMs } from '../harness/run/wait.ts';
import { consoleReporter } from '../reporters/console.ts';
import {
  applyExpectations,
  expectationsFromReport,
  gateExitCode,
  loadExpectations,
  writeExpectations,
} from '../harness/outcomes/expectations.ts';
import type { Expectation } from '../harness/outcomes/expectations.ts';
import { shardSelection } from '../harness/run/shard.ts';
import type { ShardInfo } from '../harness/run/shard.ts';
import { fileReporters } from './reports.ts';
import type { Reporter } from '../reporters/reporter.ts';
import { parseCli } from './args.ts';
import type { CliOptions } from './args.ts';
import { checkPhaseTarget, finishRecord, phaseSelection, preparePhase } from '../harness/run/phase.ts';
import type { PhaseTarget } from '../harness/run/phase.ts';
import { createProgress } from './progress.ts';
import { RUN_DEFAULTS, latencyLine, planLine, sizeRun, sizedSettings } from '../harness/plan/sizing.ts';
import { announceAccount, cleanUpRun, cleansUp, sweepCommand } from '../harness/safety/real-target.ts';
import { RunOwnership } from '../harness/safety/ownership.ts';
import { USAGE } from './usage.ts';
import { programWords, toolVersion } from '../harness/run/invocation.ts';
import { guardConsole } from './streams.ts';
import { DEFAULT_WEATHER_BUDGET } from '../harness/client/weather.ts';
import { guardRun, RunWatch, UnsettledRun, untilSettled } from '../harness/run/unsettled.ts';
import type { Catalog } from '../harness/run/catalog.ts';
import type { OperationSpec } from '../specs/types.ts';

export const EXIT_INTERRUPTED = 130;
/** Ended by SIGTERM (after the cleanups and the end-of-run cleanup). */
export const EXIT_TERMINATED = 143;
/** A bug in proton-conformance itself (not the target's, not the user's): its own code, so that scripts can tell. */
export const EXIT_INTERNAL = 4;

// The SDK warns on stderr that its 2027 releases will need Node 22; this
// package supports Node 20.19+ (package.json engines), so the warning is noise.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const DEFAULTS = RUN_DEFAULTS;

/** What a test may hand the CLI instead of the real thing: a catalog of its own checks. */
export interface CliDeps {
  loadCatalog?: () => Promise<Catalog<OperationSpec>>;
}

/** Runs the CLI; resolves with the exit code. */
export async function runCli(argv: readonly string[], deps: CliDeps = {}): Promise<number> {
  try {
    // A subcommand is a file in cli/.
    if (argv[0] === 'sweep') {
      const { runSweep } = await import('./sweep.ts');
      return await runSweep(argv.slice(1));
    }
    if (argv[0] === 'proxy') {
      const { runProxy } = await import('./proxy.ts');
      return await runProxy(argv.slice(1));
    }
    if (argv[0] === 'diff') {
      const { runDiff } = await import('./diff.ts');
      return await runDiff(argv.slice(1));
    }
    if (argv[0] === 'merge') {
      const { runMerge } = await import('./merge.ts');
      return await runMerge(argv.slice(1));
    }
    // A console that goes away (`| head`) is not a crash (cli/streams.ts).
    guardConsole();
    const options = parseCli(argv);
    if (options.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    return await runWith(options, deps);
  } catch (error) {
    return fatal(error);
  }
}

/**
 * The CLI as a process runs it (bin/, `npm start`): never left to end with
 * its promise unsettled (Node's silent exit 13). Should the event loop empty
 * while the CLI still waits, it says so and ends with EXIT_INTERNAL.
 */
export function runCliProcess(argv: readonly string[], deps: CliDeps = {}): Promise<number> {
  return untilSettled(runCli(argv, deps), () => {
    process.stderr.write(
      'proton-conformance: internal error: the run stopped with a promise pending that nothing could settle, after its cells (a bug in proton-conformance, please report it)\n',
    );
    return EXIT_INTERNAL;
  });
}

async function runWith(options: CliOptions, deps: CliDeps): Promise<number> {
  const wallStart = performance.now();
  // The target starts (or is probed) while the suites load; a selection error
  // still wins over an unreachable target, and closes what was started.
  // --phase verify: the state file and the time are checked first (nothing is sent before 8 h have passed).
  const phase = await preparePhase(options);
  // The interlock: a remote endpoint without --allow-real-account stops here, before any request.
  const pendingTarget = resolveTarget({ endpoint: phase?.endpoint ?? options.endpoint, allowRealAccount: options.allowRealAccount });
  pendingTarget.catch(() => undefined);
  let selection: Selection;
  let catalog: Awaited<ReturnType<typeof loadCatalog>>;
  let model: typeof import('../specs/model.ts');
  let shardInfo: ShardInfo | undefined;
  let expectations: Expectation[] | undefined;
  try {
    [catalog, model] = await Promise.all([(deps.loadCatalog ?? loadCatalog)(), import('../specs/model.ts')]);
    selection = phase
      ? phaseSelection(catalog.rules, phase, options)
      : selectCells(catalog.rules, { rules: options.rules, operations: options.operations });
    if (options.path !== undefined && (selection.cells.length !== 1 || selection.exerciseOnly)) {
      throw new UsageError(
        `--path replays one property case of one cell: narrow --rules and --operations to one rule and one operation (they select ${selection.cells.length} cells)`,
      );
    }
    const only = selection.cells[0]?.rule;
    if (options.path !== undefined && only !== undefined && !only.checkedBy.includes('property')) {
      throw new UsageError(`--path: ${only.id} is checked by scenarios only, which have no property case to replay (drop --path)`);
    }
    if (options.shard) ({ selection, info: shardInfo } = shardSelection(selection, options.shard));
    if (options.expect !== undefined) {
      const known = new Map(catalog.rules.map((rule) => [rule.id, rule.operations]));
      expectations = await loadExpectations(options.expect, '--expect', known);
    }
  } catch (error) {
    await pendingTarget.then((target) => target.close()).catch(() => undefined);
    throw error;
  }
  const reporters: Reporter[] = [consoleReporter(process.stdout)];
  reporters.push(...fileReporters(options));
  try {
    for (const reporter of reporters) await reporter.prepare?.();
  } catch (error) {
    await pendingTarget.then((target) => target.close()).catch(() => undefined);
    throw error;
  }
  const seed = options.seed ?? randomSeed();
  const target = await pendingTarget;
  let phaseTarget: PhaseTarget | undefined;
  try {
    // AWS's own endpoint registers versions from real bundles: without a bucket, nothing is sent.
    if (target.aws && options.bundleBucket === undefined)
      throw needsBundleBucket(target.endpoint, 'AWS Proton registers a template version from its bundle');
    // Before anything is created: the account, region and endpoint (and --account).
    await announceAccount(target, options.account);
    if (phase) phaseTarget = await checkPhaseTarget(phase, target);
  } catch (error) {
    await target.close();
    throw error;
  }
  // --phase verify continues the record run: its run id (names, tags, the cleanup's sweep).
  const runId = phase?.runId ?? newRunId();
  // Every Delete* against anything but the embedded emulator goes through the ownership guard.
  const ownership = target.embedded ? undefined : new RunOwnership(runId);
  const cleanup = cleansUp(target) || phase?.kind === 'verify';
  // Defaults by what the target is: on this machine (the embedded emulator or
  // any loopback endpoint) short cells run many at once; a remote one is slower.
  const defaults = target.remote ? DEFAULTS.remote : DEFAULTS.local;
  const interrupt = new AbortController();
  const progress = createProgress();
  let interrupts = 0;
  let terminated = false;
  let cleaning = false;
  const quitNow = (): never => {
    if (cleanup) {
      const left = ownership && ownership.ledger.size > 0 ? ` (created and not deleted by its checks: ${ownership.ledger.summary()})` : '';
      process.stderr.write(
        `proton-conformance: quitting at once; what run ${runId} created may be left at ${target.endpoint}${left}; remove it with: ${sweepCommand(target, runId)}\n`,
      );
    }
    if (bundles?.location)
      process.stderr.write(`proton-conformance: the run's template bundles are left under ${bundles.location}: remove that prefix\n`);
    process.exit(terminated ? EXIT_TERMINATED : EXIT_INTERRUPTED);
  };
  const onSignal = (signal: 'SIGINT' | 'SIGTERM'): void => {
    interrupts++;
    if (signal === 'SIGTERM') terminated = true;
    // A second signal: quit now, saying what may be left. A first one while
    // the run already cleans up lets the cleanup finish (it is how a run stops).
    if (interrupts > 1) quitNow();
    if (cleaning) {
      progress.note(
        `proton-conformance: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'} while removing what the run created; finishing that (Ctrl-C again to quit at once)`,
      );
      return;
    }
    const what = cleanup ? 'running their cleanups, then removing what the run created' : 'running their cleanups';
    progress.note(
      `proton-conformance: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'}; stopping the cells and ${what} (Ctrl-C again to quit at once)`,
    );
    interrupt.abort();
  };
  const onSigint = (): void => onSignal('SIGINT');
  const onSigterm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  const stray = collectStrayRejections();
  let bundles: RunBundles | undefined;
  try {
    // The template bundles: uploaded (--bundle-bucket), or the target shown not to need them.
    bundles = await setUpBundles(target, runId, options, (line) => progress.note(line), interrupt.signal);
    // Against a target without a clock: rehearsed first, so that the run says what it will cost (harness/plan/sizing.ts).
    const sizing = await sizeRun(target, options, selection, catalog, model, seed, interrupt.signal);
    const settings = sizedSettings(sizing, defaults, {
      concurrency: options.concurrency,
      cellTimeoutS: options.cellTimeout,
      maxLiveResources: options.maxLiveResources,
    });
    const { concurrency } = settings;
    const cellTimeoutS = settings.cellTimeoutMs / 1000;
    process.stdout.write(`${header(target, seed, { ...options, numRuns: sizing.numRuns }, selection)}\n`);
    process.stdout.write(`${settingsText(concurrency, cellTimeoutS, options, target, sizing.latency?.sizedBy === 'latency')}\n`);
    if (sizing.latency) process.stdout.write(`${latencyLine(sizing.latency, settings)}\n`);
    if (sizing.plan) process.stdout.write(`${planLine(sizing.plan)}\n`);
    if (shardInfo)
      process.stdout.write(
        `shard ${shardInfo.index}/${shardInfo.count}: ${shardInfo.cells} of the ${shardInfo.totalCells} cells selected (join the shards' --json reports with proton-conformance merge)\n`,
      );
    const watch = new RunWatch();
    const guarded = await guardRun(
      runConformance({
        catalog,
        selection,
        target,
        shapeModel: model,
        runId,
        ...(ownership ? { ownership } : {}),
        seed,
        ...settings,
        path: options.path,
        command: { program: programWords(), flags: outcomeFlags(options, target) },
        signal: interrupt.signal,
        progress,
        ...(phase ? { phase: phase.run } : {}),
        ...(bundles.sources ? { bundles: bundles.sources } : {}),
        watch,
      }),
      watch,
    ).catch((error: unknown) => {
      if (error instanceof UnsettledRun) return error;
      throw error;
    });
    if (guarded instanceof UnsettledRun) return await unsettledExit(guarded, reporters, performance.now() - wallStart);
    const outcome = guarded;
    progress.finish(outcome.requests);
    Object.assign(outcome.report, {
      tool: { name: 'proton-conformance', version: toolVersion() },
      settings: runSettings(options, { seed, numRuns: sizing.numRuns, concurrency, cellTimeoutS, cleanup }),
      selection: {
        cells: selection.cells.length,
        rules: [...new Set(selection.cells.map((c) => c.rule.id))],
        operations: [...new Set(selection.cells.map((c) => c.operation))],
      },
    });
    if (sizing.plan) Object.assign(outcome.report, { plan: sizing.plan, wallMs: Math.round(performance.now() - wallStart) });
    if (sizing.latency)
      Object.assign(outcome.report, {
        sizing: { ...sizing.latency, numRuns: sizing.numRuns, concurrency, cellTimeoutMs: settings.cellTimeoutMs },
      });
    if (stray.count() > 0)
      process.stderr.write(
        `proton-conformance: note: ${stray.count()} promise rejection(s) escaped their checks (first: ${stray.first()})\n`,
      );
    const info = { requests: outcome.requests, wallMs: performance.now() - wallStart, interrupted: outcome.interrupted };
    if (shardInfo) Object.assign(outcome.report, { shard: shardInfo });
    if (expectations) applyExpectations(outcome.report, expectations, options.expect!, options.strictExpectations);
    // The matrix first; then the cleanup of a target without `reset` (success,
    // failure, Ctrl-C or SIGTERM alike); then the JSON report, which carries it.
    for (const reporter of reporters) if (reporter.name !== 'json') await reporter.write(outcome.report, info);
    // --phase record: the state file, before the cleanup, which leaves what it names alone.
    const recorded = phase
      ? await finishRecord(
          phase,
          target,
          runId,
          phaseTarget?.account,
          selection.cells.map((cell) => cell.operation),
        )
      : {};
    if (cleanup) {
      cleaning = true;
      const cleaned = await cleanUpRun(target, runId, {
        ...(options.cleanupTimeout !== undefined ? { timeoutMs: options.cleanupTimeout * 1000 } : {}),
        note: (line) => progress.note(line),
        ...(recorded.keep ? { keep: recorded.keep } : {}),
      });
      Object.assign(outcome.report, { cleanup: cleaned });
    }
    const bundlesRemoved = await bundles.remove();
    if (bundlesRemoved) Object.assign(outcome.report, { bundles: bundlesRemoved });
    // The run's own result, as the exit code below gives it.
    const exitCode = outcome.interrupted
      ? terminated
        ? EXIT_TERMINATED
        : EXIT_INTERRUPTED
      : recorded.error !== undefined
        ? 2
        : gateExitCode(outcome.report);
    Object.assign(outcome.report, {
      verdict: outcome.interrupted ? 'interrupted' : exitCode === 0 ? 'pass' : exitCode === 1 ? 'fail' : 'error',
      exitCode,
    });
    for (const reporter of reporters) if (reporter.name === 'json') await reporter.write(outcome.report, info);
    if (options.writeExpectations !== undefined) {
      const written = expectationsFromReport(outcome.report, expectations);
      await writeExpectations(options.writeExpectations, written);
      process.stdout.write(
        `Wrote ${written.expectations.length} expectation${written.expectations.length === 1 ? '' : 's'} to ${options.writeExpectations} (--expect ${options.writeExpectations} accepts these failures)\n`,
      );
    }
    if (outcome.interrupted) return terminated ? EXIT_TERMINATED : EXIT_INTERRUPTED;
    if (recorded.error !== undefined) return 2;
    return gateExitCode(outcome.report);
  } finally {
    // Uploaded bundles go whatever happened (a failure, an interrupt): once.
    await bundles?.remove();
    stray.stop();
    await target.close();
    // A signal with no listener gets the default action at once, even between
    // two microtasks and while the process exits: killed, with no exit code
    // (seen in 1 of 20 interrupted runs whose Ctrl-C came as the run ended).
    // So a late signal is ignored instead until the process has exited; the
    // entry point exits within this turn, and an in-process caller has its own
    // handlers back on the next.
    const late = (): void => undefined;
    process.on('SIGINT', late);
    process.on('SIGTERM', late);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    setImmediate(() => {
      process.off('SIGINT', late);
      process.off('SIGTERM', late);
    }).unref();
  }
}

/** A run whose promises nothing could settle: the internal error, naming what was pending, and the partial report. */
async function unsettledExit(error: UnsettledRun, reporters: readonly Reporter[], wallMs: number): Promise<number> {
  process.stderr.write(`proton-conformance: internal error: ${error.message} (a bug in proton-conformance, please report it)\n`);
  const report = error.partial;
  if (report === undefined) return EXIT_INTERNAL;
  Object.assign(report, { verdict: 'error', exitCode: EXIT_INTERNAL, stalled: [...error.pending] });
  const info = { requests: (report as { requests?: number }).requests ?? 0, wallMs, interrupted: false };
  // The files (JSON, JUnit, ...): the console's summary would read as a verdict of the whole run.
  for (const reporter of reporters) {
    if (reporter.name === 'console') continue;
    await reporter.write(report, info).catch((failure: unknown) => {
      process.stderr.write(`proton-conformance: the partial ${reporter.name} report could not be written: ${describeError(failure)}\n`);
    });
  }
  return EXIT_INTERNAL;
}

function header(target: Target, seed: number, options: CliOptions, selection: Selection): string {
  const where = target.embedded ? 'embedded emulator' : `from ${target.source}`;
  const hooks = [...target.capabilities, ...(target.accounts ? ['accounts'] : [])];
  return [
    `proton-conformance: target ${target.endpoint} (${where}; hooks: ${hooks.length ? hooks.join(', ') : 'none'}; region ${target.region})`,
    `seed ${seed} (--seed ${seed} repeats this run), ${options.numRuns} run${options.numRuns === 1 ? '' : 's'} per property, ${cellsText(selection)}`,
  ].join('\n');
}

/** One way of counting (the summary's): cells are rule x operation checks; the harness rules judge every operation they call besides. */
function cellsText(selection: Selection): string {
  const count = selection.cells.length;
  const cells = `${count} cell${count === 1 ? '' : 's'}`;
  const checked = selection.exerciseOnly ? `${cells} run to exercise the operations` : cells;
  const they = count === 1 ? 'it calls' : 'they call';
  return selection.harnessRules.length > 0
    ? `${checked} (plus ${selection.harnessRules.map((r) => r.id).join(', ')} on every operation ${they})`
    : checked;
}

/** The settings line of the header: what was chosen for this target (flags win). */
function settingsText(concurrency: number, cellTimeoutS: number, options: CliOptions, target: Target, byLatency: boolean): string {
  const defaulted = options.concurrency === undefined || options.cellTimeout === undefined;
  const kind = target.remote ? 'a remote target' : 'a target on this machine';
  const chosen = byLatency ? "sized by the target's latency" : `defaults for ${kind}`;
  return `concurrency ${concurrency}, cell timeout ${cellTimeoutS} s${defaulted ? ` (${chosen}; --concurrency and --cell-timeout change them)` : ''}`;
}

/** Flags of this run that change a cell's outcome, for the printed rerun and replay commands (the seed, runs, endpoint and path are added there). */
function outcomeFlags(options: CliOptions, target: Target): string[] {
  const flags: string[] = [];
  if (options.cellTimeout !== undefined) flags.push('--cell-timeout', String(options.cellTimeout));
  if (target.remote) flags.push('--allow-real-account');
  if (options.account !== undefined) flags.push('--account', options.account);
  return flags;
}

/** The report's record of how the run was made (settings in force, defaults resolved). */
function runSettings(
  options: CliOptions,
  chosen: { seed: number; numRuns: number; concurrency: number; cellTimeoutS: number; cleanup: boolean },
): Record<string, unknown> {
  return {
    rules: options.rules ?? null,
    operations: options.operations ?? null,
    seed: chosen.seed,
    numRuns: chosen.numRuns,
    path: options.path ?? null,
    concurrency: chosen.concurrency,
    cellTimeoutMs: Math.round(chosen.cellTimeoutS * 1000),
    cleanupTimeoutMs: chosen.cleanup ? Math.round((options.cleanupTimeout ?? 300) * 1000) : null,
    weather: { ...DEFAULT_WEATHER_BUDGET },
  };
}

/** A 31-bit seed: positive, so it copies without a sign. */
function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

/** Rejections no check awaited (a stray promise after a timeout) must not end the run. */
function collectStrayRejections(): { count(): number; first(): string; stop(): void } {
  const seen: string[] = [];
  const handler = (reason: unknown): void => {
    seen.push(describeError(reason));
  };
  process.on('unhandledRejection', handler);
  return {
    count: () => seen.length,
    first: () => seen[0] ?? '',
    stop: () => process.off('unhandledRejection', handler),
  };
}

function fatal(error: unknown): number {
  if (process.env['PROTON_CONFORMANCE_DEBUG'] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  if (error instanceof UsageError || error instanceof UnreachableError) {
    process.stderr.write(`proton-conformance: ${error.message}\n`);
    return error.exitCode;
  }
  process.stderr.write(
    `proton-conformance: internal error: ${describeError(error)} (a bug in proton-conformance, please report it; PROTON_CONFORMANCE_DEBUG=1 shows where)\n`,
  );
  return EXIT_INTERNAL;
}

/** Ends the process with `code` once output is flushed (stdout and stderr are synchronous on Linux). */
export function exitWith(code: number): never {
  process.exit(code);
}

const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntry) {
  const started = performance.now();
  const code = await runCliProcess(process.argv.slice(2));
  if (process.env['PROTON_CONFORMANCE_DEBUG'])
    process.stderr.write(`proton-conformance: exit ${code} after ${formatMs(performance.now() - started)}\n`);
  exitWith(code);
}
