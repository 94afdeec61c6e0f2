// Past one machine: `--shard i/n` splits the cells deterministically and
// `merge` joins the shards' JSON reports into one report and one verdict.
// Three shards merged give the same verdicts as one unsharded run with the
// same seed, against an emulator with a fault (so that verdicts differ
// between cells) and with the harness-checked shape rule, which every shard
// judges on its own responses.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { readFileSync } from 'node:fs';
import { RULES } from '../../specs/rules.ts';
import { selectCells } from '../../harness/run/select.ts';
import { assignShards, parseShard, shardSelection } from '../../harness/run/shard.ts';
import type { Report } from '../../harness/types.ts';
import type { CatalogRule } from '../../harness/run/catalog.ts';
import { ROOT, faultyEmulator, run, said } from './support.ts';
import type { Run } from './support.ts';

// Not client-token/expiry: its retry must land within a second of the 8-hour
// mark, and on a loaded machine (four runs at once here) it is inconclusive
// at times ("the requests took too long"), sharded or not.
const RULES_SELECTED = [
  'client-token/same-token-same-params',
  'client-token/same-token-different-params',
  'client-token/format',
  'client-token/sdk-default',
  'client-token/concurrent-retries',
  'client-token/retry-after-delete',
  'idempotent-delete/*',
  'shape/*',
].join(',');
const SELECTION = ['--rules', RULES_SELECTED, '--num-runs', '3', '--seed', '20261130'];

const verdicts = (report: Report): Record<string, string> =>
  Object.fromEntries(report.results.map((r) => [`${r.rule} ${r.operation}`, r.verdict]));

describe('--shard i/n and merge', () => {
  let dir: string;
  // One emulator for the unsharded run, one for the shards (merge refuses
  // shards of different targets), which run one after the other: the clock
  // hook moves one clock for every account of an emulator.
  let emulators: { url: string; close(): Promise<void> }[] = [];
  const file = (name: string): string => join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pc-shards-'));
    emulators = await Promise.all([0, 1].map(() => faultyEmulator(['token-retry-new-identity'])));
  });
  afterAll(async () => {
    await Promise.all(emulators.map((emulator) => emulator.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('splits the cells into disjoint parts that cover the selection, the same parts every time', () => {
    const selection = selectCells(RULES as unknown as CatalogRule[]);
    const once = assignShards(selection.cells, 3);
    const again = assignShards([...selection.cells].reverse(), 3);
    for (const plan of selection.cells) expect(again.get(plan)).toBe(once.get(plan));
    const parts = [1, 2, 3].map((index) => shardSelection(selection, { index, count: 3 }).selection.cells);
    expect(parts.flat()).toHaveLength(selection.cells.length);
    expect(new Set(parts.flat()).size).toBe(selection.cells.length);
    // Balanced: the long property cells and the scenario cells dealt out separately.
    for (const part of parts) expect(Math.abs(part.length - selection.cells.length / 3)).toBeLessThanOrEqual(2);
    expect(() => parseShard('4/3')).toThrow(/shard 4 of 3 does not exist/);
    expect(() => parseShard('a/3')).toThrow(/is not i\/n/);
  });

  it('three shards merged give the same verdicts as one unsharded run with the same seed', async () => {
    const endpoint = (i: number): string[] => ['--endpoint', emulators[i]!.url];
    const inTurn = async (): Promise<Run[]> => {
      const done: Run[] = [];
      for (const i of [1, 2, 3])
        done.push(await run([...endpoint(1), ...SELECTION, '--shard', `${i}/3`, '--json', file(`shard-${i}.json`)]));
      return done;
    };
    const [whole, shards] = await Promise.all([run([...endpoint(0), ...SELECTION, '--json', file('whole.json')]), inTurn()]);
    expect(whole!.code, said(whole!)).toBe(1);
    for (const [i, shard] of shards.entries()) {
      expect([0, 1], said(shard)).toContain(shard.code);
      expect(shard.stdout).toMatch(new RegExp(`^shard ${i + 1}/3: \\d+ of the \\d+ cells selected`, 'm'));
    }
    const merged = await run([
      'merge',
      file('shard-1.json'),
      file('shard-2.json'),
      file('shard-3.json'),
      '--json',
      file('merged.json'),
      '--junit',
      file('merged.xml'),
      '--html',
      file('merged.html'),
    ]);
    expect(merged.code, said(merged)).toBe(1);
    expect(merged.stdout).toMatch(/^FAIL \(\d+ MUST cells? failed\)/m);
    const wholeReport = JSON.parse(await readFile(file('whole.json'), 'utf8')) as Report;
    const mergedReport = JSON.parse(await readFile(file('merged.json'), 'utf8')) as Report & { shards: unknown[] };
    expect(verdicts(mergedReport)).toEqual(verdicts(wholeReport));
    // The same order as the unsharded run, and the same counts.
    expect(mergedReport.results.map((r) => `${r.rule} ${r.operation}`)).toEqual(wholeReport.results.map((r) => `${r.rule} ${r.operation}`));
    expect(mergedReport.summary).toEqual(wholeReport.summary);
    expect(mergedReport.summary.fail).toBeGreaterThan(0);
    expect(mergedReport.summary.pass).toBeGreaterThan(0);
    expect(mergedReport.shards).toHaveLength(3);
    const xsd = readFileSync(join(ROOT, 'specs/junit-10.xsd'), 'utf8');
    const xml = await readFile(file('merged.xml'), 'utf8');
    const validation = await validateXML({
      xml: [{ fileName: 'merged.xml', contents: xml }],
      schema: [{ fileName: 'junit-10.xsd', contents: xsd }],
    });
    expect(validation.errors).toEqual([]);
    expect(await readFile(file('merged.html'), 'utf8')).toContain('<span class="overall o-FAIL">FAIL</span>');

    // A shard missing, or given twice: a usage error that says which.
    const missing = await run(['merge', file('shard-1.json'), file('shard-3.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('proton-conformance: merge: shard 2/3 missing');
    const twice = await run(['merge', file('shard-1.json'), file('shard-1.json'), file('shard-2.json')]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/are both shard 1\/3/);
  });
});
