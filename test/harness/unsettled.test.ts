// No silent exit (issue 17): a run whose promises nothing can settle ends as
// an internal error (exit 4) naming what was pending, with the partial
// report; never Node's exit 13. And the pieces under it: the guard of an
// empty event loop, a hold that leaves while its upgrade waits.
import { runProcess } from '../support/spawn.ts';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CellHold, CellLock } from '../../harness/run/lock.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A TypeScript script or Node's own flags, run through tsx from the project's root. */
const tsx = (args: string[]) => runProcess(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: process.env });

describe('a run that could never end', () => {
  it('exits 4 naming the pending cell and its last step, and writes the partial report (never 13)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pc-unsettled-'));
    try {
      const json = join(dir, 'report.json');
      const run = await tsx(['test/support/stalled-cli.ts', '--seed', '3', '--json', json]);
      expect(run.code, run.stderr).toBe(4);
      expect(run.stderr).toMatch(
        new RegExp(
          /^proton-conformance: internal error: the run stopped with promises pending that nothing could settle/.source +
            /; still pending: client-token\/test-never-settles CreateEnvironmentTemplate/.source +
            /: running its check for [\d.]+ s \(last step: awaiting a promise that nothing settles\)/.source,
        ),
      );
      expect(run.stderr).not.toMatch(/\n\s+at /);
      const report = JSON.parse(await readFile(json, 'utf8')) as Record<string, unknown>;
      expect(report).toMatchObject({ verdict: 'error', exitCode: 4, cells: { total: 2, run: 1, notRun: 1 } });
      expect(report['results']).toEqual([expect.objectContaining({ rule: 'client-token/test-passes', verdict: 'pass' })]);
      expect(report['stalled']).toEqual([
        expect.stringContaining('client-token/test-never-settles CreateEnvironmentTemplate: running its check'),
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a script whose top-level await nothing settles would exit 13: the guard is what prevents it', async () => {
    const bare = await tsx(['--input-type=module', '-e', 'await new Promise(() => {});']);
    expect(bare.code).toBe(13);
    const guarded = await tsx([
      '--input-type=module',
      '-e',
      `const { untilSettled } = await import(${JSON.stringify(join(ROOT, 'harness/run/unsettled.ts'))});
       process.exitCode = await untilSettled(new Promise(() => {}), () => 4);`,
    ]);
    expect(guarded.code, guarded.stderr).toBe(4);
  });
});

describe('CellHold', () => {
  it('gives the lock back when its cell leaves while an upgrade still waits (other cells are not stopped for good)', async () => {
    const lock = new CellLock();
    const other = new CellHold(lock);
    const timedOut = new CellHold(lock);
    await other.enter();
    await timedOut.enter();
    void timedOut.upgrade(); // waits: the other cell holds the lock shared
    timedOut.leave(); // the cell ran out of time meanwhile
    other.leave();
    const next = new CellHold(lock);
    await next.enter();
    await next.upgrade(); // would wait forever if the departed upgrade kept the lock
    expect(next.exclusive).toBe(true);
    next.leave();
    const late = new CellHold(lock);
    await late.enter();
    late.leave();
    await timedOut.upgrade(); // asked after leaving (a check that outlived its cell): not made
    const last = new CellHold(lock);
    await last.enter();
    await last.upgrade();
    expect(last.exclusive).toBe(true);
  });
});
