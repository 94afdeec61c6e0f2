// The Markdown report: appended to $GITHUB_STEP_SUMMARY when that is set (the
// summary on a GitHub Actions run page) and to `--markdown FILE` on request.
// The verdict, the counts, the matrix one table per category, then every
// failure and warning folded in <details> with its steps, evidence and
// commands; skipped and inconclusive cells with their reasons.
import type { Report, Verdict } from '../harness/types.ts';
import { expectationLines } from '../harness/outcomes/expectations.ts';
import type { ReportWithExpectations } from '../harness/outcomes/expectations.ts';
import { strictExitCode } from '../harness/engine/gate.ts';
import { cellCounts, shapeText } from './counts.ts';
import { detailLines } from './detail-text.ts';
import type { DetailResult } from './detail-text.ts';
import { appendReporter, fileReporter } from './file-output.ts';
import { blocksOf, matrixOperations } from './matrix.ts';
import type { Reporter, RunInfo } from './reporter.ts';
import { shortNames } from './short-names.ts';
import { NOT_APPLICABLE, SYMBOL } from './style.ts';

/** GitHub caps a step summary at 1 MiB; evidence is cut well before. */
const MAX_DETAIL_CHARS = 12_000;

const cellText = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function renderMarkdown(report: Report, info?: RunInfo): string {
  const results = report.results as readonly DetailResult[];
  // The cells as the console and the JSON count them; the shape rule's operations apart (reporters/counts.ts).
  const counts = cellCounts(report);
  const c = counts.verdicts;
  const shape = shapeText(counts);
  // The gate's verdict, --fail-on included (harness/engine/gate.ts).
  const code = strictExitCode(report);
  const interrupted = info?.interrupted ?? (report as { interrupted?: boolean }).interrupted ?? false;
  const verdict = interrupted ? '⚠️ INTERRUPTED' : code === 0 ? '✅ PASS' : '❌ FAIL';
  const shard = (report as { shard?: { index: number; count: number } }).shard;
  const lines: string[] = [
    `## proton-conformance: ${verdict}${shard ? ` (shard ${shard.index}/${shard.count})` : ''}`,
    '',
    `Target \`${report.target.endpoint}\`${report.target.embedded ? ' (embedded emulator)' : ''}, region ${report.target.region}; ` +
      `seed ${report.seed}, ${report.numRuns} runs per property.`,
    '',
    '| cells | ✓ pass | ✗ fail | ! warn | ? inconclusive | - skipped |',
    '|---:|---:|---:|---:|---:|---:|',
    `| ${counts.total} | ${c.pass} | ${c.fail} | ${c.warn} | ${c.inconclusive} | ${c.skipped} |`,
    ...(shape
      ? [
          `| plus \`${shape}\` | ${counts.shape!.verdicts.pass} | ${counts.shape!.verdicts.fail} | ` +
            `${counts.shape!.verdicts.warn} | ${counts.shape!.verdicts.inconclusive} | ${counts.shape!.verdicts.skipped} |`,
        ]
      : []),
    '',
  ];
  const expectations = expectationLines(report);
  if ((report as ReportWithExpectations).expectations) lines.push(...expectations.map((line) => `> ${line.trim()}`), '');
  const names = shortNames(matrixOperations(results));
  for (const block of blocksOf(results)) {
    lines.push(`**${block.category}**`, '');
    lines.push(`| rule | level | ${block.operations.map((op) => names.get(op) ?? op).join(' | ')} |`);
    lines.push(`|---|---|${block.operations.map(() => ':-:').join('|')}|`);
    for (const row of block.rows) {
      const cells = block.operations.map((op) => {
        const v = row.cells.get(op);
        return v ? SYMBOL[v] : NOT_APPLICABLE;
      });
      lines.push(`| \`${row.rule}\` | ${row.level} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  lines.push(`<sub>${[...names].map(([op, short]) => `${short} ${op}`).join(' · ')}</sub>`, '');
  for (const v of ['fail', 'warn'] as const) {
    const list = results.filter((r) => r.verdict === v);
    if (list.length === 0) continue;
    lines.push(`### ${v === 'fail' ? 'Failures' : 'Warnings'} (${list.length})`, '');
    for (const result of list) {
      const tag = result.expected ? ' (expected)' : '';
      lines.push(
        `<details><summary>${SYMBOL[result.verdict]} <code>${escapeHtml(result.rule)}</code> ` +
          `${escapeHtml(result.operation)}${tag}: ${escapeHtml(firstLine(result.reason))}</summary>`,
        '',
      );
      let text = detailLines(result).join('\n');
      if (text.length > MAX_DETAIL_CHARS) text = `${text.slice(0, MAX_DETAIL_CHARS)}\n... (cut; the JSON report has it all)`;
      lines.push('```text', text.replace(/```/g, '`\u200b``'), '```', '', '</details>', '');
    }
  }
  const unjudged = results.filter((r) => r.verdict === 'inconclusive' || r.verdict === 'skipped');
  if (unjudged.length > 0) {
    lines.push(`### Inconclusive and skipped (${unjudged.length})`, '', '| verdict | rule | operation | reason |', '|---|---|---|---|');
    for (const r of unjudged)
      lines.push(`| ${SYMBOL[r.verdict as Verdict]} ${r.verdict} | \`${r.rule}\` | ${r.operation} | ${cellText(r.reason)} |`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function markdownReporter(file: string): Reporter {
  return fileReporter('markdown', '--markdown', file, renderMarkdown);
}

/** $GITHUB_STEP_SUMMARY: appended, as GitHub expects of every step. */
export function stepSummaryReporter(file: string): Reporter {
  return appendReporter('step-summary', 'GITHUB_STEP_SUMMARY', file, renderMarkdown);
}
