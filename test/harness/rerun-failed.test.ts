// --rerun-failed REPORT.json (issue 21, item 2): exactly the cells of the
// report that did not pass run again, with its seed; a property cell replays
// its shrunk case alone; the summary says which are fixed. The reports come
// from real runs against an emulator with a fault a property finds
// (token-uuid-case-insensitive: the case property's UUID-shaped tokens).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCli } from '../../cli/args.ts';
import { runCli } from '../../cli/main.ts';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { runEngine } from '../../harness/engine/engine.ts';
import type { EngineReport, RunRequest } from '../../harness/engine/engine.ts';
import { UsageError } from '../../harness/errors.ts';
import { reportJson } from '../../reporters/json.ts';
import { renderConsole } from '../../reporters/console.ts';
import { renderHtml } from '../../reporters/html.ts';
import { renderMarkdown } from '../../reporters/markdown.ts';
import { loadCatalog } from '../../suites/catalog.ts';
import { runConformance } from '../../library/api.ts';

const FAULT = 'token-uuid-case-insensitive';
const BASE: RunRequest = { env: {}, allowRealAccount: false, numRuns: 5, numRunsGiven: true, seed: 5, strictExpectations: false };
const INFO = { requests: 1, wallMs: 1, interrupted: false };

let faulty: RunningEmulator;
let conforming: RunningEmulator;
let dir: string;
/** The first run's report: the case property fails on its three operations, two other rules pass on them. */
let first: EngineReport;
let firstFile: string;

const run = async (request: Partial<RunRequest>): Promise<EngineReport> =>
  (await runEngine({ ...BASE, ...request }, { catalog: loadCatalog() })).report;
const key = (r: { rule: string; operation: string }): string => `${r.rule} ${r.operation}`;
const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function saved(name: string, report: EngineReport): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, reportJson(report, INFO));
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pc-rerun-'));
  faulty = await startEmulator({ port: 0, faults: [FAULT] });
  conforming = await startEmulator({ port: 0 });
  first = await run({ endpoint: faulty.url, rules: 'client-token/case-sensitive,client-token/format,client-token/retry-after-delete' });
  firstFile = await saved('first.json', first);
});

afterAll(async () => {
  await faulty?.close();
  await conforming?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('--rerun-failed', () => {
  it('runs exactly the cells that did not pass, with the report seed', async () => {
    // Three more cells that did not pass, one of each verdict: the skipped one is rerun too (it was never judged).
    const edited = structuredClone(first);
    const passing = edited.results.filter((r) => r.verdict === 'pass' && r.rule === 'client-token/format');
    expect(passing.length).toBeGreaterThanOrEqual(3);
    passing[0]!.verdict = 'fail';
    passing[1]!.verdict = 'inconclusive';
    passing[2]!.verdict = 'skipped';
    const notPassing = edited.results.filter((r) => r.verdict !== 'pass' && !r.rule.startsWith('shape/'));
    expect(notPassing.length).toBe(6);
    expect(edited.results.filter((r) => r.verdict === 'pass' && !r.rule.startsWith('shape/'))).toHaveLength(3);
    const file = await saved('edited.json', edited);

    const again = await run({ endpoint: faulty.url, rerunFailed: file, seed: undefined, numRunsGiven: false });
    expect((again as { selection?: { cells: number } }).selection?.cells).toBe(6);
    const cells = again.results.filter((r) => !r.rule.startsWith('shape/'));
    expect(cells.map(key).sort()).toEqual(notPassing.map(key).sort());
    expect(again.seed).toBe(5);
    expect(again.numRuns).toBe(5);
    const rerun = (again as { rerun?: { cells: number; fixed: unknown[]; notPassing: unknown[] } }).rerun;
    expect(rerun?.cells).toBe(6);
    // On the faulty emulator the case property still fails; the format cells pass (they never failed).
    expect(rerun?.fixed).toHaveLength(3);
    expect(rerun?.notPassing).toHaveLength(3);
    // The report's rerun field, as the schema has it (strict, as the reporters' tests compile it).
    const schema = JSON.parse(await readFile(new URL('../../specs/report.schema.json', import.meta.url), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    expect(validate(JSON.parse(reportJson(again, INFO))), JSON.stringify(validate.errors)).toBe(true);
  });

  it('replays each property cell its shrunk case alone, and says which are fixed', async () => {
    const failed = first.results.filter((r) => r.verdict === 'fail');
    expect(failed.map((r) => r.rule)).toEqual(Array(3).fill('client-token/case-sensitive'));
    for (const result of failed) expect(result.replay?.path).toBeDefined();

    const still = await run({ endpoint: faulty.url, rerunFailed: firstFile, seed: undefined });
    for (const result of failed) {
      const now = still.results.find((r) => key(r) === key(result))!;
      expect(now.verdict).toBe('fail');
      // The same shrunk case, and only it: the whole property run sent what the shrunk case sends.
      expect(now.replay?.path).toBe(result.replay?.path);
      expect((now as { runRequests?: number }).runRequests).toBe((result as { requests?: number }).requests);
    }
    const text = renderConsole(still, INFO, { colour: false, width: 120, evidenceLimit: 0, stepLimit: 0 });
    expect(text).toContain(`Rerun of ${firstFile}: 0 fixed (pass now), 3 still not passing`);
    expect(text).toContain('  still fail  client-token/case-sensitive  CreateEnvironmentTemplateVersion  (was fail)');
    // The HTML report says it too, each cell still failing linked to its details.
    expect(renderHtml(still, INFO)).toMatch(
      /<li class="still"><a href="#r-\d+">still fail<\/a> <code>client-token\/case-sensitive<\/code> CreateEnvironmentTemplateVersion/,
    );

    const fixed = await run({ endpoint: conforming.url, rerunFailed: firstFile, seed: undefined });
    expect(fixed.results.filter((r) => !r.rule.startsWith('shape/')).map((r) => r.verdict)).toEqual(['pass', 'pass', 'pass']);
    const lines = renderConsole(fixed, INFO, { colour: false, width: 120, evidenceLimit: 0, stepLimit: 0 });
    expect(lines).toContain(`Rerun of ${firstFile}: 3 fixed (pass now), 0 still not passing`);
    expect(lines).toContain('  fixed  client-token/case-sensitive  CreateServiceTemplateVersion  (was fail)');
    // The Markdown summary (a CI job's step summary) says the same.
    expect(renderMarkdown(fixed, INFO)).toContain(
      `> Rerun of ${firstFile}: 3 fixed (pass now), 0 still not passing\n>\n` +
        '> - fixed  client-token/case-sensitive  CreateEnvironmentTemplateVersion',
    );
  });

  it('refuses a missing or invalid report, one of another suite version, and one with nothing to rerun', async () => {
    const refused = async (rerunFailed: string): Promise<string> => {
      const error = await run({ endpoint: conforming.url, rerunFailed, seed: undefined }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    };
    expect(await refused(join(dir, 'nowhere.json'))).toMatch(/^--rerun-failed: cannot read .*nowhere\.json \(ENOENT\)/);
    const notJson = join(dir, 'not.json');
    await writeFile(notJson, 'not json');
    expect(await refused(notJson)).toMatch(/not JSON/);
    const notReport = join(dir, 'not-report.json');
    await writeFile(notReport, '{"results": 3}');
    expect(await refused(notReport)).toMatch(/is not a proton-conformance JSON report/);
    const older = await saved('older.json', { ...first, tool: { name: 'proton-conformance', version: '0.0.1' } } as EngineReport);
    expect(await refused(older)).toMatch(/was written by proton-conformance 0\.0\.1, this is \d+\.\d+\.\d+/);
    const clean = await saved('clean.json', { ...first, results: first.results.filter((r) => r.verdict === 'pass') });
    expect(await refused(clean)).toMatch(/every cell of .*clean\.json passed: nothing to rerun/);
    const error = await run({ endpoint: conforming.url, rerunFailed: firstFile, seed: 6 }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("--rerun-failed runs with its report's seed 5: drop --seed 6");
  });

  it('is a flag of the CLI: its JSON report carries what became of the cells', async () => {
    const out = join(dir, 'cli.json');
    const write = process.stdout.write;
    const printed: string[] = [];
    process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
      printed.push(String(chunk));
      const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      if (done) queueMicrotask(done);
      return true;
    }) as typeof process.stdout.write;
    let code: number;
    try {
      code = await runCli(['--endpoint', conforming.url, '--rerun-failed', firstFile, '--json', out]);
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(0);
    // The header says whose cells run, with whose seed, what repeats them, and how many replay a shrunk case.
    expect(printed.join('')).toMatch(
      new RegExp(
        `^seed 5 \\(the seed of ${escaped(firstFile)}; --rerun-failed ${escaped(firstFile)} repeats this run: ` +
          'its cells, seed and replay paths\\), 5 runs ',
        'm',
      ),
    );
    expect(printed.join('')).not.toContain('--seed 5 repeats this run');
    expect(printed.join('')).toContain(
      `rerun of ${firstFile}: the cells that did not pass, with its seed; 3 replay their shrunk property case alone\n`,
    );
    const report = JSON.parse(await readFile(out, 'utf8')) as { seed: number; rerun: { fixed: unknown[]; notPassing: unknown[] } };
    expect(report.seed).toBe(5);
    expect(report.rerun.fixed).toHaveLength(3);
    expect(report.rerun.notPassing).toEqual([]);
  });

  it('takes the cells from the report alone: no flag may choose others', () => {
    expect(parseCli(['--rerun-failed', 'r.json']).rerunFailed).toBe('r.json');
    for (const extra of [
      ['--rules', 'client-token/*'],
      ['--operations', 'CreateService'],
      ['--shard', '1/2'],
      ['--seed', '1', '--path', '0'],
    ]) {
      expect(() => parseCli(['--rerun-failed', 'r.json', ...extra])).toThrow(/^--rerun-failed runs the cells its report names/);
    }
  });
});

describe('the library option rerunFailed', () => {
  it('runs the same cells as the flag, and refuses options that would choose others', async () => {
    const report = await runConformance({ endpoint: conforming.url, rerunFailed: firstFile, env: {} });
    const cells = report.results.filter((r) => !r.rule.startsWith('shape/'));
    const notPassing = first.results.filter((r) => r.verdict !== 'pass' && !r.rule.startsWith('shape/'));
    expect(notPassing.length).toBeGreaterThan(0);
    expect(cells.map(key).sort()).toEqual(notPassing.map(key).sort());
    expect(report.seed).toBe(first.seed);
    expect((report as { rerun?: { fixed: unknown[] } }).rerun?.fixed).toHaveLength(notPassing.length);
    for (const extra of [{ rules: 'client-token/*' }, { operations: 'CreateService' }, { shard: '1/2' }]) {
      await expect(runConformance({ endpoint: conforming.url, rerunFailed: firstFile, env: {}, ...extra })).rejects.toThrow(
        /^rerunFailed runs the cells its report names/,
      );
    }
  });
});
