// The console report: the matrix first (read at a glance), then every result
// that is not a pass (failures and warnings with their evidence and the
// command that replays them; inconclusive and skipped grouped by reason),
// then one summary line.
import type { Report, RuleResult, Verdict } from '../harness/types.ts';
import type { ResultExtras } from '../harness/run/results.ts';
import { scrub } from '../harness/client/redact.ts';
import { formatMs } from '../harness/run/wait.ts';
import { failOnText } from '../harness/engine/gate.ts';
import { expectationLines } from '../harness/outcomes/expectations.ts';
import { rerunLines } from '../harness/outcomes/rerun.ts';
import type { MarkedResult, ReportWithExpectations } from '../harness/outcomes/expectations.ts';
import { stepsAndEvidence } from './detail-text.ts';
import { legendLines, matrixOperations, renderMatrix } from './matrix.ts';
import type { Reporter, RunInfo } from './reporter.ts';
import { shortNames } from './short-names.ts';
import { renderTimeline } from './timeline.ts';
import { SYMBOL, coloured, plain, useColour } from './style.ts';
import type { Palette } from './style.ts';

export interface ConsoleOptions {
  colour: boolean;
  width: number;
  /** Exchanges shown per failure. */
  evidenceLimit: number;
  /** Steps shown per failure (the latest). */
  stepLimit: number;
  /** --quiet: the failures' headlines and the summary line, nothing else. */
  quiet?: boolean;
}

type Result = RuleResult & ResultExtras;

export function renderConsole(report: Report, info: RunInfo, options: ConsoleOptions): string {
  const palette = options.colour ? coloured : plain;
  const results = report.results as readonly Result[];
  if (options.quiet === true) return quietConsole(report, info, palette);
  const names = shortNames(matrixOperations(results));
  const lines: string[] = [];
  if (results.length > 0) {
    lines.push(...renderMatrix(results, { palette, width: options.width, names }));
    lines.push(...legendLines(names, options.width).map((line) => palette.dim(line)), '');
  }
  for (const verdict of ['fail', 'warn'] as const) {
    const list = results.filter((r) => r.verdict === verdict);
    if (list.length === 0) continue;
    const expected = list.filter((r) => (r as MarkedResult).expected).length;
    const split = expected > 0 ? `: ${list.length - expected} unexpected, ${expected} expected` : '';
    lines.push(palette.bold(`${verdict === 'fail' ? 'Failures' : 'Warnings'} (${list.length}${split})`), '');
    for (const result of list) lines.push(...detail(result, palette, options), '');
  }
  const grouped = groupByReason(results.filter((r) => r.verdict === 'inconclusive' || r.verdict === 'skipped'));
  if (grouped.length > 0) {
    lines.push(palette.bold(`Inconclusive and skipped (${grouped.reduce((n, g) => n + g.cells.length, 0)})`), '');
    for (const group of grouped) {
      lines.push(`${palette.verdict(group.verdict, `${SYMBOL[group.verdict]} ${group.verdict}`)}: ${group.reason}`);
      for (const cell of group.cells) lines.push(`    ${cell}`);
    }
    lines.push('');
  }
  const weather = weatherLine(report);
  if (weather !== undefined) lines.push(palette.dim(weather));
  const lists = listWeatherLine(report);
  if (lists !== undefined) lines.push(palette.dim(lists));
  const interleavings = interleavingLine(report);
  if (interleavings !== undefined) lines.push(palette.dim(interleavings));
  // --expect: which failures were expected, which are fixed (harness/outcomes/expectations.ts).
  lines.push(...expectationLines(report));
  // --rerun-failed: which cells of the earlier report are fixed, which still do not pass.
  lines.push(...rerunLines(report));
  lines.push(summaryLine(report, info, palette));
  return `${scrub(lines.join('\n'))}\n`;
}

/** --quiet: one headline per failure, then the summary line. */
function quietConsole(report: Report, info: RunInfo, palette: Palette): string {
  const failures = (report.results as readonly Result[]).filter((r) => r.verdict === 'fail');
  const rerun = rerunLines(report).slice(0, 1);
  return `${scrub([...failures.map((r) => headlineOf(r, palette)), ...rerun, summaryLine(report, info, palette)].join('\n'))}\n`;
}

/** A failure's first line: its verdict (with the mark of a known failure), rule, operation and level. */
function headlineOf(result: Result, palette: Palette): string {
  // A known failure (--expect) says so where it is shown, with the file's reason: only the others fail the run.
  const expected = (result as MarkedResult).expected;
  const mark = expected ? ` (expected: ${expected.reason})` : '';
  const badge = palette.verdict(expected ? 'warn' : result.verdict, `${SYMBOL[result.verdict]} ${result.verdict.toUpperCase()}${mark}`);
  return `${badge}  ${palette.bold(result.rule)}  ${result.operation}  (${result.level})`;
}

function detail(result: Result, palette: Palette, options: ConsoleOptions): string[] {
  const lines = [headlineOf(result, palette), `    ${result.reason}`];
  lines.push(...stepsAndEvidence(result, { ...options, bodyChars: 240 }, '    '));
  // A wire rule's history (harness/wire/proxy.ts): who sent what, what the proxy did, what each client saw.
  if (result.history && result.history.length > 0) {
    lines.push('    wire history:');
    lines.push(...renderTimeline(result.history, { limit: 60, indent: '      ' }));
  }
  if (result.replay) lines.push(`    replay: ${result.replay.command}`);
  if (result.rerun) lines.push(`    rerun:  ${result.rerun}`);
  return lines;
}

interface Group {
  verdict: Verdict;
  reason: string;
  cells: string[];
}

function groupByReason(results: readonly Result[]): Group[] {
  const groups = new Map<string, Group>();
  for (const result of results) {
    const key = `${result.verdict}\u0000${result.reason}`;
    let group = groups.get(key);
    if (!group) {
      group = { verdict: result.verdict, reason: result.reason, cells: [] };
      groups.set(key, group);
    }
    group.cells.push(`${result.rule}  ${result.operation}`);
  }
  return [...groups.values()];
}

/** How busy the target was: its transient answers, none of them a verdict (harness/client/weather.ts). */
export function weatherLine(report: Report): string | undefined {
  const t = report.transient;
  if (t === undefined) return undefined;
  const total = t.throttle + t.serverError + t.network;
  const injected = t.injected
    ? ` The wire checks' proxy also made up ${t.injected} such answer${t.injected === 1 ? '' : 's'} itself (retried too; not the target's).`
    : '';
  if (total === 0) return `Weather: no transient answers (throttles, 5xx, resets).${injected}`;
  const parts = [
    `${t.throttle} throttle${t.throttle === 1 ? '' : 's'}`,
    `${t.serverError} 5xx`,
    `${t.network} network failure${t.network === 1 ? '' : 's'}`,
  ];
  const cells = report.results.filter((r) => r.transient !== undefined).length;
  const gaveUp =
    t.exhausted > 0 ? `; ${t.exhausted} step${t.exhausted === 1 ? '' : 's'} never got past them (those cells are inconclusive)` : '';
  return (
    `Weather: ${total} transient answer${total === 1 ? '' : 's'} (${parts.join(', ')}) in ${cells} cell${cells === 1 ? '' : 's'} ` +
    `and their cleanups, ${t.retries} retried with the same request${gaveUp}; weather is not a verdict.${injected}`
  );
}

/** Lists that differed from what a repeated List and Get showed (docs/lists-and-evidence.md); undefined: none did. */
export function listWeatherLine(report: Report): string | undefined {
  const cells = report.results.filter((r) => (r.listWeather ?? 0) > 0);
  if (cells.length === 0) return undefined;
  const total = cells.reduce((sum, r) => sum + r.listWeather!, 0);
  return (
    `List weather: ${total} difference${total === 1 ? '' : 's'} of a List from what a repeated List and Get showed, ` +
    `in ${cells.length} cell${cells.length === 1 ? '' : 's'}; a List is evidence, not a verdict.`
  );
}

/**
 * The interleavings the wire cases needed and those their proxies' histories show (issue 19), with the cells where
 * some never happened; undefined when no cell counted any.
 */
export function interleavingLine(report: Report): string | undefined {
  const cells = report.results.filter((r) => r.interleavings !== undefined);
  if (cells.length === 0) return undefined;
  const intended = cells.reduce((sum, r) => sum + r.interleavings!.intended, 0);
  const exercised = cells.reduce((sum, r) => sum + r.interleavings!.exercised, 0);
  const short = cells.filter((r) => r.interleavings!.exercised < r.interleavings!.intended);
  const shortText = short
    .slice(0, 5)
    .map((r) => `${r.rule} on ${r.operation} (${r.interleavings!.exercised} of ${r.interleavings!.intended})`)
    .join(', ');
  return (
    `Interleavings: ${exercised} of ${intended} intended exercised in ${cells.length} cell${cells.length === 1 ? '' : 's'}` +
    (short.length === 0
      ? '.'
      : `; not all in ${short.length} cell${short.length === 1 ? '' : 's'} (inconclusive): ${shortText}` +
        `${short.length > 5 ? ', ...' : ''}.`)
  );
}

export function summaryLine(report: Report, info: RunInfo, palette: Palette = plain): string {
  const s = report.summary;
  const total = s.pass + s.fail + s.warn + s.inconclusive + s.skipped;
  const expected = report.results.filter(
    (r) => r.verdict === 'fail' && r.level === 'MUST' && (r as { expected?: unknown }).expected,
  ).length;
  const mustFailed = report.results.filter((r) => r.verdict === 'fail' && r.level === 'MUST').length - expected;
  const fixed = (report as ReportWithExpectations).expectations;
  const strictFixed = fixed?.strict && fixed.fixed > 0 ? fixed.fixed : 0;
  const unjudged = s.skipped + s.inconclusive;
  // --fail-on skipped,inconclusive: cells with those verdicts fail the run (harness/engine/gate.ts).
  const failOn = failOnText(report);
  // No MUST failed: exit 0. But a skipped or inconclusive cell is a rule not checked, and the line says so.
  const verdict = info.interrupted
    ? palette.verdict('warn', 'INTERRUPTED')
    : mustFailed > 0
      ? palette.verdict(
          'fail',
          `FAIL (${mustFailed} MUST cell${mustFailed === 1 ? '' : 's'} failed${expected > 0 ? `, ${expected} more as expected` : ''}` +
            `${expected > 0 ? `; unexpected: ${unexpectedNames(report)}` : ''})`,
        )
      : strictFixed > 0
        ? palette.verdict('fail', `FAIL (${strictFixed} expected failure${strictFixed === 1 ? '' : 's'} fixed: --strict-expectations)`)
        : failOn !== undefined
          ? palette.verdict('fail', `FAIL (no MUST cell failed; ${failOn})`)
          : expected > 0
            ? palette.verdict(
                'warn',
                `PASS (every MUST failure is expected: ${expected}, ` +
                  `--expect${unjudged > 0 ? `; ${s.skipped} skipped, ${s.inconclusive} inconclusive` : ''})`,
              )
            : unjudged > 0
              ? palette.verdict(
                  'inconclusive',
                  `PASS (no MUST cell failed; ${s.skipped} skipped, ${s.inconclusive} inconclusive: not every rule was checked)`,
                )
              : palette.verdict('pass', 'PASS (every MUST cell passed)');
  const tail =
    `${info.requests} requests in ${formatMs(info.wallMs)}; seed ${report.seed}, ${report.numRuns} ` +
    `run${report.numRuns === 1 ? '' : 's'} per property`;
  // One way of counting (the header's and the progress line's): cells are
  // rule x operation checks, run, cut short or not started; the shape rule's
  // verdicts, one per operation the cells called, are told apart.
  const cells = (report as Report & { cells?: CellCounts }).cells;
  if (cells === undefined) {
    const counts = `${s.pass} pass, ${s.fail} fail, ${s.warn} warn, ${s.inconclusive} inconclusive, ${s.skipped} skipped`;
    return `${verdict}: ${total} cell${total === 1 ? '' : 's'} (${counts}); ${tail}`;
  }
  const results = report.results as readonly Result[];
  const judged = results.filter((r) => r.category !== 'shape' && r.interrupted !== true);
  const shape = results.filter((r) => r.category === 'shape');
  const c = countVerdicts(judged);
  const counts = `${c.pass} pass, ${c.fail} fail, ${c.warn} warn, ${c.inconclusive} inconclusive, ${c.skipped} skipped`;
  const unrun =
    cells.interrupted > 0 || cells.notRun > 0 || info.interrupted ? `, ${cells.interrupted} interrupted, ${cells.notRun} not run` : '';
  const shapeText =
    shape.length === 0
      ? ''
      : `; ${shape[0]!.rule} on ${shape.length} operation${shape.length === 1 ? '' : 's'} (${nonZero(countVerdicts(shape))})`;
  return `${verdict}: ${cells.run} of ${cells.total} cell${cells.total === 1 ? '' : 's'} run (${counts})${unrun}${shapeText}; ${tail}`;
}

/** The MUST failures no expectation names, as `rule on operation`: the first three, then how many more. */
function unexpectedNames(report: Report): string {
  const names = (report.results as MarkedResult[])
    .filter((r) => r.verdict === 'fail' && r.level === 'MUST' && !r.expected)
    .map((r) => `${r.rule} on ${r.operation}`);
  return names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
}

interface CellCounts {
  total: number;
  run: number;
  interrupted: number;
  notRun: number;
}

function countVerdicts(results: readonly RuleResult[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { pass: 0, fail: 0, warn: 0, inconclusive: 0, skipped: 0 };
  for (const result of results) counts[result.verdict]++;
  return counts;
}

function nonZero(counts: Record<Verdict, number>): string {
  const parts = (Object.keys(counts) as Verdict[]).filter((v) => counts[v] > 0).map((v) => `${counts[v]} ${v}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

export function consoleReporter(
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } = process.stdout,
  quiet = false,
): Reporter {
  return {
    name: 'console',
    async write(report, info) {
      const text = renderConsole(report, info, {
        colour: useColour(stream),
        width: stream.isTTY && stream.columns ? Math.max(60, stream.columns) : 100,
        evidenceLimit: 12,
        stepLimit: 15,
        quiet,
      });
      // A console that went away (EPIPE: `| head`) ends the console's part, not the run.
      const gone = (error: Error | null | undefined): boolean =>
        ['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END'].includes(
          (error as { code?: string } | null | undefined)?.code ?? '',
        );
      await new Promise<void>((resolve, reject) => stream.write(text, (error) => (error && !gone(error) ? reject(error) : resolve())));
    },
  };
}
