// --rerun-failed REPORT.json: the cells of an earlier report that did not
// pass, run again with its seed (and runs per property), each property cell
// that printed a replay path replaying that shrunk case alone. Every cell whose
// verdict is not `pass` is rerun: fail, warn, inconclusive, and skipped too (a
// skipped cell was never judged; run again it is judged if the target now
// offers what it lacked, and skipped again at no cost if not). The report's
// `rerun` field says which are fixed (pass now) and which still do not pass.
import { UsageError } from '../errors.ts';
import type { CatalogRule } from '../run/catalog.ts';
import type { CellPlan, Selection } from '../run/select.ts';
import type { Report, Verdict } from '../types.ts';
import { readReport } from './report-file.ts';

const FLAG = '--rerun-failed';
const SHAPE_RULE = 'shape/responses-match-model';

/** One cell to run again, with its verdict in the report and the case it replays. */
export interface RerunCell {
  rule: string;
  operation: string;
  was: Verdict;
  /** The shrunk property case the report printed (RuleResult.replay.path). */
  path?: string;
}

export interface RerunPlan {
  file: string;
  seed: number;
  numRuns: number;
  cells: RerunCell[];
  /** Results of the shape rule (a harness rule, not a cell) that did not pass: judged again on what the rerun calls. */
  shape: RerunCell[];
}

/** `report.rerun`: what became of each cell rerun. */
export interface RerunSummary {
  report: string;
  cells: number;
  /** Cells that pass now. */
  fixed: Array<{ rule: string; operation: string; was: Verdict }>;
  /** Cells that still do not pass (now: the verdict of this run; 'not-run' when it was cut short). */
  notPassing: Array<{ rule: string; operation: string; was: Verdict; now: Verdict | 'not-run' }>;
}

/** FILE read and checked: a report of this suite's version, whose cells and replay paths mean the same here. */
export async function loadRerun(file: string, version: string, rules: readonly CatalogRule[]): Promise<RerunPlan> {
  const report = await readReport(file, FLAG);
  const tool = (report as Report & { tool?: { version?: string } }).tool;
  if (tool?.version === undefined) throw new UsageError(`${FLAG}: ${file} names no suite version (not a report a run wrote)`);
  if (tool.version !== version)
    throw new UsageError(
      `${FLAG}: ${file} was written by proton-conformance ${tool.version}, this is ${version}: its cells and replay paths ` +
        `may not mean the same here (rerun with ${tool.version}, or run the whole suite)`,
    );
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const cells: RerunCell[] = [];
  const shape: RerunCell[] = [];
  for (const result of report.results) {
    if (result.verdict === 'pass') continue;
    const rule = byId.get(result.rule);
    if (rule === undefined || !rule.operations.includes(result.operation))
      throw new UsageError(`${FLAG}: ${file} has a cell this suite does not: ${result.rule} on ${result.operation}`);
    if (rule.id === SHAPE_RULE) {
      shape.push({ rule: rule.id, operation: result.operation, was: result.verdict });
      continue;
    }
    cells.push({ rule: rule.id, operation: result.operation, was: result.verdict, ...(result.replay ? { path: result.replay.path } : {}) });
  }
  if (cells.length === 0 && shape.length === 0) throw new UsageError(`${FLAG}: every cell of ${file} passed: nothing to rerun`);
  return { file, seed: report.seed, numRuns: report.numRuns, cells, shape };
}

/**
 * The cells of the plan, each with its replay path. Operations that only
 * broke the shape rule are exercised by every cell of theirs, as
 * `--rules shape/responses-match-model --operations ...` would.
 */
export function rerunSelection(rules: readonly CatalogRule[], plan: RerunPlan): Selection {
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const harnessRules = plan.shape.length > 0 ? rules.filter((rule) => rule.id === SHAPE_RULE) : [];
  const cells: CellPlan[] = plan.cells.map((cell) => ({
    rule: byId.get(cell.rule)!,
    operation: cell.operation,
    ...(cell.path !== undefined ? { path: cell.path } : {}),
  }));
  if (cells.length > 0) return { cells, harnessRules, exerciseOnly: false };
  const shapeOnly = new Set(plan.shape.map((cell) => cell.operation));
  const exercise = rules.filter((rule) => rule.checkedBy !== 'harness');
  return {
    cells: exercise.flatMap((rule) => rule.operations.filter((op) => shapeOnly.has(op)).map((operation) => ({ rule, operation }))),
    harnessRules,
    exerciseOnly: true,
  };
}

/** What became of the plan's cells in this run's report. */
export function rerunSummary(plan: RerunPlan, report: Report): RerunSummary {
  const now = new Map(report.results.map((result) => [`${result.rule} ${result.operation}`, result.verdict]));
  const summary: RerunSummary = { report: plan.file, cells: plan.cells.length, fixed: [], notPassing: [] };
  for (const cell of [...plan.cells, ...plan.shape]) {
    const verdict = now.get(`${cell.rule} ${cell.operation}`);
    const entry = { rule: cell.rule, operation: cell.operation, was: cell.was };
    if (verdict === 'pass') summary.fixed.push(entry);
    else summary.notPassing.push({ ...entry, now: verdict ?? 'not-run' });
  }
  return summary;
}

/** The console's lines for `report.rerun`. */
export function rerunLines(report: Report): string[] {
  const rerun = (report as Report & { rerun?: RerunSummary }).rerun;
  if (rerun === undefined) return [];
  const lines = [`Rerun of ${rerun.report}: ${rerun.fixed.length} fixed (pass now), ${rerun.notPassing.length} still not passing`];
  for (const cell of rerun.fixed) lines.push(`  fixed  ${cell.rule}  ${cell.operation}  (was ${cell.was})`);
  for (const cell of rerun.notPassing) lines.push(`  still ${cell.now}  ${cell.rule}  ${cell.operation}  (was ${cell.was})`);
  return lines;
}
