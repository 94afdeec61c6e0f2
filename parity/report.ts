// The parity report (issue 22, docs/parity.md): what the console prints, the
// JSON file (--json) and the HTML page (--html). Differences are listed per
// operation, then per path, each with both values and the sequence (and
// step) that produced it.
import { escapeHtml as h } from '../reporters/html.ts';
import { SYMBOL } from '../reporters/style.ts';
import { formatMs } from '../harness/run/wait.ts';
import type { ParityDifference } from './types.ts';

export interface CorpusSize {
  operations: number;
  sequences: number;
  requests: number;
}

/** A step one target never got an answer to (it never got past the weather): not compared. */
export interface Unjudged {
  operation: string;
  sequence: string;
  step: number;
  reason: string;
}

/** A sequence not sent at all: a step needs what a target lacks (the accounts hook, for the management account). */
export interface Skipped {
  sequence: string;
  reason: string;
}

export interface ParityReport {
  tool: { name: 'proton-conformance'; version: string };
  /** ISO 8601: when the comparison started. */
  startedAt: string;
  /** 'embedded', a URL, or 'snapshot DIR'. */
  reference: string;
  /** A URL; absent when recording. */
  candidate?: string;
  seed: number;
  /** 'clock': both clocks moved by the hooks; 'poll': asynchronous steps waited for by polling. */
  mode: 'clock' | 'poll';
  corpus: CorpusSize;
  /** Requests sent to each target (weather retries, polls and hook calls included). */
  requestsSent: { reference?: number; candidate?: number };
  wallMs: number;
  /** The differences that count (not ignored): exit 1 when there is any. */
  differences: ParityDifference[];
  /** The --ignore paths and how many differences they dropped. */
  ignored: { paths: string[]; differences: number };
  unjudged: Unjudged[];
  skipped: Skipped[];
  /** Resources that never settled before a settle step (poll mode). */
  unsettled: string[];
  /** With --record: the directory written and the files in it. */
  recorded?: { dir: string; files: number };
}

/** undefined (an absent member) as null: JSON's only way to say it. */
export function renderJson(report: ParityReport): string {
  return `${JSON.stringify(report, (_key, value: unknown) => (value === undefined ? null : value), 2)}\n`;
}

export function showValue(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

interface PathGroup {
  path: string;
  differences: ParityDifference[];
}

/** Differences by operation (sorted), then by path (in first-seen order). */
export function grouped(differences: readonly ParityDifference[]): Array<{ operation: string; paths: PathGroup[] }> {
  const byOperation = new Map<string, Map<string, ParityDifference[]>>();
  for (const difference of differences) {
    const paths = byOperation.get(difference.operation) ?? new Map<string, ParityDifference[]>();
    byOperation.set(difference.operation, paths);
    paths.set(difference.path, [...(paths.get(difference.path) ?? []), difference]);
  }
  return [...byOperation.keys()].sort().map((operation) => ({
    operation,
    paths: [...byOperation.get(operation)!].map(([path, list]) => ({ path, differences: list })),
  }));
}

/** The shown examples of one path: every distinct pair of values once, at most `limit`. */
function examples(list: readonly ParityDifference[], limit: number): ParityDifference[] {
  const seen = new Set<string>();
  const out: ParityDifference[] = [];
  for (const difference of list) {
    const key = `${showValue(difference.reference)}\u0000${showValue(difference.candidate)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(difference);
    if (out.length === limit) break;
  }
  return out;
}

export function summaryLine(report: ParityReport): string {
  const { operations, sequences, requests } = report.corpus;
  const corpus = `corpus: ${operations} operations, ${sequences} sequences, ${requests} requests`;
  const ignored = report.ignored.differences > 0 ? `, ${report.ignored.differences} ignored` : '';
  const result =
    report.candidate === undefined
      ? `recorded ${report.recorded?.files ?? 0} sequences to ${report.recorded?.dir ?? '?'}`
      : `${report.differences.length} difference${report.differences.length === 1 ? '' : 's'}${ignored}`;
  return `${result}; ${corpus}; ${formatMs(report.wallMs)} (${report.mode} mode)`;
}

/** The console's text: the header, the differences by operation and path, what was not judged, the summary line. */
export function renderText(report: ParityReport): string {
  const lines = [
    `proton-conformance parity: reference ${report.reference}${report.candidate === undefined ? '' : `, candidate ${report.candidate}`}`,
    `seed ${report.seed}; ${report.mode === 'clock' ? 'clocks moved together (hooks)' : 'asynchronous steps polled (no clock hooks)'}`,
    '',
  ];
  for (const { operation, paths } of grouped(report.differences)) {
    lines.push(`${SYMBOL.fail} ${operation}`);
    for (const { path, differences } of paths) {
      lines.push(`    ${path}  (${differences.length})`);
      for (const example of examples(differences, 3)) {
        lines.push(`        reference ${showValue(example.reference)}  candidate ${showValue(example.candidate)}`);
        lines.push(`        in ${example.sequence} step ${example.step + 1}`);
      }
    }
  }
  if (report.candidate !== undefined && report.differences.length === 0) lines.push(`${SYMBOL.pass} no differences`);
  if (report.unjudged.length > 0) {
    lines.push('', `${SYMBOL.inconclusive} not compared (never got past the weather): ${report.unjudged.length} steps`);
    for (const item of report.unjudged.slice(0, 5))
      lines.push(`    ${item.operation} in ${item.sequence} step ${item.step + 1}: ${item.reason}`);
  }
  if (report.skipped.length > 0) {
    lines.push('', `${SYMBOL.skipped} not sent: ${report.skipped.length} sequences`);
    for (const item of report.skipped.slice(0, 5)) lines.push(`    ${item.sequence}: ${item.reason}`);
  }
  if (report.unsettled.length > 0) {
    lines.push('', `${SYMBOL.inconclusive} did not settle within their bound (compared anyway): ${report.unsettled.length}`);
    for (const item of report.unsettled.slice(0, 5)) lines.push(`    ${item}`);
  }
  lines.push('', summaryLine(report), '');
  return lines.join('\n');
}

const CSS = [
  'body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 1.5em 2em;color:#1b1f24;background:#fff}',
  'h1{font-size:1.5em;margin:.6em 0 .2em}h2{font-size:1.15em;margin-top:1.5em}',
  'code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}',
  '.meta{color:#57606a}.overall{padding:.1em .5em;border-radius:4px;color:#fff}.o-PASS{background:#1a7f37}.o-FAIL{background:#cf222e}',
  'table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #d0d7de;padding:.15em .5em;text-align:left;vertical-align:top}',
  'th{background:#f6f8fa;font-weight:600}td.ref{background:#dafbe1}td.cand{background:#ffebe9}',
].join('\n');

/** A plain page: the header, then one table per operation (path, reference, candidate, sequence and step). */
export function renderHtml(report: ParityReport): string {
  const verdict = report.differences.length === 0 ? 'PASS' : 'FAIL';
  const sections = grouped(report.differences).map(({ operation, paths }) => {
    const rows = paths.flatMap(({ path, differences }) =>
      differences.map(
        (d) =>
          `<tr><td><code>${h(path)}</code></td><td class="ref"><code>${h(showValue(d.reference))}</code></td>` +
          `<td class="cand"><code>${h(showValue(d.candidate))}</code></td><td><code>${h(d.sequence)}</code> step ${d.step + 1}</td></tr>`,
      ),
    );
    return (
      `<h2>${h(operation)} (${rows.length})</h2>\n<table><tr><th>path</th><th>reference</th><th>candidate</th><th>sequence</th></tr>\n` +
      `${rows.join('\n')}\n</table>`
    );
  });
  const notes = [
    ...report.unjudged.map((u) => `${u.operation} in ${u.sequence} step ${u.step + 1}: ${u.reason}`),
    ...report.skipped.map((item) => `${item.sequence}: not sent: ${item.reason}`),
    ...report.unsettled,
  ];
  const notesHtml =
    notes.length === 0
      ? ''
      : `<h2>Not compared, not sent, or not settled (${notes.length})</h2>\n<ul>${notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`;
  const meta = [
    `reference <code>${h(report.reference)}</code>`,
    `candidate <code>${h(report.candidate ?? '-')}</code>`,
    `seed <code>${report.seed}</code>`,
    h(summaryLine(report)),
    h(report.startedAt),
  ].join(' · ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>proton-conformance parity: ${verdict}</title>
<style>${CSS}</style>
</head>
<body>
<h1>proton-conformance parity <span class="overall o-${verdict}">${verdict}</span></h1>
<p class="meta">${meta}</p>
${sections.join('\n') || '<p>No differences.</p>'}
${notesHtml}
</body>
</html>
`;
}
