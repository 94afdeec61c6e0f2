// The release gate's pure parts: the expectations file's checks and what
// they do to a report, diff's ranking, merge's joining of a harness rule.
import { describe, expect, it } from 'vitest';
import { applyExpectations, expectationsFromReport, gateExitCode, parseExpectations } from '../../harness/outcomes/expectations.ts';
import { diffReports, renderDiff } from '../../harness/outcomes/diff.ts';
import { mergeReports } from '../../harness/outcomes/merge.ts';
import { summarize } from '../../harness/run/results.ts';
import type { Report, RuleResult, Verdict } from '../../harness/types.ts';
import { renderHtml } from '../../reporters/html.ts';
import { renderMarkdown } from '../../reporters/markdown.ts';

const KNOWN = new Map([
  ['client-token/format', ['CreateEnvironmentTemplateVersion', 'CreateServiceTemplateVersion']],
  ['shape/responses-match-model', ['CreateEnvironmentTemplateVersion']],
]);

function cell(rule: string, operation: string, verdict: Verdict, reason = 'because'): RuleResult {
  const category = rule.split('/')[0] as RuleResult['category'];
  return { rule, category, level: 'MUST', operation, verdict, reason, evidence: [] };
}

function report(results: RuleResult[], extra: Record<string, unknown> = {}): Report {
  return {
    target: { endpoint: 'http://127.0.0.1:4566', embedded: false, region: 'us-east-1', capabilities: [] },
    startedAt: '2026-11-30T00:00:00.000Z',
    finishedAt: '2026-11-30T00:00:01.000Z',
    seed: 1,
    numRuns: 3,
    summary: summarize(results),
    results,
    ...extra,
  };
}

describe('expectations', () => {
  const where = '--expect: known.json';
  it('names the bad entry: unknown field, missing field, empty reason, bad link, unknown rule or operation, twice the same cell', () => {
    const entry = { rule: 'client-token/format', operation: 'CreateServiceTemplateVersion', reason: 'r' };
    const bad = (entries: unknown[]): string => {
      try {
        parseExpectations({ expectations: entries }, where, KNOWN);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(bad([entry])).toBe('accepted');
    expect(bad([entry, { ...entry, operation: 'CreateEnvironmentTemplateVersion', ticket: 1 }])).toBe(
      `${where}: entry 2 (client-token/format on CreateEnvironmentTemplateVersion): unknown field 'ticket' (format: ` +
        'specs/expectations.schema.json)',
    );
    expect(bad([{ rule: 'client-token/format', operation: 'CreateServiceTemplateVersion' }])).toMatch(
      /entry 1 \(client-token\/format on CreateServiceTemplateVersion\): missing field 'reason'/,
    );
    expect(bad([{ ...entry, reason: '' }])).toMatch(/entry 1 .*'reason' must NOT have fewer than 1 characters/);
    expect(bad([{ ...entry, link: 'not a url' }])).toMatch(/entry 1 .*'link' must match pattern/);
    expect(bad([{ ...entry, rule: 'client-token/nope' }])).toBe(
      `${where}: entry 1 (client-token/nope on CreateServiceTemplateVersion): no rule 'client-token/nope' in the contract`,
    );
    expect(bad([{ ...entry, operation: 'DeleteService' }])).toMatch(
      /entry 1 .*does not apply to 'DeleteService' \(it applies to CreateEnvironmentTemplateVersion, CreateServiceTemplateVersion\)/,
    );
    expect(bad([entry, entry])).toBe(
      `${where}: entry 2 (client-token/format on CreateServiceTemplateVersion): the same rule and operation as entry 1`,
    );
    expect(() => parseExpectations([entry], where)).toThrow(/--expect: known.json: .*must be object/);
  });

  it('accepts named failures, reports fixed and unchecked entries, and gates the exit code', () => {
    const results = [
      cell('client-token/format', 'CreateEnvironmentTemplateVersion', 'fail'),
      cell('client-token/format', 'CreateServiceTemplateVersion', 'pass'),
      cell('shape/responses-match-model', 'CreateEnvironmentTemplateVersion', 'inconclusive'),
    ];
    const entries = [
      { rule: 'client-token/format', operation: 'CreateEnvironmentTemplateVersion', reason: 'known' },
      { rule: 'client-token/format', operation: 'CreateServiceTemplateVersion', reason: 'was broken', link: 'https://t.example/1' },
      { rule: 'shape/responses-match-model', operation: 'CreateEnvironmentTemplateVersion', reason: 'r' },
    ];
    const lenient = report(structuredClone(results));
    expect(gateExitCode(lenient)).toBe(1);
    const summary = applyExpectations(lenient, entries, 'known.json', false);
    expect(summary.entries.map((e) => e.status)).toEqual(['expected', 'fixed', 'unchecked']);
    expect(summary).toMatchObject({ expected: 1, fixed: 1, unexpected: 0 });
    expect(gateExitCode(lenient)).toBe(0);
    const strict = report(structuredClone(results));
    applyExpectations(strict, entries, 'known.json', true);
    expect(gateExitCode(strict)).toBe(1);
    expect(renderMarkdown(strict)).toContain('## proton-conformance: ❌ FAIL');
    expect(renderMarkdown(lenient)).toContain('## proton-conformance: ✅ PASS');
    // Written back: the earlier entries kept but the fixed one (an inconclusive cell is not known fixed).
    expect(expectationsFromReport(lenient, entries).expectations).toEqual([entries[0], entries[2]]);
  });
});

describe('diff', () => {
  it('ranks verdicts; worse and newly failing cells are regressions, gone cells are not', () => {
    const before = report([
      cell('client-token/format', 'A', 'pass'),
      cell('client-token/format', 'B', 'fail'),
      cell('client-token/format', 'C', 'skipped'),
      cell('client-token/format', 'D', 'pass'),
    ]);
    const after = report([
      cell('client-token/format', 'A', 'inconclusive'),
      cell('client-token/format', 'B', 'warn'),
      cell('client-token/format', 'C', 'skipped'),
      cell('client-token/format', 'E', 'fail'),
      cell('client-token/format', 'F', 'pass'),
    ]);
    const diff = diffReports(before, after);
    expect(diff.worse.map((c) => c.operation)).toEqual(['A']);
    expect(diff.better.map((c) => c.operation)).toEqual(['B']);
    expect(diff.new.map((c) => c.operation)).toEqual(['E', 'F']);
    expect(diff.gone.map((c) => c.operation)).toEqual(['D']);
    expect(diff.regressions).toBe(2);
    expect(renderDiff(diff)).toMatch(/^REGRESSION \(2 cells worse or newly failing\): 1 worse, 1 better, 2 new, 1 gone, 1 unchanged$/m);
    expect(diffReports(after, after).regressions).toBe(0);
  });
});

describe('merge', () => {
  it('joins a harness rule judged by several shards: the worst verdict, the counts added', () => {
    const shard = (index: number, results: RuleResult[]): { source: string; report: Report } => ({
      source: `s${index}.json`,
      report: report(results, {
        shard: { index, count: 2, totalCells: 2, cells: 1 },
        requests: 10,
        cells: { total: 1, run: 1 },
        settings: { seedGiven: true },
      }),
    });
    const rules = [
      { id: 'client-token/format', operations: ['A', 'B'] },
      { id: 'shape/responses-match-model', operations: ['A', 'B'] },
    ];
    const passBoth = mergeReports(
      [
        shard(2, [
          cell('client-token/format', 'B', 'pass'),
          cell('shape/responses-match-model', 'A', 'pass', 'all 4 responses match the model'),
        ]),
        shard(1, [
          cell('client-token/format', 'A', 'fail'),
          cell('shape/responses-match-model', 'A', 'pass', 'all 6 responses match the model'),
        ]),
      ],
      rules,
    ) as Report & { requests: number; cells: Record<string, number> };
    expect(passBoth.results.map((r) => `${r.rule} ${r.operation} ${r.verdict}`)).toEqual([
      'client-token/format A fail',
      'client-token/format B pass',
      'shape/responses-match-model A pass',
    ]);
    expect(passBoth.results[2]!.reason).toBe('all 10 responses match the model (2 shards)');
    expect(passBoth.requests).toBe(20);
    expect(passBoth.cells).toEqual({ total: 2, run: 2 });
    const oneFails = mergeReports(
      [
        shard(1, [cell('shape/responses-match-model', 'A', 'fail', '1 of 6 responses do not match the model: x')]),
        shard(2, [cell('shape/responses-match-model', 'A', 'pass', 'all 4 responses match the model')]),
      ],
      rules,
    );
    expect(oneFails.results[0]!.verdict).toBe('fail');
    expect(oneFails.results[0]!.reason).toBe('1 of 6 responses do not match the model: x (the worst of 2 shards)');
  });
});

describe('the HTML report', () => {
  it("draws a failure's wire history: who sent what, when, what the proxy did, what each client saw", () => {
    const failed: RuleResult = {
      ...cell('wire/lost-response-retry', 'CreateEnvironmentTemplate', 'fail', 'two resources for one name'),
      history: [
        { at: 0, who: 'client 1', delivery: 1, operation: 'CreateEnvironmentTemplate', what: 'sent name=t1' },
        {
          at: 1.5,
          who: 'proxy',
          delivery: 1,
          operation: 'CreateEnvironmentTemplate',
          what: 'dropped the response after the target answered HTTP 200',
        },
        { at: 9.25, who: 'check', operation: '-', what: 'List shows <2> templates' },
      ],
    };
    const html = renderHtml(report([failed]));
    const table = /<h4>wire history<\/h4><table class="history">([\s\S]*?)<\/table>/.exec(html);
    expect(table).not.toBeNull();
    const rows = table![1]!.split('<tr').slice(2);
    expect(rows).toHaveLength(3);
    expect(rows[1]).toContain('+1.5 ms');
    expect(rows[1]).toContain('proxy');
    expect(rows[1]).toContain('#1');
    expect(rows[1]).toContain('dropped the response after the target answered HTTP 200');
    // Escaped, never markup.
    expect(rows[2]).toContain('List shows &lt;2&gt; templates');
    expect(renderHtml(report([cell('client-token/format', 'CreateEnvironmentTemplateVersion', 'fail')]))).not.toContain('wire history');
  });
});
