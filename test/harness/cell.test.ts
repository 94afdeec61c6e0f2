// The pieces of a cell's context: names, waitFor on a virtual or real clock,
// per-cell accounts, and the account hooks act on when cells share one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCell } from '../../harness/run/cell.ts';
import type { RunEnvironment } from '../../harness/run/cell.ts';
import { cellAccountId } from '../../harness/target/credentials.ts';
import { createPool } from '../../harness/target/http.ts';
import { CellLock } from '../../harness/run/lock.ts';
import type { Capability } from '../../harness/types.ts';
import { startFakeTarget } from '../support/fake-target.ts';
import { RESOURCE_NAME, makeUniqueName, newRunId } from '../../harness/safety/names.ts';
import { WaitTimeout, waitFor } from '../../harness/run/wait.ts';

describe('uniqueName', () => {
  it('is a valid ResourceName of at most 100 characters with the run id inside, whatever the hint', () => {
    const runId = newRunId();
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.nat(99_999), fc.nat(1_000_000), (hint, cell, counter) => {
        const name = makeUniqueName(runId, cell, counter, hint);
        expect(name).toMatch(RESOURCE_NAME);
        expect(name.length).toBeLessThanOrEqual(100);
        expect(name.startsWith(`pc${runId}-${cell}-`)).toBe(true);
      }),
    );
  });

  it('differs between cells and calls', () => {
    expect(new Set([makeUniqueName('r', 1, 1, 'x'), makeUniqueName('r', 1, 2, 'x'), makeUniqueName('r', 2, 1, 'x')]).size).toBe(3);
  });
});

describe('accounts', () => {
  it('gives every cell of a run its own 12-digit account', () => {
    const ids = Array.from({ length: 500 }, (_, i) => cellAccountId('run1', i));
    expect(new Set(ids).size).toBe(500);
    for (const id of ids) expect(id).toMatch(/^\d{12}$/);
    expect(cellAccountId('run1', 7)).toBe(cellAccountId('run1', 7));
  });
});

describe('a cell on a target without per-account isolation', () => {
  it("names the signing key's account in its hook calls, and runs alone only once exclusive", async () => {
    const accounts: unknown[] = [];
    const fake = await startFakeTarget({
      proton: () => ({ status: 200, body: {} }),
      hooks: (_method, _path, _body, headers) => {
        accounts.push(headers['x-conformance-account']);
        return { status: 200, body: { counts: { environments: 0 } } };
      },
    });
    const pool = createPool();
    const lock = new CellLock();
    const env = (accounts: boolean): RunEnvironment => ({
      endpoint: fake.url,
      region: 'us-east-1',
      capabilities: new Set<Capability>(['counts', 'clock']),
      accounts,
      // The standard chain, as a provider: the key id is learnt at the first hook call.
      credentials: async () => ({ accessKeyId: 'AKIACHAINKEY', secretAccessKey: 'secret' }),
      pool,
      runId: 'testrun',
      seed: 1,
      numRuns: 1,
      path: undefined,
      sinks: [],
      countRequest: () => undefined,
      lock: accounts ? undefined : lock,
    });
    try {
      const shared = createCell(env(false), { index: 0, rule: 'r/x', operation: 'Op' });
      await shared.hold.enter();
      expect(shared.context.runsAlone()).toBe(false);
      await shared.context.hooks!.counts();
      await shared.hold.upgrade();
      expect(shared.context.runsAlone()).toBe(true);
      shared.hold.leave();
      const own = createCell(env(true), { index: 1, rule: 'r/x', operation: 'Op' });
      expect(own.context.runsAlone()).toBe(true);
      await own.context.hooks!.counts();
      expect(accounts).toEqual(['AKIACHAINKEY', cellAccountId('testrun', 1)]);
    } finally {
      await pool.close();
      await fake.close();
    }
  });
});

describe('waitFor', () => {
  it('with a clock, advances virtual time between probes instead of waiting', async () => {
    let now = 0;
    const advanced: number[] = [];
    const clock = {
      advance: async (ms: number) => {
        advanced.push(ms);
        now += ms;
        return now;
      },
    };
    const steps: string[] = [];
    const started = performance.now();
    const value = await waitFor(
      { clock, signal: new AbortController().signal, step: (s) => steps.push(s) },
      'done after 10 s',
      async () => now,
      (t) => t >= 10_000,
    );
    expect(value).toBeGreaterThanOrEqual(10_000);
    expect(advanced).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(steps).toEqual(['waited for done after 10 s: 5 probes, 15 s virtual']);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('with a clock, keeps a fixed interval when given and gives up at the timeout', async () => {
    const advanced: number[] = [];
    const clock = {
      advance: async (ms: number) => {
        advanced.push(ms);
        return 0;
      },
    };
    const wait = waitFor(
      { clock, signal: new AbortController().signal },
      'never',
      async () => 'still',
      () => false,
      { intervalMs: 300, timeoutMs: 1_000 },
    );
    await expect(wait).rejects.toThrow(WaitTimeout);
    await expect(wait).rejects.toThrow('timed out waiting for never after 1 s of virtual time (last probe: "still")');
    expect(advanced).toEqual([300, 300, 300, 100]);
  });

  it('without a clock, polls in real time and stops when the cell is aborted', async () => {
    const controller = new AbortController();
    let probes = 0;
    setTimeout(() => controller.abort(new Error('cell timeout')), 120);
    await expect(
      waitFor(
        { clock: undefined, signal: controller.signal },
        'never',
        async () => ++probes,
        () => false,
      ),
    ).rejects.toThrow('cell timeout');
    expect(probes).toBeGreaterThanOrEqual(1);
    expect(probes).toBeLessThanOrEqual(3);
  });
});
