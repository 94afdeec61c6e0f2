// `proton-conformance merge`: the JSON reports of the shards of one run
// (`--shard i/n`) joined into one report and one verdict. Cells are disjoint
// between shards; a harness-checked rule (shape/responses-match-model) is
// judged by every shard on the responses it received, so its results for the
// same operation are joined: the worst verdict, the counts added.
import { addCounts, emptyCounts } from '../client/weather.ts';
import { UsageError } from '../errors.ts';
import { summarize } from '../run/results.ts';
import type { ShardInfo } from '../run/shard.ts';
import type { Report, RuleResult, TransientCounts, Verdict } from '../types.ts';

export interface MergeInput {
  /** Where the report came from (a file name), for messages. */
  source: string;
  report: Report;
}

export interface RuleOrder {
  id: string;
  operations: readonly string[];
}

type Extra = Report & {
  runId?: string;
  interrupted?: boolean;
  requests?: number;
  wallMs?: number;
  shard?: ShardInfo;
  refusedDeletes?: unknown[];
  tool?: { name: string; version: string };
  settings?: { rules?: string | null; operations?: string | null; seedGiven?: boolean };
};

const SEVERITY: Record<Verdict, number> = { pass: 0, skipped: 1, inconclusive: 2, warn: 3, fail: 4 };

/**
 * What the shards of one run share, each read from a report: the suite's
 * version, the target, the seed, the selection as given, the runs per property.
 */
const SAME: ReadonlyArray<{ what: string; of: (report: Extra) => unknown }> = [
  { what: 'suite version', of: (r) => (r.tool ? `${r.tool.name} ${r.tool.version}` : 'none recorded') },
  { what: 'target', of: (r) => `${r.target.endpoint}, region ${r.target.region}` },
  { what: 'seed', of: (r) => r.seed },
  { what: 'rules (--rules)', of: (r) => r.settings?.rules ?? 'all' },
  { what: 'operations (--operations)', of: (r) => r.settings?.operations ?? 'all' },
  { what: 'runs per property', of: (r) => r.numRuns },
];

/**
 * Checks the inputs are the shards of one run: each run with --seed, all
 * alike in what SAME lists, the same shard count and selection size, each
 * shard once. Every refusal is one line naming the difference and the files.
 */
export function checkShards(inputs: readonly MergeInput[]): void {
  if (inputs.length === 0) throw new UsageError('merge: give the JSON reports of the shards (merge A.json B.json ...)');
  const shards = inputs.map(({ source, report }) => ({ source, shard: (report as Extra).shard }));
  const unsharded = shards.filter((s) => s.shard === undefined);
  if (unsharded.length > 0 && inputs.length > 1) {
    throw new UsageError(`merge: ${unsharded[0]!.source} is not a shard's report (it was run without --shard)`);
  }
  if (unsharded.length > 0) return;
  for (const { source, report } of inputs) {
    if ((report as Extra).settings?.seedGiven !== true)
      throw new UsageError(
        `merge: ${source} was run without --seed (a random seed each): shards that belong together are run with the same --seed`,
      );
  }
  const base = inputs[0]!;
  for (const { source, report } of inputs.slice(1)) {
    for (const { what, of } of SAME) {
      const mine = String(of(report as Extra));
      const theirs = String(of(base.report as Extra));
      if (mine !== theirs)
        throw new UsageError(`merge: ${source} and ${base.source} differ in ${what} (${mine}; ${theirs}): not shards of one run`);
    }
  }
  const first = shards[0]!.shard!;
  const seen = new Map<number, string>();
  for (const { source, shard } of shards) {
    if (shard!.count !== first.count || shard!.totalCells !== first.totalCells) {
      throw new UsageError(
        `merge: ${source} is shard ${shard!.index}/${shard!.count} of ${shard!.totalCells} cells, ${shards[0]!.source} is ` +
          `shard ${first.index}/${first.count} of ${first.totalCells}: not the same run`,
      );
    }
    const earlier = seen.get(shard!.index);
    if (earlier !== undefined) throw new UsageError(`merge: ${source} and ${earlier} are both shard ${shard!.index}/${shard!.count}`);
    seen.set(shard!.index, source);
  }
  const missing = Array.from({ length: first.count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0)
    throw new UsageError(`merge: shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${first.count}`).join(', ')} missing`);
}

export function mergeReports(inputs: readonly MergeInput[], rules: readonly RuleOrder[]): Report {
  checkShards(inputs);
  const reports = inputs.map((input) => input.report as Extra);
  const first = reports[0]!;
  const byCell = new Map<string, RuleResult[]>();
  for (const report of reports) {
    for (const result of report.results) {
      const key = `${result.rule}\u0000${result.operation}`;
      const list = byCell.get(key) ?? [];
      list.push(result);
      byCell.set(key, list);
    }
  }
  const results = orderResults([...byCell.values()].map(joinResults), rules);
  const merged: Extra & { shards?: unknown[] } = {
    ...carried(reports),
    target: first.target,
    startedAt: reports.map((r) => r.startedAt).sort()[0]!,
    finishedAt: reports
      .map((r) => r.finishedAt)
      .sort()
      .at(-1)!,
    seed: first.seed,
    numRuns: first.numRuns,
    summary: summarize(results),
    results,
  };
  const transient = addTransient(reports.map((r) => r.transient));
  if (transient) merged.transient = transient;
  if (reports.every((r) => typeof r.requests === 'number')) merged.requests = reports.reduce((n, r) => n + (r.requests ?? 0), 0);
  if (reports.every((r) => typeof r.wallMs === 'number')) merged.wallMs = Math.max(...reports.map((r) => r.wallMs ?? 0));
  merged.interrupted = reports.some((r) => r.interrupted === true);
  const refused = reports.flatMap((r) => r.refusedDeletes ?? []);
  if (refused.length > 0) merged.refusedDeletes = refused;
  if (first.shard) {
    merged.shards = inputs.map(({ source, report }) => {
      const r = report as Extra;
      return {
        source,
        index: r.shard!.index,
        count: r.shard!.count,
        cells: r.shard!.cells,
        seed: r.seed,
        ...(r.runId ? { runId: r.runId } : {}),
        endpoint: r.target.endpoint,
      };
    });
  }
  return merged;
}

/** What the shards' reports say of the run as a whole: the tool and settings of the first; counts added; the selection joined. */
function carried(reports: readonly Extra[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const first = reports[0] as unknown as Record<string, unknown>;
  for (const key of ['tool', 'settings']) if (first[key] !== undefined) out[key] = first[key];
  const all = reports as unknown as Record<string, unknown>[];
  if (all.every((r) => typeof r['resourcesCreated'] === 'number'))
    out['resourcesCreated'] = all.reduce((n, r) => n + (r['resourcesCreated'] as number), 0);
  const counts = all.map((r) => r['cells']).filter((c): c is Record<string, number> => typeof c === 'object' && c !== null);
  if (counts.length === all.length) {
    const cells: Record<string, number> = {};
    for (const c of counts) for (const [k, v] of Object.entries(c)) if (typeof v === 'number') cells[k] = (cells[k] ?? 0) + v;
    out['cells'] = cells;
  }
  const selections = all
    .map((r) => r['selection'])
    .filter((x): x is { cells?: number; rules?: string[]; operations?: string[] } => typeof x === 'object' && x !== null);
  if (selections.length === all.length) {
    const union = (key: 'rules' | 'operations'): string[] => [...new Set(selections.flatMap((x) => x[key] ?? []))];
    out['selection'] = {
      cells: selections.reduce((n, x) => n + (x.cells ?? 0), 0),
      rules: union('rules'),
      operations: union('operations'),
    };
  }
  return out;
}

function joinResults(list: RuleResult[]): RuleResult {
  if (list.length === 1) return list[0]!;
  const worst = [...list].sort((a, b) => SEVERITY[b.verdict] - SEVERITY[a.verdict])[0]!;
  const checked = list.map((r) => /^all (\d+) responses/.exec(r.reason)?.[1] ?? /of (\d+) responses/.exec(r.reason)?.[1]);
  const reason =
    worst.verdict === 'pass' && checked.every((n) => n !== undefined)
      ? `all ${checked.reduce((sum, n) => sum + Number(n), 0)} responses match the model (${list.length} shards)`
      : `${worst.reason} (the worst of ${list.length} shards)`;
  return { ...worst, reason, evidence: worst.evidence, durationMs: list.reduce((n, r) => n + (r.durationMs ?? 0), 0) };
}

function orderResults(results: RuleResult[], rules: readonly RuleOrder[]): RuleResult[] {
  const ruleIndex = new Map(rules.map((rule, i) => [rule.id, i]));
  const opIndex = (result: RuleResult): number => {
    const index = rules.find((rule) => rule.id === result.rule)?.operations.indexOf(result.operation) ?? -1;
    return index === -1 ? Number.MAX_SAFE_INTEGER : index;
  };
  return results.sort(
    (a, b) =>
      (ruleIndex.get(a.rule) ?? 1e9) - (ruleIndex.get(b.rule) ?? 1e9) ||
      a.rule.localeCompare(b.rule) ||
      opIndex(a) - opIndex(b) ||
      a.operation.localeCompare(b.operation),
  );
}

function addTransient(list: ReadonlyArray<TransientCounts | undefined>): TransientCounts | undefined {
  const present = list.filter((t): t is TransientCounts => t !== undefined);
  if (present.length === 0) return undefined;
  const total = emptyCounts();
  for (const t of present) addCounts(total, t);
  return total;
}
