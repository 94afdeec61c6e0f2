// Runs the cells of a selection with bounded concurrency, each in a context of
// its own (harness/run/cell.ts), and turns what the checks did into the Report:
// verdicts mapped by level, evidence from the recorder, the shape rule's
// results from the ledger, and the number of requests sent.
import type { Dispatcher } from 'undici';
import type { Catalog, CatalogRule } from './catalog.ts';
import type { Cell, RunEnvironment } from './cell.ts';
import type { Credentials } from '../client/client.ts';
import { recordedCellIndex } from './expiry-state.ts';
import type { RunPhase } from './expiry-state.ts';
import { CellLock } from './lock.ts';
import { CreationCounter, RequestCounter } from '../client/recorder.ts';
import { LiveResources } from './live.ts';
import { execute } from './execute.ts';
import { setMaxListeners } from 'node:events';
import { cellCommand, fromThrown, propertyReason, summarize } from './results.ts';
import type { CellResult } from './results.ts';
import type { CellPlan, Selection } from './select.ts';
import { refusalVerdict } from '../safety/ownership.ts';
import type { RunOwnership } from '../safety/ownership.ts';
import { ShapeLedger } from '../client/shape.ts';
import type { ShapeModel } from '../client/shape.ts';
import type { Capability, Report, Replay } from '../types.ts';
import { RunWeather, transientTotal } from '../client/weather.ts';
import type { RunWatch } from './unsettled.ts';
import type { BundleSources } from '../../specs/types.ts';

export interface RunTarget {
  endpoint: string;
  embedded: boolean;
  region: string;
  capabilities: ReadonlySet<Capability>;
  accounts: boolean;
  credentials: Credentials | undefined;
  pool: Dispatcher;
}

/** Progress of a run as it goes (the CLI prints it on stderr). */
export interface RunProgress {
  start(total: number): void;
  cellDone(result: CellResult, done: number, total: number): void;
}

export interface RunOptions<O> {
  catalog: Catalog<O>;
  selection: Selection;
  target: RunTarget;
  shapeModel: ShapeModel;
  runId: string;
  seed: number;
  numRuns: number;
  path?: string | undefined;
  concurrency: number;
  /** Per-cell budget, milliseconds. */
  cellTimeoutMs: number;
  /** Budget of a cell's cleanups, milliseconds. */
  cleanupTimeoutMs?: number;
  /** Aborted on Ctrl-C: running cells are interrupted, cleanups run, the report is partial. */
  signal?: AbortSignal;
  progress?: RunProgress;
  /** Exchanges kept as evidence of a passing cell (default none: a pass is summarised; a finding keeps its case whole). */
  passEvidence?: number;
  /**
   * How printed commands start and what they carry: `program`, the words
   * that run this installation (default `proton-conformance`); `flags`, the
   * run's flags that change an outcome (--cell-timeout, --allow-real-account).
   */
  command?: { program?: readonly string[]; flags?: readonly string[] };
  /** The ownership guard of every Delete* (harness/safety/ownership.ts): any target but the embedded emulator. */
  ownership?: RunOwnership;
  /** How transient answers are retried (harness/client/weather.ts); default: a RunWeather with the default budget. */
  weather?: RunWeather;
  /** `--phase record|verify` of client-token/expiry (harness/run/expiry-state.ts): given to every cell's context. */
  phase?: RunPhase;
  /** A rehearsal of a run against a target without a clock (harness/plan/plan.ts): waits move the rehearsal emulator's clock. */
  rehearsal?: boolean;
  /** The bound of a real-time wait that names none, milliseconds (--wait-timeout). */
  waitTimeoutMs?: number;
  /** The target's median round trip as measured before the run (harness/plan/sizing.ts), milliseconds: CheckContext.roundTripMs. */
  roundTripMs?: number;
  /** --max-live-resources: at most this many of the run's resources exist at once (harness/run/live.ts). */
  maxLiveResources?: number;
  /** Template bundles the run uploaded (harness/bundles/store.ts); placeholders when absent. */
  bundles?: BundleSources;
  /** What each running cell is doing, and the partial report (harness/run/unsettled.ts: the guard against a run that cannot end). */
  watch?: RunWatch;
}

export interface RunOutcome {
  report: Report;
  /** Requests sent: every SDK attempt and every hook call. */
  requests: number;
  interrupted: boolean;
}

export async function runConformance<O>(options: RunOptions<O>): Promise<RunOutcome> {
  const startedAt = new Date();
  const counter = new RequestCounter();
  const creations = new CreationCounter();
  const live = options.maxLiveResources !== undefined ? new LiveResources(options.maxLiveResources) : undefined;
  const shape = new ShapeLedger(options.shapeModel);
  const lock = options.target.accounts ? undefined : new CellLock();
  const env: RunEnvironment = {
    endpoint: options.target.endpoint,
    region: options.target.region,
    capabilities: options.target.capabilities,
    accounts: options.target.accounts,
    credentials: options.target.credentials,
    pool: options.target.pool,
    runId: options.runId,
    seed: options.seed,
    numRuns: options.numRuns,
    path: options.path,
    sinks: live ? [shape, counter, creations, live] : [shape, counter, creations],
    countRequest: () => counter.count++,
    lock,
    ...(options.ownership ? { ownership: options.ownership } : {}),
    weather: options.weather ?? new RunWeather(),
    ...(options.phase ? { phase: options.phase } : {}),
    ...(options.rehearsal ? { rehearsal: true } : {}),
    ...(options.waitTimeoutMs !== undefined ? { waitTimeoutMs: options.waitTimeoutMs } : {}),
    ...(options.roundTripMs !== undefined ? { roundTripMs: options.roundTripMs } : {}),
    ...(live ? { live } : {}),
    ...(options.bundles ? { bundles: options.bundles } : {}),
  };
  const cells = scheduleOrder(options.selection.cells);
  const results = new Map<CellPlan, CellResult>();
  let nextIndex = 0;
  let cellIndex = 0;
  let done = 0;
  options.progress?.start(cells.length);

  const worker = async (): Promise<void> => {
    while (!options.signal?.aborted && nextIndex < cells.length) {
      const plan = cells[nextIndex++]!;
      const result = await runCell(options, env, plan, () => cellIndex++);
      results.set(plan, result);
      done++;
      options.progress?.cellDone(result, done, cells.length);
    }
  };
  // Every running cell listens for Ctrl-C on the run's signal: many listeners is the design.
  if (options.signal) setMaxListeners(0, options.signal);
  const workers = Math.max(1, Math.min(options.concurrency, cells.length));
  const tally = { counter, creations, live, shape, startedAt, total: cells.length };
  if (options.watch) options.watch.partial = () => buildReport(options, env, results, tally);
  await Promise.all(Array.from({ length: workers }, worker));
  const report = buildReport(options, env, results, tally);
  const interrupted = options.signal?.aborted === true;
  return { report, requests: counter.count, interrupted };
}

interface Tally {
  counter: RequestCounter;
  creations: CreationCounter;
  live: LiveResources | undefined;
  shape: ShapeLedger;
  startedAt: Date;
  total: number;
}

/** The report of the cells finished so far (all of them once the run is over). */
function buildReport<O>(options: RunOptions<O>, env: RunEnvironment, results: ReadonlyMap<CellPlan, CellResult>, tally: Tally): Report {
  const { counter, creations, live, shape, startedAt } = tally;
  const cellResults = options.selection.exerciseOnly
    ? []
    : options.selection.cells.flatMap((plan) => (results.has(plan) ? [results.get(plan)!] : []));
  const shapeResults = options.selection.harnessRules.some((rule) => rule.id === 'shape/responses-match-model') ? shape.results() : [];
  const ordered = orderResults(options.catalog.rules, [...cellResults, ...shapeResults]);
  const interrupted = options.signal?.aborted === true;
  const report: Report & {
    runId: string;
    interrupted: boolean;
    requests: number;
    resourcesCreated: number;
    cells: ReturnType<typeof cellCounts>;
  } = {
    target: targetInfo(options.target),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    seed: options.seed,
    numRuns: options.numRuns,
    summary: summarize(ordered),
    results: ordered,
    transient: { ...env.weather!.counts },
    runId: options.runId,
    interrupted,
    requests: counter.count,
    resourcesCreated: creations.count,
    ...(live ? { liveResources: { max: live.max, peak: live.peak } } : {}),
    cells: cellCounts(tally.total, [...results.values()]),
  };
  if (options.ownership) Object.assign(report, { refusedDeletes: [...options.ownership.refused] });
  return report;
}

/** One way of counting cells (rule x operation checks; the shape rule's verdicts are not cells): run, cut short, not started. */
export function cellCounts(
  total: number,
  results: readonly CellResult[],
): { total: number; run: number; interrupted: number; notRun: number } {
  const interrupted = results.filter((r) => r.interrupted === true).length;
  const run = results.length - interrupted;
  return { total, run, interrupted, notRun: total - run - interrupted };
}

function targetInfo(target: RunTarget): Report['target'] & { accounts: boolean } {
  return {
    endpoint: target.endpoint,
    embedded: target.embedded,
    region: target.region,
    // 'accounts' is a capability of the hooks protocol too (docs/emulator-hooks.md).
    capabilities: [...target.capabilities, ...(target.accounts ? (['accounts'] as const) : [])].sort(),
    accounts: target.accounts,
  };
}

/** Property checks first: they are the long ones, and starting them early shortens the run. */
function scheduleOrder(cells: readonly CellPlan[]): CellPlan[] {
  const weight = (plan: CellPlan): number => (plan.rule.checkedBy.includes('property') ? 0 : 1);
  return [...cells].sort((a, b) => weight(a) - weight(b));
}

function orderResults(rules: readonly CatalogRule[], results: CellResult[]): CellResult[] {
  const ruleOrder = new Map(rules.map((rule, i) => [rule.id, i]));
  const opOrder = (result: CellResult): number => {
    const rule = rules.find((r) => r.id === result.rule);
    const index = rule ? rule.operations.indexOf(result.operation) : -1;
    return index === -1 ? Number.MAX_SAFE_INTEGER : index;
  };
  return results
    .map((result, i) => ({ result, i }))
    .sort(
      (a, b) =>
        (ruleOrder.get(a.result.rule) ?? 1e9) - (ruleOrder.get(b.result.rule) ?? 1e9) ||
        opOrder(a.result) - opOrder(b.result) ||
        a.result.operation.localeCompare(b.result.operation) ||
        a.i - b.i,
    )
    .map(({ result }) => result);
}

async function runCell<O>(options: RunOptions<O>, env: RunEnvironment, plan: CellPlan, allocate: () => number): Promise<CellResult> {
  const { rule, operation } = plan;
  const started = performance.now();
  const base = { rule: rule.id, category: rule.category, level: rule.level, operation };
  const missing = rule.requires.filter((capability) => !env.capabilities.has(capability));
  if (missing.length > 0) {
    return {
      ...base,
      verdict: 'skipped',
      reason: `the target lacks the ${missing.map((c) => `'${c}'`).join(', ')} capability (emulator hooks), which this rule requires`,
      evidence: [],
      durationMs: 0,
    };
  }
  const check = options.catalog.checks[rule.id];
  const entry = options.catalog.operation(operation);
  if (!check || entry === undefined) {
    const what = !check
      ? `no check is registered for ${rule.id} (suites/registry.ts)`
      : `no operation entry for ${operation} (specs/operations/)`;
    return { ...base, ...fromThrown(new Error(what), rule.level, undefined), evidence: [], durationMs: 0 };
  }

  // In --phase verify, a cell continues the record cell of its operation: its index (names, account).
  const index = recordedCellIndex(options.phase, rule.id, operation) ?? allocate();
  // A cell of --rerun-failed that carries its shrunk case replays that case alone (as --path does for one cell).
  const replaying = plan.path;
  const verdicted = await execute(options, env, plan, index, (same) =>
    replaying === undefined ? same : { ...same, path: replaying, numRuns: 1 },
  );
  const cell = verdicted.cell;
  let evidenceCell: Cell = cell;
  let note = '';
  let replayed: string | undefined;
  // A case that does not fail alone depends on the property's earlier runs: its replay command would not reproduce it.
  let replays = true;
  if (verdicted.result.replay && verdicted.result.verdict !== 'pass' && !options.signal?.aborted) {
    // The evidence of a property failure is that of its final, shrunk case:
    // replay exactly that case in a fresh cell and keep its exchanges. Its
    // tokens are salted anew (suites/lib/tokens.ts), so the reason is the
    // replay's too: message, counterexample and evidence name one case.
    const { seed, path } = verdicted.result.replay;
    const again = await execute(options, env, plan, allocate(), (e) => ({ ...e, seed, path, numRuns: 1 }));
    if (again.result.verdict === verdicted.result.verdict) {
      evidenceCell = again.cell;
      const found = verdicted.result.property;
      const shown = again.result.property;
      if (found && shown) replayed = propertyReason({ ...shown, runs: found.runs, shrinks: found.shrinks });
    } else {
      replays = false;
      note =
        ` (replaying seed ${seed} path ${path} alone gave '${again.result.verdict}': the case depends on the property's earlier ` +
        'runs, so no replay command is given; rerun the whole cell with the rerun command; the evidence is the last exchanges ' +
        'of the whole property run)';
    }
  }
  // A delete the ownership guard refused during the check: its observation is not the target's.
  const refused = refusalVerdict(cell.refusedDeletes, verdicted.result);
  const verdict = refused?.verdict ?? verdicted.result.verdict;
  // Evidence by what a reader needs: a pass is summarised (its counts), a
  // cell cut short by Ctrl-C keeps its last steps only (an interrupted report is never larger than a full one), a
  // finding keeps its case whole (within the recorder's byte budget).
  const cutShort = verdict === 'inconclusive' && options.signal?.aborted === true && verdicted.result.interrupted === true;
  const evidenceLimit = verdict === 'pass' || cutShort ? (options.passEvidence ?? 0) : Number.POSITIVE_INFINITY;
  const result: CellResult = {
    ...base,
    verdict,
    reason: refused?.reason ?? (replayed ?? verdicted.result.reason) + note,
    evidence: evidenceLimit === 0 ? [] : evidenceCell.recorder.evidence(evidenceLimit),
    durationMs: Math.round(performance.now() - started),
    requests: evidenceCell.recorder.total,
  };
  if (verdict !== 'pass') result.steps = cutShort ? evidenceCell.steps.slice(-3) : [...evidenceCell.steps];
  if (verdict !== 'pass' && !cutShort && evidenceCell.hookCalls.length > 0) result.hookCalls = [...evidenceCell.hookCalls];
  if (cutShort) result.interrupted = true;
  if (evidenceCell !== cell) result.runRequests = cell.recorder.total;
  const waited = cell.waitedMs();
  if (waited > 0) result.waitedMs = Math.round(waited);
  const weather = cell.weather?.counts;
  if (weather && transientTotal(weather) > 0) result.transient = { ...weather };
  if (verdicted.result.listWeather) result.listWeather = verdicted.result.listWeather;
  // What happened on the wire (CheckContext.throughProxy): the history of a result that does not pass.
  const history = evidenceCell.wireHistory();
  if (history !== undefined && verdict !== 'pass' && !cutShort) result.history = history;
  const interleavings = evidenceCell.wireInterleavings();
  if (interleavings !== undefined) result.interleavings = interleavings;
  const paced = evidenceCell.wirePaced();
  if (paced !== undefined) result.paced = paced;
  const endpoint = options.target.embedded ? undefined : options.target.endpoint;
  const program = options.command?.program;
  const flags = options.command?.flags ?? [];
  if (verdicted.result.replay && replays) {
    const { seed, path } = verdicted.result.replay;
    const replay: Replay = { seed, path, command: cellCommand({ program, endpoint, rule: rule.id, operation, seed, path, flags }) };
    result.replay = replay;
  }
  if (verdict !== 'pass') {
    result.rerun = cellCommand({ program, endpoint, rule: rule.id, operation, seed: options.seed, numRuns: options.numRuns, flags });
  }
  return result;
}
