// The report files' run-wide bound on the details of the results that do not
// pass (reporters/evidence-bound.ts). A loaded machine once made the main job
// write a 3.2 MB report with no failing cell: cells that ran out of time ended
// inconclusive, each with up to 512 KB of exchanges. Here a run of 16 cells
// that send large requests and end inconclusive, and 4 that fail after them,
// writes a JSON report under 1 MB: the failures keep their cases whole, the
// cells beyond the bound a summary that says what it left out and how to get it.
import { CreateEnvironmentTemplateCommand } from '@aws-sdk/client-proton';
import { Ajv } from 'ajv';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runEngine } from '../../harness/engine/engine.ts';
import type { RunRequest } from '../../harness/engine/engine.ts';
import type { Catalog } from '../../harness/run/catalog.ts';
import type { CellResult } from '../../harness/run/results.ts';
import { InconclusiveCheck } from '../../harness/types.ts';
import { renderConsole } from '../../reporters/console.ts';
import { renderHtml } from '../../reporters/html.ts';
import { RUN_EVIDENCE_BYTES, boundRunEvidence, detailBytes } from '../../reporters/evidence-bound.ts';
import { reportJson } from '../../reporters/json.ts';
import { renderJUnit } from '../../reporters/junit.ts';
import { testRule } from '../support/catalog.ts';

const OPERATIONS = ['CreateEnvironmentTemplate', 'CreateServiceTemplate', 'DeleteEnvironmentTemplate', 'DeleteServiceTemplate'];
const REQUEST: RunRequest = { env: {}, allowRealAccount: false, numRuns: 1, numRunsGiven: true, seed: 8, strictExpectations: false };
const INFO = { requests: 1, wallMs: 1, interrupted: false };
const MB = 1_000_000;

/** Sends `count` creates of templates with the longest description the model allows (about 2.5 KB per exchange in the report). */
const sending =
  (count: number, verdict: 'fail' | 'inconclusive'): Catalog<object>['checks'][string] =>
  async (ctx) => {
    const client = ctx.client;
    for (let i = 0; i < count; i++) {
      ctx.step(`create template ${i}`);
      await client.send(new CreateEnvironmentTemplateCommand({ name: ctx.uniqueName(`t${i}`), description: 'd'.repeat(500) }));
    }
    if (verdict === 'inconclusive') throw new InconclusiveCheck('a test check whose precondition could not be observed');
    return { verdict: 'fail', reason: 'a test check that fails' };
  };

const RULES = ['client-token/test-a', 'client-token/test-b', 'client-token/test-c', 'client-token/test-d'];
const catalog: Catalog<object> = {
  rules: [...RULES, 'client-token/test-fails'].map((id) => testRule(id, { operations: OPERATIONS })),
  checks: {
    ...Object.fromEntries(RULES.map((id) => [id, sending(60, 'inconclusive')])),
    // The failures come last in report order, and still take the bound first.
    'client-token/test-fails': sending(10, 'fail'),
  },
  operation: () => ({}),
};

describe('the run-wide evidence bound', () => {
  it('keeps the report of a run with many cells that do not pass under 1 MB, failures first', async () => {
    const { report } = await runEngine(REQUEST, { catalog: Promise.resolve(catalog) });
    const whole = report.results as CellResult[];
    expect(whole.filter((r) => r.verdict === 'inconclusive')).toHaveLength(16);
    expect(whole.filter((r) => r.verdict === 'fail')).toHaveLength(4);
    // Each cell's case alone is well under the per-cell bound; together they would be megabytes. The report in memory keeps them.
    for (const result of whole) expect(result.evidence).toHaveLength(result.verdict === 'fail' ? 10 : 60);

    const json = reportJson(report, INFO);
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MB);
    const results = (JSON.parse(json) as { results: CellResult[] }).results;
    // What the results keep of their details, beyond the last steps of those summarised, is within the bound.
    const keeps = (r: CellResult): number => detailBytes(r.evidenceOmitted ? { ...r, steps: undefined } : r);
    expect(results.reduce((sum, r) => sum + keeps(r), 0)).toBeLessThanOrEqual(RUN_EVIDENCE_BYTES);
    // The failures keep their cases whole: their exchanges, steps and all.
    for (const failure of results.filter((r) => r.verdict === 'fail')) {
      expect(failure.evidenceOmitted).toBeUndefined();
      expect(failure.evidence).toHaveLength(10);
      expect(failure.steps).toHaveLength(10);
    }
    // The first inconclusive cells keep theirs; the first beyond the bound the latest exchanges that fit, the rest a summary.
    const inconclusive = results.filter((r) => r.verdict === 'inconclusive');
    expect(inconclusive[0]!.evidence).toHaveLength(60);
    const [cut, ...summarised] = inconclusive.filter((r) => r.evidenceOmitted !== undefined);
    expect(cut!.evidence.length + cut!.evidenceOmitted!.exchanges).toBe(60);
    const cutWhole = whole.find((r) => r.rule === cut!.rule && r.operation === cut!.operation)!;
    expect(cut!.evidence.map((e) => e.startedAt)).toEqual(
      cutWhole.evidence.slice(-cut!.evidence.length).map((e) => new Date(e.startedAt).toISOString()),
    );
    expect(summarised.length).toBeGreaterThanOrEqual(8);
    for (const result of [cut!, ...summarised]) {
      expect(result.steps).toEqual(['create template 57', 'create template 58', 'create template 59']);
      expect(result.evidenceOmitted).toMatchObject({ steps: 57, boundBytes: RUN_EVIDENCE_BYTES });
      expect(result.rerun).toMatch(/--rules client-token\/test-\w --operations \w+/);
    }
    for (const result of summarised) {
      expect(result.evidence).toEqual([]);
      expect(result.evidenceOmitted).toMatchObject({ exchanges: 60 });
      expect(result.evidenceOmitted!.bytes).toBeGreaterThan(60 * 1000);
    }

    // The JSON report, as its schema has it.
    const schema = JSON.parse(await readFile(new URL('../../specs/report.schema.json', import.meta.url), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    expect(validate(JSON.parse(json)), JSON.stringify(validate.errors)).toBe(true);
    // The other report files say what was left out and how to get it; the console, of the whole report, shows it all.
    const note = /evidence: 60 exchanges, 57 earlier steps left out \(\d+ KB\): a run keeps 512 KB of evidence .* --rerun-failed/;
    const cutNote = new RegExp(`evidence: ${cut!.evidenceOmitted!.exchanges} earlier exchanges, 57 earlier steps left out`);
    // JUnit writes the details of failures and warnings (a warning passes, its details in <system-out>).
    const warnings = { ...report, results: whole.map((r) => (r.verdict === 'inconclusive' ? { ...r, verdict: 'warn' as const } : r)) };
    expect(renderJUnit(warnings, INFO)).toMatch(note);
    expect(renderJUnit(warnings, INFO)).toMatch(cutNote);
    expect(Buffer.byteLength(renderJUnit(warnings, INFO))).toBeLessThanOrEqual(MB);
    expect(renderHtml(report, INFO)).toMatch(/<p class="note omitted">60 exchanges, 57 earlier steps left out/);
    expect(Buffer.byteLength(renderHtml(report, INFO))).toBeLessThanOrEqual(MB);
    const read = { ...report, results: results.map((r) => (r.evidenceOmitted ? { ...r, verdict: 'warn' as const } : r)) };
    expect(renderConsole(read, INFO, { colour: false, width: 120, evidenceLimit: 12, stepLimit: 30 })).toMatch(note);
    expect(renderConsole(report, INFO, { colour: false, width: 120, evidenceLimit: 12, stepLimit: 30 })).not.toMatch(/left out/);
  }, 120_000);

  it('changes nothing within the bound, and never a passing result', () => {
    const exchange = (i: number) => ({ operation: 'X', request: { headers: {}, body: 'x'.repeat(1000) }, startedAt: i, durationMs: 1 });
    const result = (verdict: CellResult['verdict'], exchanges: number): CellResult => ({
      rule: 'client-token/x',
      category: 'client-token',
      level: 'MUST',
      operation: 'X',
      verdict,
      reason: 'r',
      evidence: Array.from({ length: exchanges }, (_, i) => exchange(i)),
    });
    const results = [result('inconclusive', 5), result('pass', 50), result('fail', 5)];
    expect(boundRunEvidence(results, 100_000)).toEqual(results);
    // Room for one: the failure, though it comes last.
    const bounded = boundRunEvidence(results, detailBytes(results[2]!) + 10);
    expect(bounded[2]).toBe(results[2]);
    expect(bounded[1]).toBe(results[1]);
    expect(bounded[0]!.evidence).toEqual([]);
    expect(bounded[0]!.evidenceOmitted).toMatchObject({ exchanges: 5, steps: 0, hookCalls: 0, wireEvents: 0 });
    expect(results[0]!.evidence).toHaveLength(5);
    // Room for the failure and about two and a half exchanges more: the latest two of the inconclusive cell.
    const one = detailBytes({ ...results[0]!, evidence: [results[0]!.evidence[0]!] });
    const partly = boundRunEvidence(results, detailBytes(results[2]!) + Math.round(2.5 * one));
    expect(partly[0]!.evidence.map((e) => e.startedAt)).toEqual([3, 4]);
    expect(partly[0]!.evidenceOmitted).toMatchObject({ exchanges: 3 });
    // A report read back and bounded again (merge) keeps counting what was left out before.
    expect(boundRunEvidence([partly[0]!, results[2]!], detailBytes(results[2]!) + 10)[0]!.evidenceOmitted).toMatchObject({ exchanges: 5 });
  });
});
