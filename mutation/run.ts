// One run of the suite against one emulator of the analysis, through the
// harness's runner: the same catalog, selection, checks and verdicts as
// `npm start`, with the time at which each cell finished.
import { loadCatalog } from '../suites/catalog.ts';
import { newRunId } from '../harness/safety/names.ts';
import type { CellResult } from '../harness/run/results.ts';
import type { TransientCounts } from '../harness/types.ts';
import { runConformance } from '../harness/run/runner.ts';
import { selectCells } from '../harness/run/select.ts';
import * as model from '../specs/model.ts';
import type { EmulatorChoice, EmulatorHost } from './emulators.ts';
import type { CellFilter } from './subjects.ts';

export interface RunSettings {
  seed: number;
  numRuns: number;
  /** Cells at once (the CLI's embedded default: 8). */
  concurrency?: number;
  /** Per-cell budget, ms. */
  cellTimeoutMs?: number;
}

export interface SubjectRun {
  results: CellResult[];
  /** Milliseconds from the start of the run to the end of each cell. */
  finishedAtMs: Map<CellResult, number>;
  wallMs: number;
  requests: number;
  /** The weather the run met (harness/client/weather.ts). */
  transient?: TransientCounts;
}

let catalog: ReturnType<typeof loadCatalog> | undefined;

export async function runSuite(host: EmulatorHost, choice: EmulatorChoice, cells: CellFilter, settings: RunSettings): Promise<SubjectRun> {
  catalog ??= loadCatalog();
  const loaded = await catalog;
  const selection = selectCells(loaded.rules, cells);
  const target = await host.target(choice);
  const finishedAtMs = new Map<CellResult, number>();
  const started = performance.now();
  try {
    const outcome = await runConformance({
      catalog: loaded,
      selection,
      target,
      shapeModel: model,
      runId: newRunId(),
      seed: settings.seed,
      numRuns: settings.numRuns,
      concurrency: settings.concurrency ?? 8,
      cellTimeoutMs: settings.cellTimeoutMs ?? 60_000,
      passEvidence: 0,
      progress: {
        start: () => undefined,
        cellDone: (result) => {
          finishedAtMs.set(result, performance.now() - started);
        },
      },
    });
    return {
      results: outcome.report.results as CellResult[],
      finishedAtMs,
      wallMs: performance.now() - started,
      requests: outcome.requests,
      ...(outcome.report.transient ? { transient: outcome.report.transient } : {}),
    };
  } finally {
    await target.close();
  }
}
