// The Markdown report: appended to $GITHUB_STEP_SUMMARY when that is set (the
// summary on a GitHub Actions run page) and to `--markdown FILE` on request.
// The verdict, the counts, the matrix one table per category, then every
// failure and warning folded in <details> with its steps, evidence and
// commands; skipped and inconclusive cells with their reasons.
import type { Report, Verdict } from '../harness/types.ts';
import { expectationLines } from '../harness/outcomes/expectations.ts';
import { rerunLines } from '../harness/outcomes/rerun.ts';
import type { ReportWithExpectations } from '../harness/outcomes/expectations.ts';
import { strictExitCode } from '../harness/engine/gate.ts';
import { cellCounts, shapeText } from './counts.ts';
import { detailLines } from './detail-text.ts';
import type { DetailResult } from './detail-text.ts';
import { appendReporter, fileReporter } from './file-output.ts';
import { blocksOf, matrixOperations } from './matrix.ts';
import { type ReproducerLinks, reproducerLinks } from './reproducers/links.ts';
import type { Reporter, RunInfo } from './reporter.ts';
import { shortNames } from './short-names.ts';
import { NOT_APPLICABLE, SYMBOL } from './style.ts';

/** One failure's folded details at most; longer evidence is cut (the JSON report has it all). */
const MAX_DETAIL_CHARS = 12_000;

/**
 * GitHub caps a step summary at 1 MiB (1,048,576 bytes): the whole document
 * stays within this, whatever the number of failures. What does not fit is
 * left out by size, from the last failure back, with a note saying how many
 * and where they are.
 */
export const MAX_SUMMARY_BYTES = 900 * 1024;
/** A skipped or inconclusive cell's reason in the table. */
const MAX_REASON_CHARS = 300;

const cellText = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function renderMarkdown(report: Report, info?: RunInfo, links?: ReproducerLinks): string {
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
  // --rerun-failed: which cells of the earlier report are fixed now, which still do not pass.
  const [rerunHead, ...rerunCells] = rerunLines(report);
  if (rerunHead !== undefined) lines.push(`> ${rerunHead}`, '>', ...rerunCells.map((line) => `> - ${line.trim()}`), '');
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
  const unjudged = results.filter((r) => r.verdict === 'inconclusive' || r.verdict === 'skipped');
  const tail: string[] = [];
  if (unjudged.length > 0) {
    tail.push(`### Inconclusive and skipped (${unjudged.length})`, '', '| verdict | rule | operation | reason |', '|---|---|---|---|');
    for (const r of unjudged)
      tail.push(
        `| ${SYMBOL[r.verdict as Verdict]} ${r.verdict} | \`${r.rule}\` | ${r.operation} | ${cellText(cut(r.reason, MAX_REASON_CHARS))} |`,
      );
    tail.push('');
  }
  const budget = MAX_SUMMARY_BYTES - bytes(lines) - bytes(tail);
  lines.push(...failureSections(results, budget, links), ...tail);
  return `${lines.join('\n')}\n`;
}

/** A failure (or warning) folded: its headline, then its details in a text block. */
function folded(result: DetailResult, links?: ReproducerLinks): string[] {
  const tag = result.expected ? ' (expected)' : '';
  const scripts = linkText(result, links);
  let text = detailLines(result).join('\n');
  if (text.length > MAX_DETAIL_CHARS) text = `${text.slice(0, MAX_DETAIL_CHARS)}\n... (cut; the JSON report has it all)`;
  return [
    `<details><summary>${headline(result)}${tag}: ${escapeHtml(firstLine(result.reason))}</summary>`,
    '',
    '```text',
    text.replace(/```/g, '`\u200b``'),
    '```',
    '',
    ...(scripts ? [scripts, ''] : []),
    '</details>',
    '',
  ];
}

/** A cell's reproducers (--reproducers DIR), as Markdown links. */
function linkText(result: DetailResult, links?: ReproducerLinks): string {
  const scripts = links?.(result);
  return scripts ? `Reproducers: [${scripts.node}](${scripts.node}) · [${scripts.shell}](${scripts.shell})` : '';
}

const headline = (result: DetailResult): string =>
  `${SYMBOL[result.verdict]} <code>${escapeHtml(result.rule)}</code> ${escapeHtml(result.operation)}`;

/**
 * The Failures and Warnings sections within `budget` bytes: every one folded
 * with its details while they fit; after that, one line each (headline only);
 * then, past even that, none; a note says how many were cut and where they are.
 */
function failureSections(results: readonly DetailResult[], budget: number, links?: ReproducerLinks): string[] {
  const lists = (['fail', 'warn'] as const)
    .map((v) => ({ v, list: results.filter((r) => r.verdict === v) }))
    .filter((x) => x.list.length > 0);
  const all = lists.flatMap((x) => x.list);
  // Room kept for the headings, the note and a one-line entry of every failure.
  const reserve = 1024 + all.reduce((n, r) => n + Buffer.byteLength(`- ${headline(r)}\n`) + 16, 0);
  let room = budget - reserve;
  const lines: string[] = [];
  let short = 0;
  let left = 0;
  for (const { v, list } of lists) {
    lines.push(`### ${v === 'fail' ? 'Failures' : 'Warnings'} (${list.length})`, '');
    for (const result of list) {
      const full = folded(result, links);
      const size = bytes(full);
      if (short === 0 && size <= room) {
        lines.push(...full);
        room -= size;
        continue;
      }
      short++;
      const scripts = linkText(result, links);
      const line = `- ${headline(result)}${result.expected ? ' (expected)' : ''}${scripts ? ` (${scripts})` : ''}`;
      if (bytes([line]) <= room + reserve) {
        lines.push(line);
        room -= bytes([line]);
      } else left++;
    }
    lines.push('');
  }
  if (short > 0)
    lines.push(
      `> ${short} of ${all.length} failures and warnings are shown without their details` +
        `${left > 0 ? ` (${left} not even by name)` : ''}: this summary stays under 1 MiB, GitHub's limit. ` +
        'The JSON report (--json) and the HTML report (--html) have every one with its evidence.',
      '',
    );
  return lines;
}

const bytes = (lines: readonly string[]): number => lines.reduce((n, line) => n + Buffer.byteLength(line) + 1, 0);

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function markdownReporter(file: string, reproducers?: string): Reporter {
  const links = reproducers === undefined ? undefined : reproducerLinks(reproducers, file);
  return fileReporter('markdown', '--markdown', file, (report, info) => renderMarkdown(report, info, links));
}

/** $GITHUB_STEP_SUMMARY: appended, as GitHub expects of every step. */
export function stepSummaryReporter(file: string): Reporter {
  return appendReporter('step-summary', 'GITHUB_STEP_SUMMARY', file, renderMarkdown);
}
