// The plan of a run against a target without a clock (a real account, a
// hosted service, an emulator without hooks): what it will cost before it
// starts. The run is rehearsed first against the reference emulator, in
// process, with the durations the target is expected to have
// (--expect-durations, typical real durations by default: specs/transitions.ts)
// and the same selection, seed and runs: the checks see the target's own
// capabilities and take the same paths, but every wait moves the rehearsal
// emulator's virtual clock (CheckContext.sleep, waitFor) instead of passing.
// The rehearsal counts the resources created and the requests sent, and each
// cell's time spent waiting on asynchronous steps: the longest of those is
// the critical path, the least time the run can take with every cell at once.
import type { Catalog } from '../run/catalog.ts';
import { defaultEmbeddedMode, startEmbedded } from '../target/embedded.ts';
import { runConformance } from '../run/runner.ts';
import type { RunTarget } from '../run/runner.ts';
import type { Selection } from '../run/select.ts';
import type { ShapeModel } from '../client/shape.ts';
import { resolveTarget } from '../target/target.ts';
import type { CellResult } from '../run/results.ts';
import type { Capability, PacedCost } from '../types.ts';
import type { CellCost } from './latency.ts';
import { formatMs } from '../run/wait.ts';

export interface Plan {
  /** Cells the run will judge (the selection, less those the target's capabilities skip). */
  cells: number;
  /** Resources the run will create (each counted once, however often a retry names it). */
  resources: number;
  /** Requests the run will send (SDK attempts; no weather: the target's throttles come on top). */
  requests: number;
  /** The longest time any one cell waits on the target's asynchronous steps, milliseconds. */
  criticalPathMs: number;
  /** The cell on the critical path. */
  longest: { rule: string; operation: string } | undefined;
  /** The durations the plan assumed ("real/100", "real", "name=ms,..."). */
  durations: string;
  /** How long the rehearsal took, milliseconds. */
  rehearsalMs: number;
  /** Cells the rehearsal did not pass (their cost may differ in the run), with their verdicts. */
  unsure: string[];
  /**
   * The wire cells' share (category wire): their requests, and the longest time one of them waits on the
   * target (their retries at a client's pace, docs/wire.md), milliseconds.
   */
  wire: { cells: number; requests: number; longestWaitMs: number; paced?: PacedCost };
}

export interface PlanOptions<O> {
  catalog: Catalog<O>;
  selection: Selection;
  shapeModel: ShapeModel;
  /** The capabilities of the target rehearsed for, as its checks will see them. */
  capabilities: ReadonlySet<Capability>;
  seed: number;
  numRuns: number;
  /** Transition durations the target is expected to have, milliseconds, and how they were given. */
  durations: Record<string, number>;
  durationsText: string;
  signal?: AbortSignal;
  /** The target's measured median round trip, milliseconds: the rehearsal's checks settle by it as the run's will. */
  roundTripMs?: number;
  /** Receives what each judged cell cost (harness/plan/latency.ts): its requests, and its waits when they are real on the target. */
  onCosts?: (costs: CellCost[]) => void;
}

/** Rehearses the run against the embedded reference emulator; resolves with its plan. */
export async function rehearse<O>(options: PlanOptions<O>): Promise<Plan> {
  const started = performance.now();
  // The clock (to jump over waits) and accounts (a clock per cell), and the hooks the checks will see.
  const hooks = [...new Set<string>(['clock', 'accounts', ...options.capabilities])];
  const emulator = await startEmbedded(defaultEmbeddedMode(), { durations: options.durations, hooks });
  try {
    const resolved = await resolveTarget({ endpoint: emulator.url, env: {} });
    const target: RunTarget = { ...resolved, capabilities: options.capabilities, accounts: true, credentials: undefined };
    try {
      const outcome = await runConformance({
        catalog: options.catalog,
        selection: options.selection,
        target,
        shapeModel: options.shapeModel,
        runId: 'rehearsal',
        seed: options.seed,
        numRuns: options.numRuns,
        // Every cell at once: waits are virtual, the emulator answers in a millisecond.
        concurrency: options.selection.cells.length,
        cellTimeoutMs: 120_000,
        passEvidence: 0,
        rehearsal: true,
        ...(options.roundTripMs !== undefined ? { roundTripMs: options.roundTripMs } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const results = (outcome.report.results as CellResult[]).filter(
        (result) => result.verdict !== 'skipped' && options.selection.cells.some((c) => c.rule.id === result.rule),
      );
      const realWaits = !options.capabilities.has('clock');
      const property = new Set(options.selection.cells.filter((c) => c.rule.checkedBy.includes('property')).map((c) => c.rule.id));
      options.onCosts?.(
        results.map((r) => ({
          requests: r.runRequests ?? r.requests ?? 0,
          property: property.has(r.rule),
          waitedMs: realWaits ? (r.waitedMs ?? 0) : 0,
        })),
      );
      let longest: (typeof results)[number] | undefined;
      for (const result of results) if ((result.waitedMs ?? 0) > (longest?.waitedMs ?? -1)) longest = result;
      return {
        cells: results.length,
        resources: (outcome.report as { resourcesCreated?: number }).resourcesCreated ?? 0,
        requests: outcome.requests,
        criticalPathMs: longest?.waitedMs ?? 0,
        longest: longest ? { rule: longest.rule, operation: longest.operation } : undefined,
        durations: options.durationsText,
        rehearsalMs: Math.round(performance.now() - started),
        unsure: results.filter((r) => r.verdict !== 'pass').map((r) => `${r.rule} ${r.operation}: ${r.verdict}`),
        wire: wireShare(results),
      };
    } finally {
      await resolved.close();
    }
  } finally {
    await emulator.close();
  }
}

/** What the wire cells of a rehearsal cost. */
function wireShare(results: readonly CellResult[]): Plan['wire'] {
  const wire = results.filter((r) => r.category === 'wire');
  const counted = wire.flatMap((r) => (r.paced ? [r.paced] : []));
  const paced: PacedCost | undefined =
    counted.length === 0
      ? undefined
      : {
          retries: counted.reduce((sum, p) => sum + p.retries, 0),
          reads: counted.reduce((sum, p) => sum + p.reads, 0),
          waitedMs: Math.max(0, ...counted.map((p) => p.waitedMs)),
          settleMs: Math.max(0, ...counted.map((p) => p.settleMs)),
        };
  return {
    cells: wire.length,
    requests: wire.reduce((sum, r) => sum + (r.runRequests ?? r.requests ?? 0), 0),
    longestWaitMs: Math.max(0, ...wire.map((r) => r.waitedMs ?? 0)),
    ...(paced ? { paced } : {}),
  };
}

/** The plan in one line for the console. */
export function planLine(plan: Plan): string {
  const longest = plan.longest ? ` (${plan.longest.rule} on ${plan.longest.operation})` : '';
  const unsure =
    plan.unsure.length > 0
      ? `; ${plan.unsure.length} cell${plan.unsure.length === 1 ? '' : 's'} did not pass the rehearsal, so their cost may differ`
      : '';
  return (
    `plan: ${plan.cells} cells, about ${plan.resources} resources created and ${plan.requests} requests; ` +
    `critical path ${formatMs(plan.criticalPathMs)} of waiting on the target${longest}, ` +
    `assuming durations ${plan.durations} (--expect-durations; rehearsed on the reference emulator ` +
    `in ${formatMs(plan.rehearsalMs)})${wireText(plan.wire)}${unsure}`
  );
}

function wireText(wire: Plan['wire'] | undefined): string {
  if (wire === undefined || wire.cells === 0) return '';
  const paced = wire.paced
    ? `: ${wire.paced.retries} retries at a client's pace and ${wire.paced.reads} reads for them, up to ` +
      `${formatMs(wire.paced.waitedMs)} of their waits in one cell, settle time ${formatMs(wire.paced.settleMs)}`
    : " (retries at a client's pace)";
  return `; the ${wire.cells} wire cells ${wire.requests} of the requests, each waiting up to ${formatMs(wire.longestWaitMs)}${paced}`;
}
