// The console matrix and details, and the JSON report against its schema.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { CellResult } from '../../harness/run/results.ts';
import { summarize } from '../../harness/run/results.ts';
import { registerSecret } from '../../harness/client/redact.ts';
import type { Exchange, Report } from '../../harness/types.ts';
import { interleavingLine, renderConsole } from '../../reporters/console.ts';
import { renderHtml } from '../../reporters/html.ts';
import { jsonReporter, reportJson } from '../../reporters/json.ts';
import { shortNames } from '../../reporters/short-names.ts';

const schema = JSON.parse(readFileSync(new URL('../../specs/report.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

const LEAKED = 'sEcReT/AccessKeyThatMustNeverShow0123456789';

const exchange = (status: number, body: unknown): Exchange => ({
  operation: 'CreateEnvironmentTemplateVersion',
  request: {
    headers: { 'x-amz-target': 'AwsProton20200720.CreateEnvironmentTemplateVersion', authorization: '[redacted]' },
    body: { templateName: 't1', clientToken: 'tok-1' },
  },
  response: { status, headers: status >= 300 ? { 'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/' } : {}, body },
  startedAt: 1_700_000_000_000,
  durationMs: 3.2,
});

function result(partial: Partial<CellResult> & Pick<CellResult, 'rule' | 'operation' | 'verdict'>): CellResult {
  const category = partial.rule.split('/')[0] as CellResult['category'];
  return { category, level: 'MUST', reason: 'ok', evidence: [], ...partial };
}

function sampleReport(): Report {
  const results: CellResult[] = [
    result({ rule: 'client-token/same-token-same-params', operation: 'CreateEnvironmentTemplateVersion', verdict: 'pass' }),
    result({
      rule: 'client-token/same-token-same-params',
      operation: 'CreateServiceTemplateVersion',
      verdict: 'fail',
      reason: `the retry created a second version (secret ${LEAKED})`,
      evidence: [
        exchange(200, { environmentTemplateVersion: { majorVersion: '1', minorVersion: '0' } }),
        exchange(400, { message: 'IdempotentParameterMismatch' }),
      ],
      steps: ['create version 1.0', 'retry with the same token'],
      requests: 2,
      rerun: 'npx proton-conformance --rules client-token/same-token-same-params --operations CreateServiceTemplateVersion --seed 7',
    }),
    result({
      rule: 'client-token/expiry',
      operation: 'CreateEnvironmentTemplateVersion',
      verdict: 'skipped',
      reason: "the target lacks the 'clock' capability",
    }),
    result({
      rule: 'client-token/expiry',
      operation: 'CreateServiceTemplateVersion',
      verdict: 'skipped',
      reason: "the target lacks the 'clock' capability",
    }),
    result({
      rule: 'idempotent-delete/absent-is-empty',
      operation: 'DeleteEnvironmentTemplate',
      level: 'SHOULD',
      verdict: 'warn',
      reason: 'ResourceNotFoundException instead of an empty response',
      replay: {
        seed: 7,
        path: '2:0',
        command:
          'npx proton-conformance --rules idempotent-delete/absent-is-empty --operations DeleteEnvironmentTemplate --seed 7 --path 2:0',
      },
    }),
    result({
      rule: 'async-delete/retry-in-progress',
      operation: 'DeleteService',
      verdict: 'inconclusive',
      reason: 'the deletion finished before a retry saw it',
    }),
  ];
  return {
    target: { endpoint: 'http://127.0.0.1:4566', embedded: false, region: 'us-east-1', capabilities: ['counts'] },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:05.000Z',
    seed: 7,
    numRuns: 100,
    summary: summarize(results),
    results,
  };
}

const info = { requests: 1234, wallMs: 5_000, interrupted: false };

describe('console reporter', () => {
  registerSecret(LEAKED);
  const text = renderConsole(sampleReport(), info, { colour: false, width: 100, evidenceLimit: 12, stepLimit: 15 });
  const lines = text.split('\n');

  it('prints a matrix: categories as blocks, levels, short operation names, symbols, "." where a rule does not apply', () => {
    const header = lines.find((l) => l.startsWith('client-token'));
    expect(header).toMatch(/^client-token\s+CETV\s+CSTV$/);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}MUST {4}same-token-same-params\s+✓\s+✗$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}MUST {4}expiry\s+-\s+-$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}SHOULD {2}absent-is-empty\s+!$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}MUST {4}retry-in-progress\s+\?$/));
    expect(text).toContain('✓ pass  ✗ fail  ! warn  ? inconclusive  - skipped  . does not apply');
    expect(text).toContain('CETV CreateEnvironmentTemplateVersion · CSTV CreateServiceTemplateVersion');
  });

  it('details every non-pass with evidence and commands, groups skips by reason, ends with the summary', () => {
    expect(text).toContain('Failures (1)');
    expect(text).toContain('✗ FAIL  client-token/same-token-same-params  CreateServiceTemplateVersion  (MUST)');
    expect(text).toContain('→ CreateEnvironmentTemplateVersion {"templateName":"t1","clientToken":"tok-1"}');
    expect(text).toContain('← 400 ValidationException {"message":"IdempotentParameterMismatch"}');
    expect(text).toContain('rerun:  npx proton-conformance --rules client-token/same-token-same-params');
    expect(text).toContain('Warnings (1)');
    expect(text).toContain(
      'replay: npx proton-conformance --rules idempotent-delete/absent-is-empty --operations DeleteEnvironmentTemplate --seed 7 --path 2:0',
    );
    expect(text).toContain(
      "- skipped: the target lacks the 'clock' capability\n    client-token/expiry  CreateEnvironmentTemplateVersion\n    " +
        'client-token/expiry  CreateServiceTemplateVersion',
    );
    expect(text).toContain('? inconclusive: the deletion finished before a retry saw it');
    expect(lines.filter((l) => l !== '').at(-1)).toBe(
      'FAIL (1 MUST cell failed): 6 cells (1 pass, 1 fail, 1 warn, 1 inconclusive, 2 skipped); 1234 requests in 5 s; seed 7, 100 ' +
        'runs per property',
    );
  });

  it('says when no MUST cell failed but not every rule was checked, and when every MUST cell passed', () => {
    const lastLine = (results: CellResult[]): string => {
      const report = { ...sampleReport(), results, summary: summarize(results) };
      return renderConsole(report, info, { colour: false, width: 100, evidenceLimit: 12, stepLimit: 15 }).trimEnd().split('\n').at(-1)!;
    };
    const expiry = (verdict: CellResult['verdict']): CellResult =>
      result({
        rule: 'client-token/expiry',
        operation: 'CreateEnvironmentTemplateVersion',
        verdict,
        reason: "the target lacks the 'clock' capability",
      });
    expect(lastLine([expiry('skipped'), expiry('skipped'), expiry('skipped')])).toMatch(
      new RegExp(
        /^PASS \(no MUST cell failed; 3 skipped, 0 inconclusive: not every rule was checked\)/.source +
          /: 3 cells \(0 pass, 0 fail, 0 warn, 0 inconclusive, 3 skipped\)/.source,
      ),
    );
    expect(lastLine([expiry('pass'), expiry('inconclusive')])).toMatch(
      /^PASS \(no MUST cell failed; 0 skipped, 1 inconclusive: not every rule was checked\)/,
    );
    expect(lastLine([expiry('pass'), { ...expiry('warn'), level: 'SHOULD' }])).toMatch(/^PASS \(every MUST cell passed\)/);
  });

  it('never prints a registered secret, and colours only when asked', () => {
    expect(text).not.toContain(LEAKED);
    expect(text).not.toContain('\u001b[');
    const colour = renderConsole(sampleReport(), info, { colour: true, width: 100, evidenceLimit: 12, stepLimit: 15 });
    expect(colour).toContain('\u001b[31m✗\u001b[39m');
  });

  it('makes short names unique', () => {
    expect([...shortNames(['CreateService', 'CancelService', 'CreateEnvironmentTemplateVersion']).values()]).toEqual(['CS', 'CS2', 'CETV']);
  });
});

describe('JSON reporter', () => {
  it('writes a report that validates against specs/report.schema.json, without secrets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pc-json-'));
    try {
      const file = join(dir, 'reports', 'report.json');
      await jsonReporter(file).write(sampleReport(), info);
      const text = await readFile(file, 'utf8');
      expect(text).not.toContain(LEAKED);
      const doc = JSON.parse(text) as Record<string, unknown>;
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
      expect(Object.keys(doc)).toEqual(expect.arrayContaining(['target', 'startedAt', 'finishedAt', 'summary', 'results']));
      const first = (doc['results'] as Record<string, unknown>[])[0];
      expect(Object.keys(first ?? {})).toEqual(
        expect.arrayContaining(['rule', 'category', 'level', 'operation', 'verdict', 'reason', 'evidence']),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the schema rejects what the contract forbids', () => {
    const bad = (mutate: (doc: Record<string, unknown>) => void): boolean => {
      const doc = JSON.parse(reportJson(sampleReport(), info)) as Record<string, unknown>;
      mutate(doc);
      return validate(doc);
    };
    expect(bad(() => undefined)).toBe(true);
    expect(bad((d) => delete d['summary'])).toBe(false);
    expect(bad((d) => ((d['results'] as Record<string, unknown>[])[0]!['verdict'] = 'ok'))).toBe(false);
    expect(bad((d) => ((d['results'] as Record<string, unknown>[])[0]!['reason'] = ''))).toBe(false);
    // warn belongs to SHOULD rules only
    expect(bad((d) => ((d['results'] as Record<string, unknown>[])[4]!['level'] = 'MUST'))).toBe(false);
  });

  it('carries the interleavings a cell intended and exercised; the console names cells short of them', () => {
    const cell = (mutate: (result: Record<string, unknown>) => void): boolean => {
      const doc = JSON.parse(reportJson(sampleReport(), info)) as Record<string, unknown>;
      mutate((doc['results'] as Record<string, unknown>[])[0]!);
      return validate(doc);
    };
    expect(cell((r) => (r['interleavings'] = { intended: 6, exercised: 5 }))).toBe(true);
    expect(cell((r) => (r['interleavings'] = { intended: 6 }))).toBe(false);
    expect(cell((r) => (r['interleavings'] = { intended: 6, exercised: -1 }))).toBe(false);
    expect(cell((r) => (r['interleavings'] = { intended: 6, exercised: 6, attempts: 2 }))).toBe(false);
    const report = sampleReport();
    expect(interleavingLine(report)).toBeUndefined();
    report.results[0]!.interleavings = { intended: 6, exercised: 6 };
    expect(interleavingLine(report)).toBe('Interleavings: 6 of 6 intended exercised in 1 cell.');
    report.results[1]!.interleavings = { intended: 6, exercised: 4 };
    const line = interleavingLine(report)!;
    expect(line).toContain('10 of 12 intended exercised in 2 cells; not all in 1 cell (inconclusive): ');
    expect(line).toContain(`${report.results[1]!.rule} on ${report.results[1]!.operation} (4 of 6)`);
    expect(renderConsole(report, info, { colour: false, width: 100, evidenceLimit: 12, stepLimit: 15 })).toContain(line);
    // The HTML: in the matrix cell's title, and in a cell's details (those that do not pass).
    const html = renderHtml(report, info);
    expect(html).toContain('(interleavings: 4 of 6 exercised)');
    expect(html).toContain('(interleavings: 6 of 6 exercised)');
  });
});

describe('HTML reporter', () => {
  it("says what became of a rerun's cells: fixed, and still not passing with a link to the details", () => {
    const report = sampleReport();
    expect(renderHtml(report, info)).not.toContain('class="rerun"');
    const rerun = {
      report: 'reports/<first>.json',
      cells: 3,
      fixed: [{ rule: 'client-token/same-token-same-params', operation: 'CreateEnvironmentTemplateVersion', was: 'fail' }],
      notPassing: [
        { rule: 'client-token/same-token-same-params', operation: 'CreateServiceTemplateVersion', was: 'fail', now: 'fail' },
        { rule: 'idempotent-delete/retry-succeeds', operation: 'DeleteEnvironmentTemplate', was: 'fail', now: 'not-run' },
      ],
    };
    const html = renderHtml({ ...report, rerun } as Report, info);
    const section = /<section class="rerun"[^>]*>(.*?)<\/section>/.exec(html)?.[1] ?? '';
    expect(section).toContain('Rerun of reports/&lt;first&gt;.json: 1 fixed (pass now), 2 still not passing');
    expect(section).toContain(
      '<li class="fixed">fixed <code>client-token/same-token-same-params</code> CreateEnvironmentTemplateVersion (was fail)</li>',
    );
    // A cell still failing links to its details (cell 1 of the report); one not run has none.
    expect(section).toContain(
      '<li class="still"><a href="#r-1">still fail</a> <code>client-token/same-token-same-params</code> ' +
        'CreateServiceTemplateVersion (was fail)</li>',
    );
    expect(section).toContain(
      '<li class="still">still not-run <code>idempotent-delete/retry-succeeds</code> DeleteEnvironmentTemplate (was fail)</li>',
    );
    // In the header, before the matrix.
    expect(html.indexOf('class="rerun"')).toBeLessThan(html.indexOf('id="matrix"'));
  });
});
