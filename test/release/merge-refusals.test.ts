// Issue 20 item 6: merge joins the shards of one run only. Shards that differ
// in target, seed, selection, runs per property or suite version, and shards
// run without --seed, are refused: exit 2, one line naming the difference and
// the two files.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../cli/main.ts';
import { mergeReports } from '../../harness/outcomes/merge.ts';
import type { MergeInput } from '../../harness/outcomes/merge.ts';
import { summarize } from '../../harness/run/results.ts';
import type { Report, RuleResult } from '../../harness/types.ts';

const RULES = [{ id: 'client-token/format', operations: ['CreateEnvironmentTemplateVersion', 'CreateServiceTemplateVersion'] }];

function shard(index: number, change: (report: Record<string, unknown>) => void = () => undefined): MergeInput {
  const results: RuleResult[] = [
    {
      rule: 'client-token/format',
      category: 'client-token',
      level: 'MUST',
      operation: index === 1 ? 'CreateEnvironmentTemplateVersion' : 'CreateServiceTemplateVersion',
      verdict: 'pass',
      reason: 'ok',
      evidence: [],
    },
  ];
  const report: Record<string, unknown> = {
    tool: { name: 'proton-conformance', version: '0.1.0' },
    target: { endpoint: 'http://localhost:4566', embedded: false, region: 'us-east-1', capabilities: [] },
    startedAt: '2026-12-07T00:00:00.000Z',
    finishedAt: '2026-12-07T00:00:01.000Z',
    seed: 7,
    numRuns: 10,
    settings: { rules: 'client-token/format', operations: null, seed: 7, seedGiven: true, numRuns: 10 },
    shard: { index, count: 2, totalCells: 2, cells: 1 },
    summary: summarize(results),
    results,
  };
  change(report);
  return { source: `shard-${index}.json`, report: report as unknown as Report };
}

const refusal = (second: MergeInput): string => {
  try {
    mergeReports([shard(1), second], RULES);
  } catch (error) {
    return (error as Error).message;
  }
  return 'merged';
};

describe('merge refuses shards that do not belong together', () => {
  it('accepts the shards of one run', () => {
    expect(refusal(shard(2))).toBe('merged');
  });

  it('names the difference and the two files: target, seed, selection, runs per property, suite version', () => {
    const set = (path: string, value: unknown) => (report: Record<string, unknown>) => {
      const [head, tail] = path.split('.');
      if (tail === undefined) report[head!] = value;
      else report[head!] = { ...(report[head!] as object), [tail]: value };
    };
    const pair = 'merge: shard-2.json and shard-1.json differ in';
    expect(refusal(shard(2, set('target.endpoint', 'http://other:4566')))).toBe(
      `${pair} target (http://other:4566, region us-east-1; http://localhost:4566, region us-east-1): not shards of one run`,
    );
    expect(refusal(shard(2, set('target.region', 'eu-west-1')))).toMatch(new RegExp(`^${pair} target \\(.*region eu-west-1;`));
    expect(refusal(shard(2, set('seed', 8)))).toBe(`${pair} seed (8; 7): not shards of one run`);
    expect(refusal(shard(2, set('settings.rules', 'client-token/*')))).toBe(
      `${pair} rules (--rules) (client-token/*; client-token/format): not shards of one run`,
    );
    expect(refusal(shard(2, set('settings.operations', 'A')))).toBe(`${pair} operations (--operations) (A; all): not shards of one run`);
    expect(refusal(shard(2, set('numRuns', 100)))).toBe(`${pair} runs per property (100; 10): not shards of one run`);
    expect(refusal(shard(2, set('tool.version', '0.2.0')))).toBe(
      `${pair} suite version (proton-conformance 0.2.0; proton-conformance 0.1.0): not shards of one run`,
    );
  });

  it('refuses a shard run without --seed, or whose report does not say', () => {
    const message =
      /^merge: shard-2\.json was run without --seed \(a random seed each\): shards that belong together are run with the same --seed$/;
    expect(refusal(shard(2, (r) => Object.assign(r['settings'] as object, { seedGiven: false })))).toMatch(message);
    expect(refusal(shard(2, (r) => delete r['settings']))).toMatch(message);
  });

  describe('the CLI', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'pc-merge-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('exits 2 with the one line on stderr', async () => {
      const one = shard(1);
      const two = shard(2, (r) => Object.assign(r, { seed: 8 }));
      await writeFile(join(dir, 'shard-1.json'), JSON.stringify(one.report));
      await writeFile(join(dir, 'shard-2.json'), JSON.stringify(two.report));
      const lines: string[] = [];
      const err = vi
        .spyOn(process.stderr, 'write')
        .mockImplementation(((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stderr.write);
      let code: number;
      try {
        code = await runCli(['merge', join(dir, 'shard-1.json'), join(dir, 'shard-2.json')]);
      } finally {
        err.mockRestore();
      }
      expect(code).toBe(2);
      const [first, second] = [join(dir, 'shard-1.json'), join(dir, 'shard-2.json')];
      expect(lines.join('')).toBe(`proton-conformance: merge: ${second} and ${first} differ in seed (8; 7): not shards of one run\n`);
    });
  });
});
