// Reproducers against a target that checks signatures (issue 21): the `.mjs`
// puts a forwarder of its own between its client and the target, the `.sh`
// the standalone proxy; both hand the target the request as its client signed
// it for the target's own endpoint (the Host header too). Here the emulator in
// strict mode (SigV4 verified, no hooks) with a wire fault: the suite's CLI
// writes the reproducers of its failing cells, and each script exits 1 there
// and 0 against a strict reference, with the same credentials; with a secret
// the target refuses, each says so and exits 2 (the case could not be judged).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import type { IndexEntry } from '../../reporters/reproducers/write.ts';
import { hasAwsV2, runScript, type ScriptCredential, scriptFolder } from '../support/reproducers.ts';
import { BIN, runCliProcess } from '../support/spawn.ts';

const CREDENTIAL: ScriptCredential & { account: string } = {
  accessKeyId: 'AKIASTRICTREPRO00001',
  secretAccessKey: 'strict-reproducer-secret',
  account: '111122223333',
};
const CREDENTIAL_ENV = {
  AWS_ACCESS_KEY_ID: CREDENTIAL.accessKeyId,
  AWS_SECRET_ACCESS_KEY: CREDENTIAL.secretAccessKey,
  AWS_REGION: 'us-east-1',
};

/** Whether process `pid` still runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let faulty: RunningEmulator;
let reference: RunningEmulator;
/** The emulators' log lines of requests refused with HTTP 403 (a signature or a credential not accepted). */
const refused: string[] = [];
const folder = scriptFolder('reproducers-strict');

beforeAll(async () => {
  const auth = { mode: 'strict' as const, credentials: [CREDENTIAL] };
  const log = (line: string): void => {
    if (/ 403 [0-9.]+ms$/.test(line)) refused.push(line);
  };
  faulty = await startEmulator({ port: 0, auth, hooks: [], faults: ['record-written-with-response'], log });
  reference = await startEmulator({ port: 0, auth, hooks: [], log });
});

afterAll(async () => {
  await faulty?.close();
  await reference?.close();
  folder.dispose();
});

describe('reproducers of a wire fault, against targets that verify SigV4', () => {
  it('exit 1 on the fault and 0 on the reference, every request accepted as signed', { timeout: 600_000 }, async () => {
    const dir = join(folder.dir, 'repro');
    const run = await runCliProcess(
      [
        ...['--endpoint', faulty.url, '--rules', 'wire/lost-response-retry', '--operations', 'CreateEnvironmentTemplate'],
        ...['--seed', '1', '--reproducers', dir, '--quiet'],
      ],
      CREDENTIAL_ENV,
    );
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as IndexEntry[];
    expect(index).toEqual([
      { rule: 'wire/lost-response-retry', operation: 'CreateEnvironmentTemplate', node: expect.any(String), shell: expect.any(String) },
    ]);
    const scripts = [index[0]!.node!, ...(hasAwsV2() ? [index[0]!.shell!] : [])];
    for (const script of scripts) {
      const broken = await runScript(dir, script, faulty.url, { credential: CREDENTIAL });
      expect(broken.code, `${script} on the fault:\n${broken.stdout}${broken.stderr}`).toBe(1);
      const kept = await runScript(dir, script, reference.url, { credential: CREDENTIAL });
      expect(kept.code, `${script} on the reference:\n${kept.stdout}${kept.stderr}`).toBe(0);
    }
    expect(refused).toEqual([]);
    if (hasAwsV2()) {
      // PROTON_CONFORMANCE="npx proton-conformance" runs the proxy as a child of npx: a wrapper that does the same, and
      // notes its child. The `.sh` stops what it started, the child too.
      const wrapper = join(folder.dir, 'wrapper.sh');
      const children = join(folder.dir, 'children');
      writeFileSync(wrapper, `"${process.execPath}" "${BIN}" "$@" &\necho $! >> "${children}"\nwait\n`);
      const wrapped = await runScript(dir, index[0]!.shell!, reference.url, {
        credential: CREDENTIAL,
        env: { PROTON_CONFORMANCE: `bash ${wrapper}` },
      });
      expect(wrapped.code, wrapped.stdout + wrapped.stderr).toBe(0);
      const pids = readFileSync(children, 'utf8').trim().split('\n').map(Number);
      expect(pids.length).toBeGreaterThan(0);
      // Stopped on the script's exit: polled briefly (a signal is delivered at once; the process may take a moment to end).
      await vi.waitFor(() => expect(pids.filter(alive), 'proxies the .sh left running').toEqual([]), { timeout: 10_000, interval: 50 });
    }
    // Credentials the target refuses: the case could not be judged (exit 2), not a broken rule.
    const wrong = { ...CREDENTIAL, secretAccessKey: 'not-the-secret' };
    for (const script of scripts) {
      const refusedRun = await runScript(dir, script, faulty.url, { credential: wrong });
      expect(refusedRun.code, `${script} with a wrong secret:\n${refusedRun.stdout}${refusedRun.stderr}`).toBe(2);
      expect(refusedRun.stdout).toMatch(/INCONCLUSIVE: the target refused the credentials or the signature \(\w+/);
    }
  });
});
