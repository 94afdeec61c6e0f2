// The JUnit XML report (`--junit FILE`), read by CI servers (Jenkins, GitLab,
// GitHub test reporters). Built with xmlbuilder2, which escapes text and
// attributes and replaces characters XML cannot hold; valid against the
// Jenkins/Ant junit-10.xsd (specs/junit-10.xsd, test/harness/junit.test.ts).
//
// One testsuite per category; one testcase per cell (rule x operation), named
// "<rule> <operation>", classname "proton-conformance.<category>":
//   fail           <failure type="MUST" message=reason> steps, evidence, replay
//   warn           a passing testcase (a SHOULD violation does not fail the
//                  run) with the warning and its evidence in <system-out>
//   expected fail  <skipped message="expected failure: ..."> (--expect), the
//                  evidence in <system-out>
//   inconclusive,  <skipped message="inconclusive: reason">
//   skipped
// junit-10.xsd allows properties on a testsuite only: each carries the run's
// seed, runs per property, target and run id, and "replay <rule> <operation>"
// (or "rerun ...") with the command of every non-pass cell.
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { Category, Report } from '../harness/types.ts';
import type { ExpectedMark } from '../harness/outcomes/expectations.ts';
import { detailLines } from './detail-text.ts';
import type { DetailResult } from './detail-text.ts';
import { fileReporter } from './file-output.ts';
import { boundedReport } from './evidence-bound.ts';
import type { Reporter, RunInfo } from './reporter.ts';

type Result = DetailResult & { expected?: ExpectedMark };

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

export function renderJUnit(whole: Report, info?: RunInfo): string {
  // The run-wide evidence bound (reporters/evidence-bound.ts): a summarised cell says what it left out.
  const report = boundedReport(whole);
  const results = report.results as readonly Result[];
  const categories = new Map<Category, Result[]>();
  for (const result of results) {
    const list = categories.get(result.category) ?? [];
    list.push(result);
    categories.set(result.category, list);
  }
  const isFailure = (r: Result): boolean => r.verdict === 'fail' && !r.expected;
  const isSkipped = (r: Result): boolean =>
    r.verdict === 'skipped' || r.verdict === 'inconclusive' || (r.verdict === 'fail' && r.expected !== undefined);
  const totalMs = info?.wallMs ?? Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  const doc = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '\uFFFD' });
  const root = doc.ele('testsuites', {
    name: 'proton-conformance',
    tests: String(results.length),
    failures: String(results.filter(isFailure).length),
    errors: '0',
    time: seconds(Math.max(0, totalMs)),
  });
  const shares = suiteTimes(categories, Math.max(0, totalMs));
  for (const [category, list] of categories) {
    const suite = root.ele('testsuite', {
      name: category,
      tests: String(list.length),
      failures: String(list.filter(isFailure).length),
      errors: '0',
      skipped: String(list.filter(isSkipped).length),
      time: seconds(shares.get(category) ?? 0),
      timestamp: report.startedAt.replace(/Z$/, ''),
      hostname: hostOf(report.target.endpoint),
    });
    properties(suite, report, list);
    for (const result of list) testcase(suite, result);
  }
  return `${doc.end({ prettyPrint: true })}\n`;
}

/**
 * Each category's testsuite time: its share of the run's wall time, by its
 * cells' own times. Cells run at once, so the sum of their times is many
 * times the run's (39.5 s for a 4 s run); CI servers add the suites up, and
 * the suites now add up to the run. A run whose cells took no time shares it
 * by cell count.
 */
function suiteTimes(categories: ReadonlyMap<Category, readonly Result[]>, wallMs: number): Map<Category, number> {
  const cellTime = (list: readonly Result[]): number => list.reduce((sum, r) => sum + Math.max(0, r.durationMs ?? 0), 0);
  const lists = [...categories.entries()];
  const busy = lists.reduce((sum, [, list]) => sum + cellTime(list), 0);
  const cells = lists.reduce((sum, [, list]) => sum + list.length, 0);
  return new Map(
    lists.map(([category, list]) => [
      category,
      busy > 0 ? (wallMs * cellTime(list)) / busy : cells > 0 ? (wallMs * list.length) / cells : 0,
    ]),
  );
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

function properties(suite: XMLBuilder, report: Report, list: readonly Result[]): void {
  const props = suite.ele('properties');
  const extra = report as Report & { runId?: string; shard?: { index: number; count: number } };
  const add = (name: string, value: string): void => void props.ele('property', { name, value });
  add('seed', String(report.seed));
  add('numRuns', String(report.numRuns));
  add('target', report.target.endpoint);
  add('embedded', String(report.target.embedded));
  add('region', report.target.region);
  if (extra.runId) add('runId', extra.runId);
  if (extra.shard) add('shard', `${extra.shard.index}/${extra.shard.count}`);
  for (const result of list) {
    if (result.replay) add(`replay ${result.rule} ${result.operation}`, result.replay.command);
    if (result.rerun) add(`rerun ${result.rule} ${result.operation}`, result.rerun);
  }
}

function testcase(suite: XMLBuilder, result: Result): void {
  const test = suite.ele('testcase', {
    name: `${result.rule} ${result.operation}`,
    classname: `proton-conformance.${result.category}`,
    time: seconds(result.durationMs ?? 0),
  });
  const detail = (): string => detailLines(result).join('\n');
  switch (result.verdict) {
    case 'pass':
      return;
    case 'fail':
      if (result.expected) {
        const link = result.expected.link ? ` (${result.expected.link})` : '';
        test.ele('skipped', { message: `expected failure: ${result.expected.reason}${link}` });
        test.ele('system-out').txt(detail());
      } else {
        test.ele('failure', { type: result.level, message: result.reason }).txt(detail());
      }
      return;
    case 'warn':
      test.ele('system-out').txt(`warning (SHOULD rule violated; does not fail the run)\n${detail()}`);
      return;
    case 'inconclusive':
    case 'skipped':
      test.ele('skipped', { message: `${result.verdict}: ${result.reason}` });
      if (result.rerun) test.ele('system-out').txt(`rerun: ${result.rerun}`);
      return;
  }
}

export function junitReporter(file: string): Reporter {
  return fileReporter('junit', '--junit', file, renderJUnit);
}
