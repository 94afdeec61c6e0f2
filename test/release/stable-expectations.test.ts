// Issue 20 item 8: an expectations file that holds still. Reasons written by
// --write-expectations carry no run id, token, account or time, so two runs
// with the same seed write the same bytes; rewriting a file keeps its entries
// (reasons and links as they were) and adds and removes only what changed.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../cli/main.ts';
import { expectationsFromReport, stableReason } from '../../harness/outcomes/expectations.ts';
import type { ExpectationsFile } from '../../harness/outcomes/expectations.ts';
import type { Report, RuleResult, Verdict } from '../../harness/types.ts';
import { faultyEmulator, syntheticReport } from './support.ts';

const RUN = ['--rules', 'client-token/same-token-same-params,client-token/same-token-different-params', '--num-runs', '3', '--seed', '7'];

function cell(rule: string, operation: string, verdict: Verdict, reason = 'because'): RuleResult {
  return { rule, category: 'client-token', level: 'MUST', operation, verdict, reason, evidence: [] };
}

function report(results: RuleResult[], runId: string): Report {
  return syntheticReport(results, { runId });
}

/** The CLI in this process, its console output swallowed (a write's callback still called: the console reporter waits for it). */
async function cli(args: string[]): Promise<number> {
  const swallow = vi.spyOn(process.stdout, 'write').mockImplementation(((_chunk: unknown, a?: unknown, b?: unknown) => {
    const done = typeof a === 'function' ? a : b;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  }) as typeof process.stdout.write);
  try {
    return await runCli(args);
  } finally {
    swallow.mockRestore();
  }
}

describe('stable expectations', () => {
  let dir: string;
  let emulator: { url: string; close(): Promise<void> };
  const file = (name: string): string => join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pc-stable-'));
    emulator = await faultyEmulator(['token-retry-new-identity', 'token-mismatch-conflict']);
  });
  afterAll(async () => {
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a reason loses what differs between runs: run id, UUIDs, tokens, accounts, instants, measured ms', () => {
    const one =
      'The retry with templateName="pccqk5bjgs13-3-etv-alt-2" was to fail with ValidationException; it answered ConflictException: ' +
      'client token "79065a28-b646-4bce-8c11-3f4f54fd341b" was first used at 2026-12-07T03:51:54.123Z (1796615631.512) by ' +
      'arn:aws:proton:us-east-1:208137500000:environment-template/pccqk5bjgs13-3-etv-alt-2 (tag proton-conformance:run=cqk5bjgs13), ' +
      'token "x!y" 312 ms later';
    const other = one
      .replace(/cqk5bjgs13/g, 'cqk791ty1j')
      .replace('79065a28-b646-4bce-8c11-3f4f54fd341b', '788ee72c-dbba-4622-8ffa-59f0e41818cc')
      .replace('03:51:54.123Z', '04:02:11.004Z')
      .replace('1796615631.512', '1796616000.004')
      .replace('208137500000', '208137500007')
      .replace('x!y', 'q')
      .replace('312 ms', '48 ms');
    expect(stableReason(one, 'cqk5bjgs13')).toBe(stableReason(other, 'cqk791ty1j'));
    expect(stableReason(one, 'cqk5bjgs13')).toBe(
      'The retry with templateName="pc<run>-3-etv-alt-2" was to fail with ValidationException; it answered ConflictException: ' +
        'client token "<uuid>" was first used at <time> (<time>) by ' +
        'arn:aws:proton:us-east-1:<account>:environment-template/pc<run>-3-etv-alt-2 (tag proton-conformance:run=<run>), ' +
        'token "<token>" <n> ms later',
    );
    // Without the run id at hand, a name still loses it.
    expect(stableReason('template pccqk5bjgs13-0-etv-1')).toBe('template pc<run>-0-etv-1');
  });

  it('a rewrite keeps the entries it had, in place with their links, removes the fixed, appends the new', () => {
    const previous = [
      { rule: 'client-token/format', operation: 'B', reason: 'tokens over 36 refused', link: 'https://t.example/1' },
      { rule: 'client-token/format', operation: 'A', reason: 'fixed since' },
      { rule: 'client-token/format', operation: 'Z', reason: 'another shard runs this' },
      { rule: 'client-token/format', operation: 'C', reason: 'skipped here', link: 'https://t.example/3' },
    ];
    const now = report(
      [
        cell('client-token/format', 'A', 'pass'),
        cell('client-token/format', 'B', 'fail', 'a new wording'),
        cell('client-token/format', 'C', 'skipped'),
        cell('client-token/format', 'D', 'fail', 'new: pcabcdef1234-0-x-1'),
        cell('client-token/format', 'E', 'warn'),
      ],
      'abcdef1234',
    );
    expect(expectationsFromReport(now, previous).expectations).toEqual([
      previous[0],
      previous[2],
      previous[3],
      { rule: 'client-token/format', operation: 'D', reason: 'new: pc<run>-0-x-1' },
    ]);
  });

  it('two CLI runs with the same seed write the same bytes; a third keeps a hand-written reason and link', async () => {
    const codes: number[] = [];
    for (const name of ['one.json', 'two.json'])
      codes.push(await cli(['--endpoint', emulator.url, ...RUN, '--write-expectations', file(name)]));
    expect(codes).toEqual([1, 1]);
    const one = await readFile(file('one.json'), 'utf8');
    expect(await readFile(file('two.json'), 'utf8')).toBe(one);
    const written = JSON.parse(one) as ExpectationsFile;
    expect(written.expectations).toHaveLength(6);
    expect(one).not.toMatch(/pc[0-9a-z]{10}-|[0-9a-f]{8}-[0-9a-f]{4}-/);

    // Edited by hand: a reason and a link on the first entry, the last removed (a cell still failing: it comes back, last).
    const edited = structuredClone(written);
    edited.expectations[0] = { ...edited.expectations[0]!, reason: 'PROTON-42: mints a new version', link: 'https://t.example/42' };
    const dropped = edited.expectations.shift()!;
    edited.expectations.push(dropped);
    const removed = edited.expectations.splice(1, 1)[0]!;
    await writeFile(file('one.json'), JSON.stringify(edited, null, 2));
    expect(await cli(['--endpoint', emulator.url, ...RUN, '--write-expectations', file('one.json')])).toBe(1);
    const rewritten = JSON.parse(await readFile(file('one.json'), 'utf8')) as ExpectationsFile;
    expect(rewritten.expectations).toEqual([...edited.expectations, removed]);
  });
});
