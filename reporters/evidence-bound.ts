// The report files' bound on what the results that do not pass keep: their
// exchanges, steps, hook calls and wire history, as the JSON report writes
// them. Each cell keeps at most EVIDENCE_BYTES of exchanges
// (harness/client/recorder.ts); a run with many such cells (a loaded machine
// where cells run out of time and end inconclusive, a target that fails
// everywhere) would still write reports of megabytes. So the JSON, HTML and
// JUnit reports keep RUN_EVIDENCE_BYTES for the run as a whole: failures first,
// then warnings, then inconclusive cells, each in report order; a result whose
// details fit in what is left keeps them whole, one that does not keeps a
// summary (its verdict, reason, commands, last steps, and the latest of its
// exchanges that fit in what is left) and says what was left out. The report in memory keeps everything (the console, the library's
// caller and the reproducers see it whole); the cell's rerun command, or
// --rerun-failed with the JSON report, runs it again with its evidence.
import type { CellResult, EvidenceOmitted } from '../harness/run/results.ts';
import type { Report, Verdict } from '../harness/types.ts';

/** The details the results that do not pass may keep, together, in bytes of the JSON report. */
export const RUN_EVIDENCE_BYTES = 512 * 1024;

/** Steps a summarised result keeps (its last ones), as a cell cut short by an interrupt does. */
const SUMMARY_STEPS = 3;

/** Which results take the bound first: what decides the run, then what only warns, then what could not be judged. */
const PRIORITY: Readonly<Record<Verdict, number>> = { fail: 0, warn: 1, inconclusive: 2, skipped: 3, pass: 4 };

/**
 * The results with the details of those that do not pass bounded by `bound`
 * as a whole (the results given are not changed; a summarised one is a copy).
 */
export function boundRunEvidence<R extends CellResult>(results: readonly R[], bound = RUN_EVIDENCE_BYTES): R[] {
  const order = results
    .map((result, index) => ({ result, index }))
    .filter(({ result }) => result.verdict !== 'pass')
    .sort((a, b) => PRIORITY[a.result.verdict] - PRIORITY[b.result.verdict] || a.index - b.index);
  const bounded = [...results];
  let left = bound;
  for (const { result, index } of order) {
    const bytes = detailBytes(result);
    if (bytes <= left) {
      left -= bytes;
      continue;
    }
    // What is left of the bound goes to the latest of its exchanges (the first such result is seldom left with none).
    const kept = latestFitting(result.evidence, left);
    left -= kept.bytes;
    bounded[index] = summarised(result, bytes - kept.bytes, bound, kept.count);
  }
  return bounded;
}

/** The report as its files write it: the results bounded (the same report when nothing is left out). */
export function boundedReport<T extends Report>(report: T): T {
  const results = boundRunEvidence(report.results as CellResult[]);
  return results.every((result, i) => result === report.results[i]) ? report : { ...report, results };
}

/** Bytes of the result's exchanges, steps, hook calls and wire history in the JSON report (2-space indent, a result's fields 6 in). */
export function detailBytes(result: CellResult): number {
  return jsonBytes(result.evidence) + jsonBytes(result.steps) + jsonBytes(result.hookCalls) + jsonBytes(result.history);
}

function jsonBytes(value: unknown, indent = 6): number {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return 0;
  const text = JSON.stringify(value, null, 2);
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return Buffer.byteLength(text) + (lines + 1) * indent;
}

/** How many of the latest exchanges fit in `room` bytes (an exchange of the array is 8 in), and their bytes. */
function latestFitting(evidence: readonly unknown[], room: number): { count: number; bytes: number } {
  let bytes = 0;
  let count = 0;
  for (let i = evidence.length - 1; i >= 0; i--) {
    const size = jsonBytes(evidence[i], 8) + 2;
    if (bytes + size > room) break;
    bytes += size;
    count++;
  }
  return { count, bytes };
}

/** The result with only its last steps and its latest `keep` exchanges, and what it left out. */
function summarised<R extends CellResult>(result: R, bytes: number, bound: number, keep: number): R {
  const steps = result.steps ?? [];
  const { hookCalls, history, ...rest } = result;
  // A result summarised before (a report read back: merge) adds what it had left out.
  const before = result.evidenceOmitted;
  const omitted: EvidenceOmitted = {
    exchanges: result.evidence.length - keep + (before?.exchanges ?? 0),
    steps: Math.max(0, steps.length - SUMMARY_STEPS) + (before?.steps ?? 0),
    hookCalls: (hookCalls?.length ?? 0) + (before?.hookCalls ?? 0),
    wireEvents: (history?.length ?? 0) + (before?.wireEvents ?? 0),
    bytes: bytes + (before?.bytes ?? 0),
    boundBytes: bound,
  };
  return {
    ...rest,
    evidence: keep === 0 ? [] : result.evidence.slice(-keep),
    ...(result.steps !== undefined ? { steps: steps.slice(-SUMMARY_STEPS) } : {}),
    evidenceOmitted: omitted,
  } as unknown as R;
}

/**
 * What a summarised result says of what it left out and how to get it (JUnit,
 * Markdown and HTML say it alike); `kept`: the exchanges it still has (the latest).
 */
export function omittedNote(omitted: EvidenceOmitted, kept: number): string {
  const parts = [
    `${omitted.exchanges} ${kept > 0 ? 'earlier ' : ''}exchange${omitted.exchanges === 1 ? '' : 's'}`,
    ...(omitted.steps > 0 ? [`${omitted.steps} earlier step${omitted.steps === 1 ? '' : 's'}`] : []),
    ...(omitted.hookCalls > 0 ? [`${omitted.hookCalls} hook call${omitted.hookCalls === 1 ? '' : 's'}`] : []),
    ...(omitted.wireEvents > 0 ? [`${omitted.wireEvents} wire event${omitted.wireEvents === 1 ? '' : 's'}`] : []),
  ];
  return (
    `${parts.join(', ')} left out (${kb(omitted.bytes)}): a run keeps ${kb(omitted.boundBytes)} of evidence for its cells that ` +
    'do not pass (failures first, then warnings, then inconclusive cells, in report order) and those before this one took ' +
    "it; the cell's rerun command, or --rerun-failed with the JSON report, runs it again with its evidence"
  );
}

function kb(bytes: number): string {
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
