// --wait-for-target (issue 20): a CI service that is still starting is probed
// until it answers, then the run starts; a target that never answers is
// unreachable (exit 3) only once the wait is over.
import { afterEach, describe, expect, it } from 'vitest';
import { parseCli } from '../../cli/args.ts';
import { startEmulator } from '../../emulator/index.ts';
import { closedPort } from '../support/fake-target.ts';
import { UnreachableError, UsageError } from '../../harness/errors.ts';
import { resolveTarget } from '../../harness/target/target.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('--wait-for-target', () => {
  it('parses a duration (seconds, or with a unit) and refuses anything else (exit 2)', () => {
    expect(parseCli(['--wait-for-target', '90']).waitForTarget).toBe(90);
    expect(parseCli(['--wait-for-target', '2m']).waitForTarget).toBe(120);
    expect(() => parseCli(['--wait-for-target', 'soon'])).toThrow(UsageError);
    expect(() => parseCli(['--wait-for-target', 'soon'])).toThrow(/--wait-for-target: 'soon' is not a positive duration/);
  });

  it('waits for a target that starts answering during the wait, then resolves it', async () => {
    const port = await closedPort();
    const endpoint = `http://127.0.0.1:${port}`;
    const lines: string[] = [];
    let started: Promise<void> | undefined;
    const target = await resolveTarget({
      endpoint,
      env: {},
      waitForTargetMs: 30_000,
      // The service comes up once the run says it waits (a gate, not a guess at how long it takes).
      waiting: (line) => {
        lines.push(line);
        started = startEmulator({ port }).then((emulator) => {
          closers.push(() => emulator.close());
        });
      },
    });
    closers.unshift(() => target.close());
    await started;
    expect(lines).toEqual([`waiting up to 30 s for ${endpoint} to answer (--wait-for-target)`]);
    expect(target.emulator).toBe(true);
    expect([...target.capabilities]).toContain('clock');
  });

  it('answers unreachable (exit 3) only once the wait is over, saying how long it waited', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const began = Date.now();
    const error = await resolveTarget({ endpoint, env: {}, waitForTargetMs: 1_500 }).catch((thrown: unknown) => thrown);
    expect(Date.now() - began).toBeGreaterThanOrEqual(1_500);
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as UnreachableError).exitCode).toBe(3);
    expect((error as Error).message).toMatch(/is unreachable: .*\(no answer in 1\.\d s of --wait-for-target, \d+ probes\)$/);
  });

  it('does not wait without the flag: a target that does not answer is unreachable at once', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const began = Date.now();
    await expect(resolveTarget({ endpoint, env: {} })).rejects.toBeInstanceOf(UnreachableError);
    expect(Date.now() - began).toBeLessThan(1_500);
  });
});
