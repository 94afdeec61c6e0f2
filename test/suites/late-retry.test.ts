// The wire cases' retries at a client's pace (suites/lib/late-retry.ts): the
// backoff is the SDK's own, the settle time follows the measured round trips,
// and against the emulator the retries happen after the immediate ones, the
// backoff retries a backoff after the settled ones; a target that loses its
// idempotency record some time after the original finished fails.
import { DEFAULT_RETRY_DELAY_BASE, MAXIMUM_RETRY_DELAY } from '@smithy/util-retry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckContext, WireLink } from '../../harness/run/context.ts';
import type { PacedCost, RuleResult, WireEvent } from '../../harness/types.ts';
import type { Delivery } from '../../harness/wire/proxy.ts';
import { EmulatorHost } from '../../mutation/emulators.ts';
import { runSuite } from '../../mutation/run.ts';
import { LATE_RETRIES } from '../../specs/wire.ts';
import { BACKOFF_RETRY_MS, forwardAborted, lateRetries, settleMs } from '../../suites/lib/late-retry.ts';
import type { LateCase } from '../../suites/lib/late-retry.ts';
import type { CallResult } from '../../specs/commands.ts';
import { CASES } from '../../suites/scenarios/wire.ts';
import { runCells, startTarget, summary } from './run-cells.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

describe('the pace of the late retries', () => {
  it("waits the top of the SDK standard strategy's window for its second retry: 100 ms × 2", () => {
    expect(DEFAULT_RETRY_DELAY_BASE).toBe(100);
    expect(BACKOFF_RETRY_MS).toBe(Math.min(MAXIMUM_RETRY_DELAY, DEFAULT_RETRY_DELAY_BASE * 2 ** (LATE_RETRIES.backoffRetry - 1)));
    expect(BACKOFF_RETRY_MS).toBe(200);
  });

  it("settles a few of the direct reads' round trips where nothing was measured, never less than the floor", () => {
    expect(settleMs(undefined, [1, 2, 3])).toBe(Math.max(LATE_RETRIES.settleFloorMs, 2 * LATE_RETRIES.settleRoundTrips));
    expect(settleMs(undefined, [40, 50, 400])).toBe(50 * LATE_RETRIES.settleRoundTrips);
    expect(settleMs(undefined, [0])).toBe(LATE_RETRIES.settleFloorMs);
  });

  it("settles a few of the run's measured round trips where the run measured one, whatever the reads took", () => {
    expect(settleMs(120, [1, 2, 3])).toBe(120 * LATE_RETRIES.settleRoundTrips);
    expect(settleMs(0.4, [400])).toBe(LATE_RETRIES.settleFloorMs);
  });

  it('waits the settle time of the measured round trip after an aborted forward, and counts what the retries cost', async () => {
    const aborted = { n: 1, operation: 'DeleteService', body: '{}', answers: [{ error: 'aborted' }] } as unknown as Delivery;
    const tallies: PacedCost[] = [];
    const link = { deliveries: [aborted], note: () => undefined, pace: (cost: PacedCost) => tallies.push(cost) } as unknown as WireLink;
    const slept: number[] = [];
    // A slow target's run: its round trip measured at 90 ms; the case's own reads answer at once.
    const ctx = {
      roundTripMs: 90,
      step: () => undefined,
      sleep: async (ms: number) => {
        slept.push(ms);
        return ms;
      },
    } as unknown as CheckContext;
    let reads = 0;
    const sent: string[] = [];
    const late: LateCase = {
      link,
      operation: 'DeleteService',
      done: async () => ++reads > 2,
      send: async () => {
        sent.push(`sent after ${slept.length} waits`);
        return { ok: true, output: {} } as unknown as CallResult;
      },
    };
    const answers = await lateRetries(ctx, [late]);
    const settle = 90 * LATE_RETRIES.settleRoundTrips;
    expect(slept).toEqual([settle, settle, BACKOFF_RETRY_MS]);
    expect(sent).toEqual(['sent after 2 waits', 'sent after 3 waits']);
    expect(answers[0]!.map((retry) => retry.kind)).toEqual(['settled', 'backoff']);
    expect(tallies).toEqual([{ retries: 2, reads: 3, waitedMs: 2 * settle + BACKOFF_RETRY_MS, settleMs: settle }]);
  });

  it('knows a forward the proxy aborted from one the target answered', () => {
    const delivery = (answers: Delivery['answers']) =>
      ({ n: 1, operation: 'DeleteService', body: '{}', watched: true, attempt: 1, answers }) as unknown as Delivery;
    const link = (deliveries: Delivery[]) => ({ deliveries }) as unknown as WireLink;
    const answer = { status: 200 } as Delivery['answers'][number];
    expect(forwardAborted(link([delivery([answer])]), 'DeleteService')).toBe(false);
    expect(forwardAborted(link([delivery([])]), 'DeleteService')).toBe(false);
    expect(forwardAborted(link([delivery([answer]), delivery([{ error: 'aborted' }])]), 'DeleteService')).toBe(true);
    expect(forwardAborted(link([delivery([{ error: 'aborted' }])]), 'CreateService')).toBe(false);
  });
});

describe('the late retries against the emulator', () => {
  let host: EmulatorHost;

  beforeAll(async () => {
    host = await EmulatorHost.start();
  });

  afterAll(async () => {
    await host?.close();
  });

  const clientEvents = (history: readonly WireEvent[], who: (who: string) => boolean) =>
    history.filter((event) => who(event.who) && /^sent attempt/.test(event.what)).sort((a, b) => a.at - b.at);

  it('come after the immediate retries, in order: once the original ended, then a backoff later', { timeout: 60_000 }, async () => {
    // The cells' wire histories (a passing cell's report carries none): each cell's links share one.
    const histories = new Map<string, WireLink['history']>();
    const target = await startTarget();
    let results: RuleResult[];
    try {
      results = await runCells(target, {
        rules: 'wire/lost-response-retry,wire/server-error-retry',
        operations: 'CreateEnvironmentTemplate,DeleteServiceTemplate',
        seed: 7,
        numRuns: 3,
        tamper: (ctx) => {
          const cell = ctx.tags.find((tag) => tag.value.startsWith('wire/'))!.value;
          return Object.assign(Object.create(ctx) as CheckContext, {
            throughProxy: async (...args: Parameters<CheckContext['throughProxy']>) => {
              const link = await ctx.throughProxy(...args);
              histories.set(cell, link.history);
              return link;
            },
          });
        },
      });
    } finally {
      await target.close();
    }
    expect(results.map((r) => `${r.verdict} ${r.rule} ${r.operation}`).sort(), summary(results)).toEqual([
      'pass wire/lost-response-retry CreateEnvironmentTemplate',
      'pass wire/lost-response-retry DeleteServiceTemplate',
      'pass wire/server-error-retry CreateEnvironmentTemplate',
      'pass wire/server-error-retry DeleteServiceTemplate',
    ]);
    expect(histories.size).toBe(4);
    for (const [cell, wire] of histories) {
      const history = wire.sorted();
      const notes = history.filter((event) => event.who === 'check').map((event) => event.what);
      const settled = notes.filter((what) => what.startsWith("the retry once the original's processing had ended"));
      const backoff = notes.filter((what) => what.startsWith(`the retry after the SDK's standard backoff (${BACKOFF_RETRY_MS} ms)`));
      const rule = cell.split(' ')[0]!;
      const cases = CASES[rule]!;
      // A case whose interleaving did not happen is run again (suites/lib/interleaving.ts): at least one of each.
      expect(settled.length, cell).toBeGreaterThanOrEqual(cases.length);
      expect(backoff.length, cell).toBe(settled.length);
      expect(notes.indexOf(backoff[0]!), cell).toBeGreaterThan(notes.indexOf(settled[0]!));
      // Per case: a settled and a backoff retry, after its immediate ones, the backoff one a backoff after the settled one.
      for (const { fault, mode } of cases) {
        const label = `${cell} ${fault}/${mode}`;
        const paced = clientEvents(history, (who) => who === `client (${fault}, ${mode}, paced)`);
        const immediate = clientEvents(history, (who) => who === `client (${fault}, ${mode})`);
        expect(paced.length, label).toBeGreaterThanOrEqual(2);
        expect(paced.length % 2, label).toBe(0);
        for (let k = 0; k < paced.length; k += 2) {
          if (mode !== 'harness') expect(immediate.filter((event) => event.at < paced[k]!.at).length, label).toBeGreaterThan(k / 2);
          expect(paced[k + 1]!.at - paced[k]!.at, label).toBeGreaterThanOrEqual(BACKOFF_RETRY_MS - 1);
        }
      }
    }
  });

  it.each([
    ['token-orphan-evicted-late', 'CreateEnvironmentTemplateVersion'],
    ['name-orphan-evicted-late', 'CreateServiceTemplate'],
    ['deletion-orphan-evicted-late', 'DeleteEnvironmentTemplate'],
    // Asynchronous deletions: the late retries meet the deletion still in progress, where a lost record shows.
    ['deletion-orphan-evicted-late', 'DeleteEnvironment'],
    ['deletion-orphan-evicted-late', 'DeleteService'],
  ])('a target whose record of a lost answer is evicted late fails (%s on %s)', { timeout: 60_000 }, async (fault, operation) => {
    const run = await runSuite(
      host,
      { faults: [fault] },
      { rules: 'wire/lost-response-retry', operations: operation },
      { seed: 7, numRuns: 3 },
    );
    expect(run.results.map((r) => r.verdict)).toEqual(['fail']);
    expect(run.results[0]!.reason).toMatch(/fault close/);
  });
});
