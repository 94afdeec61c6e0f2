// The release gate (issue 9): reports CI understands, known failures and
// regressions, checked on real runs of the CLI against an emulator with a
// fault (token-retry-new-identity: client-token rules fail) and against the
// correct embedded emulator.
//   - JUnit XML valid against the Jenkins/Ant junit-10.xsd (specs/junit-10.xsd)
//   - the JSON report against specs/report.schema.json
//   - the HTML report opened in headless Chromium: the matrix visible, a
//     failure expanded and read through the DOM, a screenshot in .tmp/
//   - Markdown appended to $GITHUB_STEP_SUMMARY
//   - --expect: exit 0 with the fault's failures named, 1 without, 1 with
//     "fixed" under --strict-expectations against the correct emulator
//   - diff: worse and better, exit 1 on a regression
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { summarize } from '../../harness/run/results.ts';
import type { Report, RuleResult } from '../../harness/types.ts';
import { renderJUnit } from '../../reporters/junit.ts';
import { ROOT, faultyEmulator, run, said } from './support.ts';
import type { Run } from './support.ts';

const XSD = readFileSync(join(ROOT, 'specs/junit-10.xsd'), 'utf8');
const reportSchema = JSON.parse(readFileSync(join(ROOT, 'specs/report.schema.json'), 'utf8')) as object;
const validateReport = new Ajv({ allErrors: true, strict: false }).compile(reportSchema);

async function xsdErrors(xml: string): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: 'report.xml', contents: xml }],
    schema: [{ fileName: 'junit-10.xsd', contents: XSD }],
  });
  return result.errors.map((e) => e.rawMessage);
}

interface Visible {
  blocks: number;
  rows: number;
  details: number;
  dim: number;
}

// Clicks the report's filter checkboxes (each click fires 'change') and counts what is still rendered.
const FILTER_SCRIPT =
  `
const frame = document.getElementById('f');
frame.onload = () => {
  const d = frame.contentDocument;
  const box = (name, value) => d.querySelector('input[data-filter="' + name + '"][value="' + value + '"]');
  const shown = (selector) => Array.from(d.querySelectorAll(selector)).filter((e) => e.getClientRects().length > 0).length;
  const count = () => ({ blocks: shown('#matrix table.block'), rows: shown('#matrix tr.row'), ` +
  `details: shown('#details details.result'), dim: d.querySelectorAll('td.cell.dim').length });
  const out = { all: count() };
  box('verdict', 'fail').click(); out.noFail = count(); box('verdict', 'fail').click();
  box('category', 'shape').click(); out.noShape = count(); box('category', 'shape').click();
  box('level', 'MUST').click(); out.noMust = count();
  document.body.setAttribute('data-result', JSON.stringify(out));
};
`;

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
const SELECTION = ['--rules', 'client-token/same-token-same-params,client-token/format,shape/*', '--num-runs', '3', '--seed', '7'];

describe('the release gate: reports, known failures, diff', () => {
  let dir: string;
  let emulator: { url: string; close(): Promise<void> };
  let faulty: Run;
  let clean: Run;
  let report: Report;
  const file = (name: string): string => join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pc-gate-'));
    emulator = await faultyEmulator(['token-retry-new-identity']);
    await writeFile(file('summary.md'), '# an earlier step\n');
    // One run against the fault writes every report; one against the correct emulator, the clean JSON.
    [faulty, clean] = await Promise.all([
      run(
        [
          '--endpoint',
          emulator.url,
          ...SELECTION,
          '--json',
          file('faulty.json'),
          '--junit',
          file('faulty.xml'),
          '--html',
          file('faulty.html'),
          '--markdown',
          file('faulty.md'),
          '--write-expectations',
          file('expect.json'),
          '--summary',
        ],
        { GITHUB_STEP_SUMMARY: file('summary.md') },
      ),
      run([...SELECTION, '--json', file('clean.json')]),
    ]);
    report = JSON.parse(await readFile(file('faulty.json'), 'utf8')) as Report;
  });
  afterAll(async () => {
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the faulty run fails (exit 1), the clean one passes, and both JSON reports match specs/report.schema.json', async () => {
    expect(faulty.code, said(faulty)).toBe(1);
    expect(clean.code, said(clean)).toBe(0);
    expect(report.summary.fail).toBe(3);
    expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
    const cleanReport = JSON.parse(await readFile(file('clean.json'), 'utf8')) as unknown;
    expect(validateReport(cleanReport), JSON.stringify(validateReport.errors)).toBe(true);
  });

  it(
    'JUnit: valid against junit-10.xsd; one testcase per cell, a testsuite per category, failures with evidence, seed and replay as ' +
      'properties',
    async () => {
      const xml = await readFile(file('faulty.xml'), 'utf8');
      expect(await xsdErrors(xml)).toEqual([]);
      const cases = xml.match(/<testcase /g) ?? [];
      expect(cases).toHaveLength(report.results.length);
      expect(xml).toMatch(/<testsuite name="client-token" tests="6" failures="3" errors="0" skipped="0"/);
      expect(xml).toMatch(/<testsuite name="shape" /);
      expect(xml).toContain('<property name="seed" value="7"/>');
      expect(xml).toMatch(
        new RegExp(
          /<property name="rerun client-token\/same-token-same-params CreateEnvironmentTemplateVersion" /.source +
            /value="[^"]*--endpoint http:\/\/127\.0\.0\.1:\d+ --rules client-token\/same-token-same-params /.source +
            /--operations CreateEnvironmentTemplateVersion --seed 7/.source,
        ),
      );
      const failure = /<failure type="MUST" message="The identical retry[^"]*">([\s\S]*?)<\/failure>/.exec(xml);
      expect(failure, xml.slice(0, 3000)).not.toBeNull();
      expect(failure![1]).toContain('steps:');
      expect(failure![1]).toContain('→ CreateEnvironmentTemplateVersion');
      expect(failure![1]).toContain('← 200');
      expect(failure![1]).toMatch(
        /rerun: .*--rules client-token\/same-token-same-params --operations CreateEnvironmentTemplateVersion --seed 7/,
      );
    },
  );

  it('JUnit: skipped, inconclusive, warnings, expected failures and characters XML cannot hold stay valid', async () => {
    const base = { category: 'client-token' as const, level: 'MUST' as const, evidence: [] };
    const results: RuleResult[] = [
      {
        ...base,
        rule: 'client-token/expiry',
        operation: 'CreateServiceTemplateVersion',
        verdict: 'skipped',
        reason: "the target lacks the 'clock' capability",
      },
      {
        ...base,
        rule: 'client-token/format',
        operation: 'CreateServiceTemplateVersion',
        verdict: 'inconclusive',
        reason: 'no answer <within> "budget" & ]]> \u0001\u0007 \ud800',
      },
      {
        ...base,
        category: 'idempotent-delete',
        rule: 'idempotent-delete/absent-is-empty',
        level: 'SHOULD',
        operation: 'DeleteService',
        verdict: 'warn',
        reason: 'a warning',
      },
      {
        ...base,
        rule: 'client-token/same-token-same-params',
        operation: 'CreateService',
        verdict: 'fail',
        reason: 'known',
        expected: { reason: 'tracked', link: 'https://example.invalid/1' },
        replay: { seed: 1, path: '0:1', command: 'npx proton-conformance --seed 1 --path 0:1' },
      } as RuleResult,
    ];
    const synthetic: Report = { ...report, results, summary: summarize(results) };
    const xml = renderJUnit(synthetic);
    expect(await xsdErrors(xml)).toEqual([]);
    expect(xml).toContain(`<skipped message="skipped: the target lacks the 'clock' capability"/>`);
    expect(xml).toMatch(/<skipped message="inconclusive: no answer &lt;within&gt; &quot;budget&quot; &amp; ]]&gt; /);
    expect(xml).toContain('<skipped message="expected failure: tracked (https://example.invalid/1)"/>');
    expect(xml).toContain(
      '<property name="replay client-token/same-token-same-params CreateService" value="npx proton-conformance --seed 1 --path 0:1"/>',
    );
    expect(xml).toMatch(
      /<testcase name="idempotent-delete\/absent-is-empty DeleteService"[^>]*>\s*<system-out>warning \(SHOULD rule violated/,
    );
    expect(xml).toMatch(/failures="0"/);
  });

  it('Markdown: appended to $GITHUB_STEP_SUMMARY (--summary) and written to --markdown', async () => {
    const summary = await readFile(file('summary.md'), 'utf8');
    expect(summary.startsWith('# an earlier step\n## proton-conformance: ❌ FAIL')).toBe(true);
    expect(summary).toContain('| `client-token/same-token-same-params` | MUST | ✗ | ✗ | ✗ |');
    expect(summary).toContain('### Failures (3)');
    expect(summary).toContain('<details><summary>✗ <code>client-token/same-token-same-params</code> CreateEnvironmentTemplateVersion');
    expect(await readFile(file('faulty.md'), 'utf8')).toBe(summary.slice('# an earlier step\n'.length));
  });

  it.skipIf(!CHROMIUM)(
    'HTML: self-contained; in headless Chromium the matrix is visible, a failure expands to its steps, requests, responses and ' +
      'commands, and the filters hide what they should',
    async () => {
      const html = await readFile(file('faulty.html'), 'utf8');
      // Nothing from the network: no external script, style, font or image.
      expect(html).not.toMatch(/<(script|img|iframe)[^>]+src=/i);
      expect(html).not.toMatch(/<link\b/i);
      expect(html).not.toMatch(/@import|url\(/i);
      expect(html).toContain("default-src 'none'");
      const failing = report.results.findIndex((r) => r.verdict === 'fail');
      const id = `r-${failing}`;
      const url = `file://${file('faulty.html')}#open=${id}`;
      const flags = [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-dev-shm-usage',
        '--hide-scrollbars',
        '--virtual-time-budget=5000',
      ];
      const exec = promisify(execFile);
      const { stdout: dom } = await exec(CHROMIUM!, [...flags, '--dump-dom', url], { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
      const body = /<body([^>]*)>/.exec(dom)?.[1] ?? '';
      expect(body).toContain('data-ready="1"');
      expect(body).toContain('data-matrix-visible="true"');
      expect(body).toContain(`data-expanded="${id}"`);
      const details = new RegExp(
        `<details class="result" id="${id}"[^>]*open=""[^>]*>([\\s\\S]*?)(?=<details class="result"|</section>)`,
      ).exec(dom);
      expect(details, dom.slice(0, 2000)).not.toBeNull();
      const text = details![1]!;
      expect(text).toContain('client-token/same-token-same-params');
      expect(text).toContain('<ol class="steps">');
      expect(text).toMatch(/<details class="exchange" open="">/);
      expect(text).toContain('request-body');
      expect(text).toContain('response-body');
      expect(text).toContain('authorization: [redacted]');
      expect(text).toMatch(
        /<pre class="command rerun">[^<]*--endpoint http:\/\/127\.0\.0\.1:\d+ --rules client-token\/same-token-same-params/,
      );
      // The matrix: one coloured cell per result.
      expect(dom.match(/<td class="cell v-/g)).toHaveLength(report.results.length);
      // The filters, clicked in the page (a page that frames the report and clicks its checkboxes).
      await writeFile(
        file('filters.html'),
        '<!DOCTYPE html><html><body><iframe id="f" src="faulty.html" ' +
          `style="width:1400px;height:900px"></iframe><script>${FILTER_SCRIPT}</script></body></html>`,
      );
      const { stdout: framed } = await exec(
        CHROMIUM!,
        [...flags, '--allow-file-access-from-files', '--dump-dom', `file://${file('filters.html')}`],
        { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      );
      const seen = JSON.parse((/data-result="([^"]*)"/.exec(framed)?.[1] ?? 'null').replace(/&quot;/g, '"')) as Record<
        string,
        Visible
      > | null;
      expect(seen, framed.slice(0, 500)).not.toBeNull();
      const rows = report.results.filter((r) => r.category === 'client-token').length / 3 + 1;
      expect(seen!['all']).toEqual({ blocks: 2, rows, details: 3, dim: 0 });
      // verdict: fail unticked: failing cells dimmed, a row of failures only hidden, their details hidden.
      expect(seen!['noFail']).toEqual({ blocks: 2, rows: rows - 1, details: 0, dim: 3 });
      // category: shape unticked: its block (and so its row) hidden.
      expect(seen!['noShape']).toEqual({ blocks: 1, rows: rows - 1, details: 3, dim: 0 });
      // level: MUST unticked: every rule here is a MUST.
      expect(seen!['noMust']).toEqual({ blocks: 2, rows: 0, details: 0, dim: 0 });

      // A screenshot, kept as a CI artifact.
      await mkdir(join(ROOT, '.tmp'), { recursive: true });
      const png = join(ROOT, '.tmp', 'html-report.png');
      await rm(png, { force: true });
      await exec(CHROMIUM!, [...flags, '--window-size=1400,1600', `--screenshot=${png}`, url], { timeout: 60_000 });
      expect((await stat(png)).size).toBeGreaterThan(20_000);
    },
  );

  it("--expect: the fault's failures named exit 0; without, 1; a bad entry is named (exit 2)", async () => {
    const expectations = JSON.parse(await readFile(file('expect.json'), 'utf8')) as { expectations: { rule: string; operation: string }[] };
    expect(expectations.expectations.map((e) => `${e.rule} ${e.operation}`)).toEqual(
      report.results.filter((r) => r.verdict === 'fail').map((r) => `${r.rule} ${r.operation}`),
    );
    const accepted = await run([
      '--endpoint',
      emulator.url,
      ...SELECTION,
      '--expect',
      file('expect.json'),
      '--junit',
      file('expected.xml'),
    ]);
    expect(accepted.code, said(accepted)).toBe(0);
    expect(accepted.stdout).toContain('PASS (every MUST failure is expected: 3, --expect)');
    expect(await xsdErrors(await readFile(file('expected.xml'), 'utf8'))).toEqual([]);
    expect(faulty.code).toBe(1);

    await writeFile(
      file('bad.json'),
      JSON.stringify({
        expectations: [...expectations.expectations, { rule: 'client-token/format', operation: 'CreateService', reason: 'x' }],
      }),
    );
    const bad = await run(['--endpoint', emulator.url, ...SELECTION, '--expect', file('bad.json')]);
    expect(bad.code, said(bad)).toBe(2);
    expect(bad.stderr.trim()).toMatch(
      new RegExp(
        /^proton-conformance: --expect: .*bad\.json: entry 4 \(client-token\/format on CreateService\): /.source +
          /rule 'client-token\/format' does not apply to 'CreateService'/.source,
      ),
    );
    await writeFile(
      file('bad2.json'),
      JSON.stringify({
        expectations: [{ rule: 'client-token/format', operation: 'CreateServiceTemplateVersion', reason: '', tracking: 'x' }],
      }),
    );
    const bad2 = await run([...SELECTION, '--expect', file('bad2.json')]);
    expect(bad2.code, said(bad2)).toBe(2);
    expect(bad2.stderr.trim()).toMatch(
      new RegExp(
        /entry 1 \(client-token\/format on CreateServiceTemplateVersion\): /.source +
          /(unknown field 'tracking'|'reason' must NOT have fewer than 1 characters)/.source,
      ),
    );
  });

  it('--strict-expectations against the correct emulator: the expected failures are fixed, exit 1', async () => {
    const strict = await run([...SELECTION, '--expect', file('expect.json'), '--strict-expectations', '--json', file('strict.json')]);
    expect(strict.code, said(strict)).toBe(1);
    expect(strict.stdout).toContain('FAIL (3 expected failures fixed: --strict-expectations)');
    expect(strict.stdout).toMatch(/fixed: client-token\/same-token-same-params {2}CreateEnvironmentTemplateVersion passes now/);
    const lenient = await run([...SELECTION, '--expect', file('expect.json')]);
    expect(lenient.code, said(lenient)).toBe(0);
    const json = JSON.parse(await readFile(file('strict.json'), 'utf8')) as {
      expectations: { fixed: number; entries: { status: string }[] };
    };
    expect(json.expectations.fixed).toBe(3);
    expect(json.expectations.entries.every((e) => e.status === 'fixed')).toBe(true);
  });

  it('diff: a regression exits 1 and lists what got worse; the way back is better, exit 0', async () => {
    const worse = await run(['diff', file('clean.json'), file('faulty.json')]);
    expect(worse.code, said(worse)).toBe(1);
    expect(worse.stdout).toContain('Worse (3):');
    expect(worse.stdout).toMatch(/client-token\/same-token-same-params {2}CreateEnvironmentTemplateVersion {2}\(MUST\) {2}pass -> fail/);
    expect(worse.stdout).toMatch(/^REGRESSION \(3 cells worse or newly failing\)/m);
    const better = await run(['diff', file('faulty.json'), file('clean.json')]);
    expect(better.code, said(better)).toBe(0);
    expect(better.stdout).toContain('Better (3):');
    expect(better.stdout).toMatch(/^NO REGRESSION: 0 worse, 3 better/m);
    const notReport = await run(['diff', file('clean.json'), file('expect.json')]);
    expect(notReport.code).toBe(2);
    expect(notReport.stderr).toMatch(/^proton-conformance: diff: .*expect\.json is not a proton-conformance JSON report/);
  });
});
