// The small things of issue 20 (item 11): `merge` says every flag it takes
// (in its --help and in the CLI's synopsis); the JUnit testsuites' times add
// up to the run's wall time, not to the sum of cells that ran at once; a path
// on the endpoint is a configuration error (exit 2), not an unreachable
// target (3); the HTML and Markdown reports count cells as the console and
// the JSON do (the cells, then the shape rule's operations apart).
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../cli/main.ts';
import { MERGE_OPTIONS } from '../../cli/merge.ts';
import { MERGE_USAGE, USAGE } from '../../cli/usage.ts';
import { UsageError } from '../../harness/errors.ts';
import { runConformance } from '../../library/api.ts';
import type { ConformanceReport } from '../../library/api.ts';
import { summaryLine } from '../../reporters/console.ts';
import { renderHtml } from '../../reporters/html.ts';
import { renderJUnit } from '../../reporters/junit.ts';
import { renderMarkdown } from '../../reporters/markdown.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

/** What runCli wrote to stdout and stderr, and its exit code. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((text) => out.push(String(text)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((text) => err.push(String(text)) > 0);
  const code = await runCli(argv);
  vi.restoreAllMocks();
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('merge --help', () => {
  it('lists every flag merge takes, and the synopsis of --help names them or sends there', async () => {
    const flags = Object.keys(MERGE_OPTIONS).map((name) => `--${name}`);
    expect(flags).toEqual(expect.arrayContaining(['--markdown', '--expect', '--strict-expectations']));
    const help = await cli(['merge', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(MERGE_USAGE);
    for (const flag of flags) expect(help.stdout, flag).toContain(flag);
    const synopsis = USAGE.split('\n').find((line) => /proton-conformance merge /.test(line))!;
    const listsAll = flags.filter((flag) => flag !== '--help').every((flag) => synopsis.includes(flag));
    expect(listsAll || synopsis.includes('(see proton-conformance merge --help)'), synopsis).toBe(true);
  });
});

describe('an endpoint with a path', () => {
  it('is a configuration error: exit 2, one line, nothing sent', async () => {
    const run = await cli(['--endpoint', 'http://127.0.0.1:9/some/path']);
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      "proton-conformance: --endpoint: 'http://127.0.0.1:9/some/path' has a path (/some/path); give the endpoint without one, " +
        'e.g. http://127.0.0.1:9 (the Proton API is served at /)',
    ]);
    await expect(runConformance({ endpoint: 'http://127.0.0.1:9/some/path', env: {} })).rejects.toBeInstanceOf(UsageError);
  });
});

describe('reports of one run', () => {
  let report: ConformanceReport;

  beforeAll(async () => {
    report = await runConformance({
      rules: 'idempotent-delete/retry-succeeds,idempotent-delete/absent-is-empty,shape/*',
      operations: 'DeleteEnvironmentTemplate,DeleteServiceTemplate',
      numRuns: 2,
      seed: 11,
      env: {},
    });
  });

  it('count the cells one way everywhere: the cells, then the shape rule on the operations they called', () => {
    const cells = report.results.filter((r) => r.category !== 'shape');
    const shape = report.results.filter((r) => r.category === 'shape');
    expect(shape.length).toBeGreaterThan(0);
    expect(cells.length).toBeGreaterThan(1);
    expect((report as { selection?: unknown }).selection).toMatchObject({ cells: cells.length });
    const console = summaryLine(report, { requests: 1, wallMs: 1, interrupted: false });
    expect(console).toContain(`${cells.length} of ${cells.length} cells run`);
    expect(console).toContain(`shape/responses-match-model on ${shape.length} operation`);
    const html = renderHtml(report);
    const counts = /<p class="counts">(.*?)<\/p>/.exec(html)?.[1] ?? '';
    expect(counts).toMatch(new RegExp(`^${cells.length} cells: `));
    expect(counts).toContain(`<code>shape/responses-match-model on ${shape.length} operation`);
    expect(html).not.toContain(`${report.results.length} cells`);
    const markdown = renderMarkdown(report);
    expect(markdown).toContain(`| ${cells.length} | ${cells.filter((r) => r.verdict === 'pass').length} |`);
    expect(markdown).toContain(`| plus \`shape/responses-match-model on ${shape.length} operation`);
  });

  it('JUnit: the testsuites add up to the run wall time, not to the sum of cells that ran at once', () => {
    // Every cell took 10 s, in a run of 4 s (they ran side by side).
    const busy = { ...report, results: report.results.map((r) => ({ ...r, durationMs: 10_000 })) };
    const xml = renderJUnit(busy, { requests: 1, wallMs: 4_000, interrupted: false });
    const suites = [...xml.matchAll(/<testsuite [^>]*time="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(suites.length).toBeGreaterThan(1);
    const sum = suites.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - 4)).toBeLessThan(0.01);
    for (const time of suites) expect(time).toBeLessThanOrEqual(4);
    expect(xml).toMatch(/<testsuites [^>]*time="4\.000"/);
  });
});
