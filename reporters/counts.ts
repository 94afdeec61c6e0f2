// One way of counting a report's cells, for every reporter (the console's
// summary, the HTML page, the Markdown summary): a cell is a rule x operation
// check, run, cut short or not started; the harness's shape rule judges every
// operation the cells called besides, and is counted apart
// ("134 cells ...; shape/responses-match-model on 34 operations").
import type { Report, RuleResult, Verdict } from '../harness/types.ts';

export interface CellCounts {
  /** The cells selected (rule x operation). */
  total: number;
  run: number;
  interrupted: number;
  notRun: number;
  /** Verdicts of the cells run to the end. */
  verdicts: Record<Verdict, number>;
  /** The shape rule's verdicts, one per operation the cells called; undefined when it judged none. */
  shape: { rule: string; operations: number; verdicts: Record<Verdict, number> } | undefined;
}

export function countVerdicts(results: readonly RuleResult[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { pass: 0, fail: 0, warn: 0, inconclusive: 0, skipped: 0 };
  for (const result of results) counts[result.verdict]++;
  return counts;
}

export function cellCounts(report: Report): CellCounts {
  const results = report.results as readonly (RuleResult & { interrupted?: boolean })[];
  const shape = results.filter((r) => r.category === 'shape');
  const cells = results.filter((r) => r.category !== 'shape');
  const judged = cells.filter((r) => r.interrupted !== true);
  // The runner's own count (JSON `cells`) when the report has it: it knows the cells never started.
  const counted = (report as { cells?: { total: number; run: number; interrupted: number; notRun: number } }).cells;
  const interrupted = counted?.interrupted ?? cells.length - judged.length;
  return {
    total: counted?.total ?? cells.length,
    run: counted?.run ?? judged.length,
    interrupted,
    notRun: counted?.notRun ?? 0,
    verdicts: countVerdicts(judged),
    shape: shape.length === 0 ? undefined : { rule: shape[0]!.rule, operations: shape.length, verdicts: countVerdicts(shape) },
  };
}

/** "shape/responses-match-model on 34 operations"; undefined without it. */
export function shapeText(counts: CellCounts): string | undefined {
  const shape = counts.shape;
  return shape === undefined ? undefined : `${shape.rule} on ${shape.operations} operation${shape.operations === 1 ? '' : 's'}`;
}
