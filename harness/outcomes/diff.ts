// `proton-conformance diff OLD.json NEW.json`: what changed between two runs,
// cell by cell (rule x operation). Verdicts are ranked pass < skipped <
// inconclusive < warn < fail: a cell whose rank went up got worse (a
// regression), down got better. A cell only in NEW is new (a regression when
// it fails or warns); a cell only in OLD is gone.
import type { Report, RuleResult, Verdict } from '../types.ts';

export const RANK: Record<Verdict, number> = { pass: 0, skipped: 1, inconclusive: 2, warn: 3, fail: 4 };

export interface CellChange {
  rule: string;
  operation: string;
  level: string;
  before?: Verdict;
  after?: Verdict;
  /** NEW's reason (OLD's for a gone cell). */
  reason: string;
}

export interface ReportDiff {
  worse: CellChange[];
  better: CellChange[];
  new: CellChange[];
  gone: CellChange[];
  unchanged: number;
  /** Worse cells, and new cells that fail or warn. */
  regressions: number;
}

export function diffReports(before: Report, after: Report): ReportDiff {
  const key = (r: RuleResult): string => `${r.rule}\u0000${r.operation}`;
  const old = new Map(before.results.map((r) => [key(r), r]));
  const now = new Map(after.results.map((r) => [key(r), r]));
  const diff: ReportDiff = { worse: [], better: [], new: [], gone: [], unchanged: 0, regressions: 0 };
  for (const [k, r] of now) {
    const o = old.get(k);
    const change: CellChange = { rule: r.rule, operation: r.operation, level: r.level, after: r.verdict, reason: r.reason };
    if (!o) diff.new.push(change);
    else if (RANK[r.verdict] > RANK[o.verdict]) diff.worse.push({ ...change, before: o.verdict });
    else if (RANK[r.verdict] < RANK[o.verdict]) diff.better.push({ ...change, before: o.verdict });
    else diff.unchanged++;
  }
  for (const [k, o] of old) {
    if (!now.has(k)) diff.gone.push({ rule: o.rule, operation: o.operation, level: o.level, before: o.verdict, reason: o.reason });
  }
  diff.regressions = diff.worse.length + diff.new.filter((c) => c.after === 'fail' || c.after === 'warn').length;
  return diff;
}

export function renderDiff(diff: ReportDiff): string {
  const lines: string[] = [];
  const line = (c: CellChange): string => {
    const from = c.before ?? '(none)';
    const to = c.after ?? '(none)';
    return (
      `  ${c.rule}  ${c.operation}  (${c.level})  ${from} ` +
      `-> ${to}${c.after && c.after !== 'pass' ? `: ${c.reason.split('\n')[0]}` : ''}`
    );
  };
  const section = (title: string, list: CellChange[]): void => {
    if (list.length === 0) return;
    lines.push(`${title} (${list.length}):`, ...list.map(line), '');
  };
  section('Worse', diff.worse);
  section('Better', diff.better);
  section('New', diff.new);
  section('Gone', diff.gone);
  const verdict =
    diff.regressions > 0
      ? `REGRESSION (${diff.regressions} cell${diff.regressions === 1 ? '' : 's'} worse or newly failing)`
      : 'NO REGRESSION';
  lines.push(
    `${verdict}: ${diff.worse.length} worse, ${diff.better.length} better, ${diff.new.length} new, ${diff.gone.length} ` +
      `gone, ${diff.unchanged} unchanged`,
  );
  return `${lines.join('\n')}\n`;
}
