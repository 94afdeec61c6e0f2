// The runner's verdict mapping and bookkeeping, with fake checks against a
// fake target: every outcome and throw, levels, timeouts, skips by missing
// capability, per-cell evidence, cleanups, interruption and property replay.
import { ListEnvironmentTemplatesCommand } from '@aws-sdk/client-proton';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog, CatalogRule, Check } from '../../harness/run/catalog.ts';
import { UsageError } from '../../harness/errors.ts';
import { createPool } from '../../harness/target/http.ts';
import { runConformance } from '../../harness/run/runner.ts';
import type { RunOptions, RunTarget } from '../../harness/run/runner.ts';
import { selectCells } from '../../harness/run/select.ts';
import { InconclusiveCheck, SkipCheck } from '../../harness/types.ts';
import type { Capability, Outcome } from '../../harness/types.ts';
import * as model from '../../specs/model.ts';
import { testRule } from '../support/catalog.ts';
import { startFakeTarget } from '../support/fake-target.ts';
import type { FakeTarget } from '../support/fake-target.ts';

let fake: FakeTarget;

beforeAll(async () => {
  fake = await startFakeTarget({ proton: () => ({ status: 200, body: { templates: [] } }) });
});

afterAll(async () => {
  await fake.close();
});

const rule = testRule;

function target(overrides: Partial<RunTarget> = {}): RunTarget {
  return {
    endpoint: fake.url,
    embedded: false,
    region: 'us-east-1',
    capabilities: new Set<Capability>(),
    accounts: true,
    credentials: undefined,
    pool: createPool(),
    ...overrides,
  };
}

async function run(rules: CatalogRule[], checks: Record<string, Check<string>>, extra: Partial<RunOptions<string>> = {}) {
  const catalog: Catalog<string> = { rules, checks, operation: (name) => name };
  const runTarget = extra.target ?? target();
  const outcome = await runConformance({
    catalog,
    selection: selectCells(rules),
    target: runTarget,
    shapeModel: model,
    runId: 'testrun',
    seed: 42,
    numRuns: 7,
    concurrency: 4,
    cellTimeoutMs: 2_000,
    ...extra,
  });
  await runTarget.pool.close();
  return outcome;
}

const returns =
  (outcome: Outcome): Check<string> =>
  async () =>
    outcome;

describe('verdict mapping', () => {
  it('maps outcomes and throws by level', async () => {
    const rules = [
      rule('t/pass'),
      rule('t/fail'),
      rule('t/should-fail', { level: 'SHOULD' }),
      rule('t/must-warn'),
      rule('t/skip'),
      rule('t/inconclusive'),
      rule('t/throws'),
      rule('t/should-throws', { level: 'SHOULD' }),
      rule('t/malformed'),
    ];
    const { report } = await run(rules, {
      't/pass': returns({ verdict: 'pass', reason: 'fine' }),
      't/fail': returns({ verdict: 'fail', reason: 'broken' }),
      't/should-fail': returns({ verdict: 'fail', reason: 'soft' }),
      't/must-warn': returns({ verdict: 'warn', reason: 'meh' }),
      't/skip': async () => {
        throw new SkipCheck('no clock here');
      },
      't/inconclusive': async () => {
        throw new InconclusiveCheck('deletion was too fast');
      },
      't/throws': async (ctx) => {
        ctx.step('create the template');
        throw new TypeError('x is not a function');
      },
      't/should-throws': async () => {
        throw new RangeError('oops');
      },
      't/malformed': async () => ({ verdict: 'great', reason: 1 }) as unknown as Outcome,
    });
    const byRule = Object.fromEntries(report.results.map((r) => [r.rule, [r.verdict, r.reason]]));
    expect(byRule).toEqual({
      't/pass': ['pass', 'fine'],
      't/fail': ['fail', 'broken'],
      't/should-fail': ['warn', 'soft'],
      't/must-warn': ['fail', "meh (the check said 'warn', but the rule is a MUST)"],
      't/skip': ['skipped', 'no clock here'],
      't/inconclusive': ['inconclusive', 'deletion was too fast'],
      't/throws': ['fail', 'the check threw unexpectedly: TypeError: x is not a function (last step: create the template)'],
      't/should-throws': ['warn', 'the check threw unexpectedly: RangeError: oops'],
      't/malformed': ['fail', 'the check returned a malformed outcome: {"verdict":"great","reason":1}'],
    });
    expect(report.summary).toEqual({ pass: 1, fail: 4, warn: 2, inconclusive: 1, skipped: 1 });
  });

  it('skips a rule whose required capability the target lacks, without running it', async () => {
    let ran = false;
    const { report } = await run([rule('t/needs-clock', { requires: ['clock'] })], {
      't/needs-clock': async () => {
        ran = true;
        return { verdict: 'pass', reason: 'ran' };
      },
    });
    expect(ran).toBe(false);
    expect(report.results[0]).toMatchObject({ verdict: 'skipped', reason: expect.stringContaining("lacks the 'clock' capability") });
  });

  it('makes a cell that does not finish in time inconclusive (with the time it ran), and fails one whose check is missing', async () => {
    const { report } = await run(
      [rule('t/slow'), rule('t/missing')],
      {
        't/slow': (ctx) =>
          new Promise((resolve) => {
            ctx.step('waiting forever');
            ctx.signal.addEventListener('abort', () => resolve({ verdict: 'pass', reason: 'too late' }));
          }),
      },
      { cellTimeoutMs: 200 },
    );
    expect(report.results.map((r) => [r.rule, r.verdict, r.reason.replace(/ran \d+ ms/, 'ran N ms')])).toEqual([
      [
        't/slow',
        'inconclusive',
        'the check did not finish within 200 ms (it ran N ms; last step: waiting forever); a longer --cell-timeout may let it finish',
      ],
      ['t/missing', 'fail', 'the check threw unexpectedly: Error: no check is registered for t/missing (suites/registry.ts)'],
    ]);
  });
});

describe('cells', () => {
  it('gives each cell its own account, names, evidence and cleanups, and counts every request', async () => {
    const cleaned: string[] = [];
    const seen: Record<string, { name: string; account: string | undefined }> = {};
    const check: Check<string> = async (ctx) => {
      const name = ctx.uniqueName('tmpl');
      ctx.onCleanup(async () => {
        cleaned.push(name);
        // Counted and validated, but not evidence.
        await ctx.client.send(new ListEnvironmentTemplatesCommand({ nextToken: `cleanup-${name}` }));
      });
      await ctx.client.send(new ListEnvironmentTemplatesCommand({ nextToken: name }));
      const auth = fake.received.find((r) => r.body['nextToken'] === name)?.headers.authorization;
      seen[name] = { name, account: /Credential=(\d{12})\//.exec(String(auth))?.[1] };
      throw new Error('after the request');
    };
    const rules = [rule('t/a', { operations: ['CreateEnvironmentTemplateVersion', 'CreateServiceTemplateVersion'] }), rule('t/b')];
    const { report, requests } = await run(rules, { 't/a': check, 't/b': check });
    expect(requests).toBe(6);
    expect(report.results).toHaveLength(3);
    const names = Object.keys(seen);
    expect(new Set(names).size).toBe(3);
    for (const name of names) expect(name).toMatch(/^pctestrun-\d+-tmpl-1$/);
    expect(new Set(Object.values(seen).map((s) => s.account)).size).toBe(3);
    expect(cleaned.sort()).toEqual(names.sort());
    for (const result of report.results) {
      expect(result.evidence).toHaveLength(1);
      const token = (result.evidence[0]!.request.body as { nextToken: string }).nextToken;
      expect(seen[token]).toBeDefined();
      expect((result as { rerun?: string }).rerun).toBe(
        `proton-conformance --endpoint ${fake.url} --rules ${result.rule} --operations ${result.operation} --seed 42 --num-runs 7`,
      );
    }
  });

  it('replays a property failure with its seed and path, and keeps that evidence', async () => {
    const calls: Array<{ seed: number; path: string | undefined; numRuns: number }> = [];
    const { report } = await run([rule('t/property', { checkedBy: 'property' })], {
      't/property': async (ctx) => {
        calls.push({ seed: ctx.seed, path: ctx.path, numRuns: ctx.numRuns });
        await ctx.client.send(new ListEnvironmentTemplatesCommand({ nextToken: ctx.path ?? 'whole-run' }));
        return { verdict: 'fail', reason: 'counterexample', replay: { seed: 42, path: '3:1', command: '' } };
      },
    });
    expect(calls).toEqual([
      { seed: 42, path: undefined, numRuns: 7 },
      { seed: 42, path: '3:1', numRuns: 1 },
    ]);
    const [result] = report.results;
    expect(result?.replay).toEqual({
      seed: 42,
      path: '3:1',
      command:
        `proton-conformance --endpoint ${fake.url} --rules t/property --operations CreateEnvironmentTemplateVersion --seed 42 ` +
        '--path 3:1',
    });
    expect(result?.evidence.map((e) => (e.request.body as { nextToken: string }).nextToken)).toEqual(['3:1']);
  });

  it('gives no replay command for a case that does not fail alone: the rerun command, and why', async () => {
    const { report } = await run([rule('t/property', { checkedBy: 'property' })], {
      // Fails only after the runs before it, as a case that meets a token an earlier run bound would.
      't/property': async (ctx) =>
        ctx.path === undefined
          ? { verdict: 'fail', reason: 'counterexample', replay: { seed: 42, path: '3:1', command: '' } }
          : { verdict: 'pass', reason: 'held' },
    });
    const [result] = report.results;
    expect(result?.verdict).toBe('fail');
    expect(result?.replay).toBeUndefined();
    expect((result as { rerun?: string }).rerun).toBe(
      `proton-conformance --endpoint ${fake.url} --rules t/property --operations CreateEnvironmentTemplateVersion --seed 42 ` +
        '--num-runs 7',
    );
    expect(result?.reason).toMatch(/replaying seed 42 path 3:1 alone gave 'pass': .*no replay command is given; rerun the whole cell/);
  });

  it('on interruption stops starting cells, ends running ones inconclusive and still cleans up', async () => {
    const interrupt = new AbortController();
    let cleaned = 0;
    let started = 0;
    const check: Check<string> = (ctx) => {
      started++;
      ctx.onCleanup(async () => {
        cleaned++;
      });
      // Interrupted once both cells the concurrency allows are running, however slowly they start.
      if (started === 2) setImmediate(() => interrupt.abort());
      return new Promise(() => undefined);
    };
    const rules = [rule('t/x', { operations: ['A', 'B', 'C', 'D', 'E', 'F'] })];
    const outcome = await run(rules, { 't/x': check }, { signal: interrupt.signal, concurrency: 2 });
    expect(outcome.interrupted).toBe(true);
    expect(started).toBe(2);
    expect(cleaned).toBe(2);
    expect(outcome.report.results.map((r) => r.verdict)).toEqual(['inconclusive', 'inconclusive']);
    expect(outcome.report.results[0]?.reason).toBe('interrupted (Ctrl-C) before the check finished');
  });

  it('without per-account isolation, runs a cell that moves the clock alone', async () => {
    let running = 0;
    let overlapDuringClock = false;
    const plain: Check<string> = async () => {
      running++;
      await new Promise((r) => setTimeout(r, 30));
      running--;
      return { verdict: 'pass', reason: 'ok' };
    };
    const clocky: Check<string> = async () => {
      running++;
      if (running > 1) overlapDuringClock = true;
      await new Promise((r) => setTimeout(r, 30));
      if (running > 1) overlapDuringClock = true;
      running--;
      return { verdict: 'pass', reason: 'ok' };
    };
    const rules = [rule('t/plain', { operations: ['A', 'B', 'C'] }), rule('t/clock', { operations: ['A', 'B'], prefers: ['clock'] })];
    const outcome = await run(
      rules,
      { 't/plain': plain, 't/clock': clocky },
      {
        target: target({
          accounts: false,
          capabilities: new Set<Capability>(['clock']),
          credentials: async () => ({ accessKeyId: 'AKID', secretAccessKey: 'secret-secret' }),
        }),
      },
    );
    expect(outcome.report.summary.pass).toBe(5);
    expect(overlapDuringClock).toBe(false);
  });
});

describe('selection', () => {
  const rules = [
    rule('client-token/format'),
    rule('client-token/expiry'),
    rule('idempotent-create/unmodified-retry', { category: 'idempotent-create', operations: ['CreateEnvironment'] }),
    rule('shape/responses-match-model', {
      category: 'shape',
      checkedBy: 'harness',
      operations: ['CreateEnvironment', 'CreateEnvironmentTemplateVersion'],
    }),
  ];

  it('matches globs and substrings, and exercises every rule for the shape rule alone', () => {
    expect(selectCells(rules, { rules: 'client-token/*' }).cells.map((c) => c.rule.id)).toEqual([
      'client-token/format',
      'client-token/expiry',
    ]);
    expect(selectCells(rules, { rules: 'expiry,unmodified' }).cells.map((c) => c.rule.id)).toEqual([
      'client-token/expiry',
      'idempotent-create/unmodified-retry',
    ]);
    expect(selectCells(rules, { operations: 'createenvironment' }).cells.map((c) => c.operation)).toEqual(['CreateEnvironment']);
    const shapeOnly = selectCells(rules, { rules: 'shape/*' });
    expect(shapeOnly.exerciseOnly).toBe(true);
    expect(shapeOnly.cells).toHaveLength(3);
  });

  it('rejects a pattern or an operation that selects nothing', () => {
    expect(() => selectCells(rules, { rules: 'nope/*' })).toThrow(UsageError);
    expect(() => selectCells(rules, { rules: 'nope/*' })).toThrow("--rules: 'nope/*' matches no rule");
    expect(() => selectCells(rules, { operations: 'GetEnvironment' })).toThrow("--operations: unknown operation 'GetEnvironment'");
    expect(() => selectCells(rules, { rules: 'client-token/*', operations: 'CreateEnvironment' })).toThrow(
      /no rule selected by --rules applies/,
    );
  });
});
