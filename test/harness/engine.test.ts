// The run engine (harness/engine/engine.ts) with a catalog of test checks
// handed to it, against the embedded emulator: what it says through its sink
// and when, the report's fields, the verdict of an interrupted run, and a
// selection error before anything is started.
import { describe, expect, it } from 'vitest';
import { runEngine } from '../../harness/engine/engine.ts';
import type { EngineSink, RunHandle, RunRequest } from '../../harness/engine/engine.ts';
import { UsageError } from '../../harness/errors.ts';
import type { Catalog } from '../../harness/run/catalog.ts';
import { testRule } from '../support/catalog.ts';

const OPERATION = 'CreateEnvironmentTemplate';

const rule = (id: string) => testRule(id, { operations: [OPERATION] });

const catalog: Catalog<object> = {
  rules: [rule('client-token/test-one'), rule('client-token/test-two')],
  checks: {
    'client-token/test-one': async () => ({ verdict: 'pass', reason: 'a test check that passes' }),
    'client-token/test-two': async () => ({ verdict: 'pass', reason: 'another' }),
  },
  operation: (name) => (name === OPERATION ? {} : undefined),
};

/** The embedded emulator, whatever endpoint the developer has set. */
const REQUEST: RunRequest = { env: {}, allowRealAccount: false, numRuns: 1, numRunsGiven: true, seed: 3, strictExpectations: false };

/** A sink that records what it was told, in order. */
function recording(extra: Partial<EngineSink> = {}): { sink: EngineSink; events: string[]; handles: RunHandle[] } {
  const events: string[] = [];
  const handles: RunHandle[] = [];
  const sink: EngineSink = {
    out: { write: (text: string) => events.push(`out ${text}`) },
    note: (line) => events.push(`note ${line}`),
    prepared: async () => {
      events.push('prepared');
    },
    started: (handle) => {
      handles.push(handle);
      events.push('started');
    },
    ran: async (report) => {
      events.push(`ran ${'verdict' in report ? 'with' : 'without'} a verdict`);
    },
    ...extra,
  };
  return { sink, events, handles };
}

describe('runEngine', () => {
  it('says its header through the sink, calls it in order, and fills every field of the report', async () => {
    const { sink, events, handles } = recording();
    const result = await runEngine(REQUEST, { catalog: Promise.resolve(catalog), sink });
    expect(events[0]).toBe('prepared');
    expect(events[1]).toBe('started');
    expect(events[2]).toMatch(/^out proton-conformance: target http:\/\/127\.0\.0\.1:\d+ \(embedded emulator; hooks: /);
    expect(events[3]).toBe('out seed 3 (--seed 3 repeats this run), 1 run per property, 2 cells\n');
    expect(events[4]).toMatch(/^out concurrency 12, cell timeout 60 s \(defaults for a target on this machine/);
    // The matrix is printed before the verdict is known (the cleanup comes between).
    expect(events.slice(5)).toEqual(['ran without a verdict']);
    expect(handles[0]).toMatchObject({ runId: result.report.runId, cleansUp: false, ledger: undefined });
    expect(handles[0]!.cleaning()).toBe(false);
    expect(result.exitCode).toBe(0);
    expect(result.report).toMatchObject({
      verdict: 'pass',
      exitCode: 0,
      interrupted: false,
      tool: { name: 'proton-conformance' },
      settings: { rules: null, operations: null, seed: 3, numRuns: 1, concurrency: 12, cellTimeoutMs: 60_000, cleanupTimeoutMs: null },
      selection: { cells: 2, rules: ['client-token/test-one', 'client-token/test-two'], operations: [OPERATION] },
    });
    expect(result.report.results.map((r) => `${r.rule} ${r.verdict}`)).toEqual([
      'client-token/test-one pass',
      'client-token/test-two pass',
    ]);
  });

  it('an interrupted run: verdict interrupted, the exit code the caller gives', async () => {
    const interrupt = new AbortController();
    // Interrupted as soon as it is under way: no cell starts.
    const { sink } = recording({ started: () => interrupt.abort() });
    const result = await runEngine({ ...REQUEST, signal: interrupt.signal }, { catalog, sink, interruptedExitCode: () => 143 });
    expect(result.report).toMatchObject({ verdict: 'interrupted', exitCode: 143, interrupted: true, cells: { total: 2, notRun: 2 } });
    expect(result.exitCode).toBe(143);
  });

  it('a selection error comes before the report files are prepared or anything is run', async () => {
    const { sink, events } = recording();
    const run = runEngine({ ...REQUEST, path: '0:1' }, { catalog, sink });
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(/--path replays one property case of one cell: .* \(they select 2 cells\)/);
    expect(events).toEqual([]);
  });
});
