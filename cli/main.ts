// proton-conformance: the whole contract against one target. Flags and exit
// codes: cli/usage.ts. Every error ends in one line on stderr, never a stack
// (PROTON_CONFORMANCE_DEBUG=1 prints it). The run itself is the engine's
// (harness/engine/engine.ts); the CLI parses flags, prints, handles signals
// and sets the exit code.
import { stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { loadCatalog } from '../suites/catalog.ts';
import { UnreachableError, UsageError, describeError } from '../harness/errors.ts';
import { EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_TERMINATED, runEngine } from '../harness/engine/engine.ts';
import type { RunHandle, RunRequest } from '../harness/engine/engine.ts';
import { formatMs } from '../harness/run/wait.ts';
import { consoleReporter } from '../reporters/console.ts';
import { expectationsFromReport, loadExpectations, writeExpectations } from '../harness/outcomes/expectations.ts';
import type { Expectation } from '../harness/outcomes/expectations.ts';
import { fileReporters } from './reports.ts';
import { openBundle } from './certify.ts';
import type { Reporter } from '../reporters/reporter.ts';
import { parseCli } from './args.ts';
import type { CliOptions } from './args.ts';
import { createProgress } from './progress.ts';
import type { CliProgress } from './progress.ts';
import { USAGE } from './usage.ts';
import { programWords } from '../harness/run/invocation.ts';
import { guardConsole } from './streams.ts';
import { UnsettledRun, untilSettled } from '../harness/run/unsettled.ts';
import type { Catalog } from '../harness/run/catalog.ts';
import type { OperationSpec } from '../specs/types.ts';

export { EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_TERMINATED };

// The SDK warns on stderr that its 2027 releases will need Node 22; this
// package supports Node 20.19+ (package.json engines), so the warning is noise.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

/** What a test may hand the CLI instead of the real thing: a catalog of its own checks. */
export interface CliDeps {
  loadCatalog?: () => Promise<Catalog<OperationSpec>>;
}

/** A subcommand is a file in cli/, loaded when it is asked for. */
const SUBCOMMANDS: Readonly<Record<string, () => Promise<(argv: readonly string[]) => Promise<number>>>> = {
  sweep: async () => (await import('./sweep.ts')).runSweep,
  proxy: async () => (await import('./proxy.ts')).runProxy,
  diff: async () => (await import('./diff.ts')).runDiff,
  merge: async () => (await import('./merge.ts')).runMerge,
  verify: async () => (await import('./verify.ts')).runVerify,
  parity: async () => (await import('./parity.ts')).runParityCommand,
};

/** Runs the CLI; resolves with the exit code. */
export async function runCli(argv: readonly string[], deps: CliDeps = {}): Promise<number> {
  try {
    const subcommand = argv[0] !== undefined && Object.hasOwn(SUBCOMMANDS, argv[0]) ? SUBCOMMANDS[argv[0]] : undefined;
    if (subcommand !== undefined) return await (await subcommand())(argv.slice(1));
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
      'proton-conformance: internal error: the run stopped with a promise pending that nothing could settle, ' +
        'after its cells (a bug in proton-conformance, please report it)\n',
    );
    return EXIT_INTERNAL;
  });
}

async function runWith(options: CliOptions, deps: CliDeps): Promise<number> {
  const wallStart = performance.now();
  // --certify DIR: checked first (made once the run is prepared); from here on the console is copied into its log.
  const bundle = options.certify === undefined ? undefined : await openBundle({ ...options, certify: options.certify });
  const reporters: Reporter[] = [
    consoleReporter(process.stdout, options.quiet === true),
    ...fileReporters(options),
    ...(bundle?.reporters ?? []),
  ];
  const interrupt = new AbortController();
  const signals = new SignalHandling(interrupt);
  const stray = collectStrayRejections();
  // The progress line starts with the run (once the target is resolved and checked).
  let progress: CliProgress | undefined;
  let started = false;
  // The file --write-expectations rewrites, read (and checked) before the run: its entries are kept.
  const rewritten = options.writeExpectations === undefined ? undefined : await existingExpectations(options.writeExpectations);
  try {
    const result = await runEngine(runRequest(options, interrupt.signal), {
      catalog: (deps.loadCatalog ?? loadCatalog)(),
      interruptedExitCode: () => (signals.terminated ? EXIT_TERMINATED : EXIT_INTERRUPTED),
      sink: {
        // --quiet: no header; the console reporter prints the headlines and the summary line.
        ...(options.quiet ? {} : { out: process.stdout }),
        err: process.stderr,
        note: (line) => progress?.note(line),
        progress: { start: (total) => progress?.start(total), cellDone: (cell, done, total) => progress?.cellDone(cell, done, total) },
        prepared: async () => {
          for (const reporter of reporters) await reporter.prepare?.();
        },
        started: (handle) => {
          started = true;
          progress = createProgress();
          signals.install(handle, progress);
          stray.start();
        },
        ran: async (report, info) => {
          progress?.finish(info.requests);
          if (stray.count() > 0)
            process.stderr.write(
              `proton-conformance: note: ${stray.count()} promise rejection(s) escaped their checks (first: ${stray.first()})\n`,
            );
          // The matrix first; the JSON report, which carries the cleanup and the verdict, last.
          for (const reporter of reporters) if (reporter.name !== 'json') await reporter.write(report, info);
        },
        stalled: (error) => writePartial(error, reporters, performance.now() - wallStart),
      },
    });
    const { report, info, exitCode } = result;
    for (const reporter of reporters) if (reporter.name === 'json') await reporter.write(report, info);
    if (options.writeExpectations !== undefined) {
      // A rewrite starts from the file's own entries (hand-written reasons and links kept), then --expect's.
      const previous = [...(rewritten ?? []), ...(result.expectations ?? [])];
      const written = expectationsFromReport(report, previous);
      await writeExpectations(options.writeExpectations, written);
      const count = written.expectations.length;
      if (!options.quiet)
        process.stdout.write(
          `Wrote ${count} expectation${count === 1 ? '' : 's'} to ${options.writeExpectations}` +
            ` (--expect ${options.writeExpectations} accepts these failures)\n`,
        );
    }
    await bundle?.close(report);
    return exitCode;
  } catch (error) {
    // Refused before it started (a usage error, a target that does not answer): no bundle, and no DIR it made.
    if (!started) await bundle?.discard();
    if (error instanceof UnsettledRun) return EXIT_INTERNAL;
    throw error;
  } finally {
    bundle?.stop();
    stray.stop();
    signals.uninstall();
  }
}

/** The entries of an expectations file that exists (undefined: none there yet); one that is not one is a usage error. */
async function existingExpectations(file: string): Promise<Expectation[] | undefined> {
  const there = await stat(file).then(
    () => true,
    (error: { code?: string }) => error.code !== 'ENOENT',
  );
  return there ? loadExpectations(file, '--write-expectations') : undefined;
}

/** The engine's request from the flags. */
function runRequest(options: CliOptions, signal: AbortSignal): RunRequest {
  return {
    ...options,
    expect: options.expect === undefined ? undefined : { file: options.expect, flag: '--expect' },
    signal,
    program: programWords(),
  };
}

/**
 * Ctrl-C and SIGTERM once the run is under way: the first stops the cells
 * (their cleanups run, then the run's own cleanup); a second quits at once,
 * saying what may be left; one during the run's cleanup lets it finish.
 */
class SignalHandling {
  terminated = false;
  private interrupts = 0;
  private handle: RunHandle | undefined;
  private progress: CliProgress | undefined;
  private readonly onSigint = (): void => this.onSignal('SIGINT');
  private readonly onSigterm = (): void => this.onSignal('SIGTERM');

  constructor(private readonly interrupt: AbortController) {}

  install(handle: RunHandle, progress: CliProgress): void {
    this.handle = handle;
    this.progress = progress;
    process.on('SIGINT', this.onSigint);
    process.on('SIGTERM', this.onSigterm);
  }

  /**
   * A signal with no listener gets the default action at once, even between
   * two microtasks and while the process exits: killed, with no exit code
   * (seen in 1 of 20 interrupted runs whose Ctrl-C came as the run ended).
   * So a late signal is ignored instead until the process has exited; the
   * entry point exits within this turn, and an in-process caller has its own
   * handlers back on the next.
   */
  uninstall(): void {
    if (this.handle === undefined) return;
    const late = (): void => undefined;
    process.on('SIGINT', late);
    process.on('SIGTERM', late);
    process.off('SIGINT', this.onSigint);
    process.off('SIGTERM', this.onSigterm);
    setImmediate(() => {
      process.off('SIGINT', late);
      process.off('SIGTERM', late);
    }).unref();
  }

  private onSignal(signal: 'SIGINT' | 'SIGTERM'): void {
    const handle = this.handle!;
    this.interrupts++;
    if (signal === 'SIGTERM') this.terminated = true;
    // A second signal: quit now, saying what may be left. A first one while
    // the run already cleans up lets the cleanup finish (it is how a run stops).
    if (this.interrupts > 1) this.quitNow(handle);
    const what = signal === 'SIGINT' ? 'interrupted' : 'terminated';
    if (handle.cleaning()) {
      this.progress?.note(`proton-conformance: ${what} while removing what the run created; finishing that (Ctrl-C again to quit at once)`);
      return;
    }
    const stopping = handle.cleansUp ? 'running their cleanups, then removing what the run created' : 'running their cleanups';
    this.progress?.note(`proton-conformance: ${what}; stopping the cells and ${stopping} (Ctrl-C again to quit at once)`);
    this.interrupt.abort();
  }

  private quitNow(handle: RunHandle): never {
    if (handle.cleansUp) {
      const ledger = handle.ledger;
      const left = ledger && ledger.size > 0 ? ` (created and not deleted by its checks: ${ledger.summary()})` : '';
      process.stderr.write(
        `proton-conformance: quitting at once; what run ${handle.runId} created may be left at ${handle.endpoint}${left}; ` +
          `remove it with: ${handle.sweepCommand}\n`,
      );
    }
    const location = handle.bundlesLocation();
    if (location) process.stderr.write(`proton-conformance: the run's template bundles are left under ${location}: remove that prefix\n`);
    process.exit(this.terminated ? EXIT_TERMINATED : EXIT_INTERRUPTED);
  }
}

/** A run whose promises nothing could settle: the internal error, naming what was pending, and the partial report (its verdict 'error'). */
async function writePartial(error: UnsettledRun, reporters: readonly Reporter[], wallMs: number): Promise<void> {
  process.stderr.write(`proton-conformance: internal error: ${error.message} (a bug in proton-conformance, please report it)\n`);
  const report = error.partial;
  if (report === undefined) return;
  const info = { requests: (report as { requests?: number }).requests ?? 0, wallMs, interrupted: false };
  // The files (JSON, JUnit, ...): the console's summary would read as a verdict of the whole run.
  for (const reporter of reporters) {
    if (reporter.name === 'console') continue;
    await reporter.write(report, info).catch((failure: unknown) => {
      process.stderr.write(`proton-conformance: the partial ${reporter.name} report could not be written: ${describeError(failure)}\n`);
    });
  }
}

/** Rejections no check awaited (a stray promise after a timeout) must not end the run. */
function collectStrayRejections(): { start(): void; count(): number; first(): string; stop(): void } {
  const seen: string[] = [];
  const handler = (reason: unknown): void => {
    seen.push(describeError(reason));
  };
  return {
    start: () => process.on('unhandledRejection', handler),
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
    `proton-conformance: internal error: ${describeError(error)} ` +
      '(a bug in proton-conformance, please report it; PROTON_CONFORMANCE_DEBUG=1 shows where)\n',
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
