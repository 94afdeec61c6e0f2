// The checks on targets that offer less than the reference emulator's hooks:
// the same emulator, shown to the runner with fewer capabilities. What cannot
// be observed ends `inconclusive`, never `pass`; what can still fails when the
// target breaks the rule; cells that share one account do not read each
// other's doings; and on a target without reset nothing is left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { resolveTarget } from '../../harness/target/target.ts';
import type { Target } from '../../harness/target/target.ts';
import type { Capability } from '../../harness/types.ts';
import { runCells, summary } from './run-cells.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const started: Array<{ emulator: RunningEmulator; target: Target }> = [];

/** An emulator of its own (faults, start durations), shown with `capabilities` and, without `accounts`, one shared signing key. */
async function targetWith(options: {
  capabilities: Capability[];
  accounts?: boolean;
  faults?: string[];
  durations?: Record<string, number>;
}): Promise<Target> {
  const emulator = await startEmulator({ faults: options.faults ?? [], durations: options.durations ?? {} });
  const resolved = await resolveTarget({ endpoint: emulator.url, env: {} });
  started.push({ emulator, target: resolved });
  const accounts = options.accounts ?? true;
  return {
    ...resolved,
    capabilities: new Set(options.capabilities),
    accounts,
    credentials: accounts ? undefined : async () => ({ accessKeyId: SHARED_KEY, secretAccessKey: 'not-a-secret-shared-key' }),
  };
}

const SHARED_KEY = 'AKIASHAREDACCOUNT01';
/** Transitions the suite cannot shorten without the durations hook: made instant (or short) at the emulator's start instead. */
const QUICK = {
  templateVersionRegistration: 0,
  environmentDeployment: 0,
  serviceCreation: 0,
  serviceUpdate: 0,
  environmentDeletion: 0,
  serviceDeletion: 0,
};

afterAll(async () => {
  for (const { emulator, target } of started) {
    await target.close();
    await emulator.close();
  }
});

describe('async-delete/retry-in-progress, restarts and prolongations', () => {
  it(
    'without the clock, is judged in real time: a pass on the conforming emulator, ' + 'a fail where retries restart the deletion',
    async () => {
      const capabilities: Capability[] = ['durations', 'reset', 'counts'];
      const conforming = await runCells(await targetWith({ capabilities }), { rules: 'async-delete/retry-in-progress' });
      expect(
        conforming.map((r) => r.verdict),
        summary(conforming),
      ).toEqual(['pass', 'pass']);
      for (const result of conforming) expect(result.reason).toContain('ms real after the original delete');
      const restarts = await runCells(await targetWith({ capabilities, faults: ['async-retry-restarts'] }), {
        rules: 'async-delete/retry-in-progress',
      });
      expect(
        restarts.map((r) => r.verdict),
        summary(restarts),
      ).toEqual(['fail', 'fail']);
      for (const result of restarts) expect(result.reason).toContain('restarted or prolonged');
    },
  );

  it(
    'without the durations hook, is judged against a control deletion: a pass when conforming, a fail where retries restart it or ' +
      'answer empty',
    async () => {
      const durations = { ...QUICK, environmentDeletion: 1_500, serviceDeletion: 1_500 };
      const target = await targetWith({ capabilities: ['reset', 'counts'], durations });
      const results = await runCells(target, { rules: 'async-delete/retry-in-progress' });
      expect(
        results.map((r) => r.verdict),
        summary(results),
      ).toEqual(['pass', 'pass']);
      for (const result of results)
        expect(result.reason).toMatch(
          /returned the resource in that status.*no later than that of a control deleted after it without retries/,
        );
      const restarts = await runCells(
        await targetWith({ capabilities: ['reset', 'counts'], faults: ['async-retry-restarts'], durations }),
        {
          rules: 'async-delete/retry-in-progress',
        },
      );
      expect(
        restarts.map((r) => r.verdict),
        summary(restarts),
      ).toEqual(['fail', 'fail']);
      for (const result of restarts) expect(result.reason).toMatch(/after that of the control .*restarted or prolonged it/);
      // What it can see at once still fails: an empty answer during the deletion.
      const empty = await runCells(await targetWith({ capabilities: ['reset', 'counts'], faults: ['async-retry-empty'], durations }), {
        rules: 'async-delete/retry-in-progress',
      });
      expect(
        empty.map((r) => r.verdict),
        summary(empty),
      ).toEqual(['fail', 'fail']);
    },
  );
});

describe('cells sharing one account (no accounts hook), without reset', () => {
  let target: Target;
  beforeAll(async () => {
    target = await targetWith({ capabilities: ['counts'], accounts: false, durations: QUICK });
  });

  it('judge each cell by its own doings (hook counts only when it runs alone), and leave nothing behind', async () => {
    const rules = [
      'client-token/same-token-same-params',
      'client-token/retry-after-delete',
      'client-token/concurrent-retries',
      'client-token/case-sensitive',
      'client-token/format',
      'idempotent-create/unmodified-retry',
      'idempotent-create/concurrent-retries',
      'idempotent-delete/no-further-action',
      'general/exact-resource-count',
    ].join(',');
    const results = await runCells(target, { rules, numRuns: 10 });
    const cells = results.filter((r) => r.rule !== 'shape/responses-match-model');
    expect(cells.length).toBeGreaterThan(40);
    expect(summary(cells.filter((r) => r.verdict !== 'pass'))).toBe('');
    expect(summary(cells.filter((r) => /cleanup failed/.test(r.reason)))).toBe('');
    // Hooks act on the account the requests were signed for: its counts, after every cleanup, are all zero.
    const response = await request(new URL('/_conformance/v1/counts', target.endpoint), {
      headers: { 'x-conformance-account': SHARED_KEY },
    });
    const { counts } = (await response.body.json()) as { counts: Record<string, number> };
    expect(
      Object.values(counts).reduce((a, b) => a + b, 0),
      JSON.stringify(counts),
    ).toBe(0);
  });

  it(
    'draw tokens of their own in every cell and every run: ' +
      'the same seed run twice against one long-lived account meets no earlier token',
    async () => {
      const run = {
        rules: 'client-token/same-token-same-params,client-token/same-token-different-params,client-token/case-sensitive',
        numRuns: 10,
        seed: 42,
      };
      for (const attempt of ['first', 'second']) {
        const results = (await runCells(target, run)).filter((r) => r.rule !== 'shape/responses-match-model');
        expect(results.length, attempt).toBe(9);
        expect(summary(results.filter((r) => r.verdict !== 'pass')), attempt).toBe('');
      }
    },
  );
});
