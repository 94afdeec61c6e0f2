// Cleanup and sweep against the emulator as a stand-in for a real account
// (hooks hidden from the run behind a proxy; counts read at the emulator):
// a run leaves nothing of its own, on success and after Ctrl-C or SIGTERM;
// what carries another prefix or lacks the run's tag is never removed; the
// sweep command lists (dry run) or removes what earlier runs left, by age;
// removal waits for asynchronous deletes within its bound and says what is left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDuration, runIdTime, sweep } from '../../harness/safety/sweep.ts';
import { send } from '../../specs/commands.ts';
import {
  REGION,
  cli,
  counts,
  directClient,
  fakeCredentials,
  onceStdout,
  plantRun,
  runIdAged,
  runTag,
  startRemote,
  total,
} from './real-target-helpers.ts';
import type { Counts, FakeCredentials, Remote } from './real-target-helpers.ts';

let remote: Remote;

beforeAll(async () => {
  remote = await startRemote();
});

afterAll(async () => {
  await remote.close();
});

/** What nobody may remove: another prefix (with a run's tag), a run's prefix without its tag, a tag that does not match the name. */
async function plantForeign(credentials: FakeCredentials, runId: string): Promise<Counts> {
  const client = directClient(remote.emulator, credentials);
  await send(client, 'CreateEnvironmentTemplate', { name: 'foreign-template', tags: runTag(runId) });
  await send(client, 'CreateEnvironmentTemplate', { name: `pc${runId}-9-untagged-1` });
  await send(client, 'CreateServiceTemplate', { name: `pc${runId}-9-mismatch-1`, tags: runTag('zzzzzzzzzz') });
  await send(client, 'CreateEnvironmentAccountConnection', {
    managementAccountId: '210987654321',
    environmentName: `pc${runId}-9-conn-1`,
    roleArn: 'arn:aws:iam::123456789012:role/c',
  });
  client.destroy();
  return counts(remote.emulator, credentials);
}

const target = (credentials: FakeCredentials) => ({ endpoint: remote.proxy.url, region: REGION, credentials });

describe('harness/sweep', () => {
  it('parses durations and reads the time of a run id', () => {
    expect(parseDuration('90m')).toBe(5_400_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('soon')).toBeUndefined();
    const now = Date.now();
    const id = runIdAged(2 * 3_600_000);
    expect(Math.abs(runIdTime(id, now)! - (now - 2 * 3_600_000))).toBeLessThan(5_000);
    expect(runIdTime('not-an-id')).toBeUndefined();
  });

  it("removes everything of one run in dependency order, waiting for asynchronous deletes; never what is not the run's", async () => {
    const credentials = fakeCredentials('onerun');
    const runId = runIdAged(0, 'one1');
    const foreign = await plantForeign(credentials, runId);
    const client = directClient(remote.emulator, credentials);
    await plantRun(client, runId);
    client.destroy();
    const planted = await counts(remote.emulator, credentials);
    expect(total(planted) - total(foreign)).toBe(8);
    const lines: string[] = [];
    const { findings, removal } = await sweep(target(credentials), {
      runs: runId,
      pollMs: 50,
      timeoutMs: 30_000,
      onProgress: (line) => lines.push(line),
    });
    expect(findings.found.map((f) => f.label)).toEqual([
      `service pc${runId}-0-svc`,
      `environment pc${runId}-0-env`,
      expect.stringMatching(/^environment account connection /),
      `service template version pc${runId}-0-st 1.0`,
      `environment template version pc${runId}-0-et 1.0`,
      // The recommended version last.
      `environment template version pc${runId}-0-et 1.1`,
      `service template pc${runId}-0-st`,
      `environment template pc${runId}-0-et`,
    ]);
    expect(findings.unconfirmed.map((u) => u.label).sort()).toEqual([
      `environment template pc${runId}-9-untagged-1`,
      `service template pc${runId}-9-mismatch-1`,
    ]);
    expect(removal?.left).toEqual([]);
    expect(removal?.refused).toEqual([]);
    expect(lines).toContain('waiting for 1 service deletion');
    expect(await counts(remote.emulator, credentials)).toEqual(foreign);
  });

  it('ends within its bound, naming what is left, when deletions outlast it', async () => {
    const slow = await startRemote({ durations: { environmentDeletion: 600_000, serviceDeletion: 600_000 } });
    try {
      const credentials = fakeCredentials('bound');
      const runId = runIdAged(0, 'bnd1');
      const client = directClient(slow.emulator, credentials);
      await plantRun(client, runId);
      client.destroy();
      const started = Date.now();
      const { removal } = await sweep(
        { endpoint: slow.proxy.url, region: REGION, credentials },
        { runs: runId, pollMs: 100, timeoutMs: 1_500 },
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(removal?.timedOut).toBe(true);
      expect(removal?.left).toContainEqual({ label: `service pc${runId}-0-svc`, reason: 'still DELETE_IN_PROGRESS' });
      expect(removal?.left.map((l) => l.label)).toContain(`environment template pc${runId}-0-et`);
    } finally {
      await slow.close();
    }
  });
});

describe('proton-conformance sweep', () => {
  it('lists without removing (dry run), removes by age with --older-than, then the rest; never the foreign ones', async () => {
    const credentials = fakeCredentials('sweepcli');
    const old = runIdAged(3 * 3_600_000, 'old1');
    const young = runIdAged(60_000, 'yng1');
    const foreign = await plantForeign(credentials, old);
    const client = directClient(remote.emulator, credentials);
    await plantRun(client, old);
    await plantRun(client, young);
    client.destroy();
    const before = await counts(remote.emulator, credentials);

    const args = ['sweep', '--endpoint', remote.proxy.url, '--allow-real-account', '--account', '111122223333'];
    const dry = await cli(args, credentials);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('dry run: nothing is removed without --yes');
    expect(dry.stdout).toMatch(new RegExp(`^run ${old} \\(started .*\\): 8 resources$`, 'm'));
    expect(dry.stdout).toMatch(new RegExp(`^run ${young} \\(started .*\\): 8 resources$`, 'm'));
    expect(dry.stdout).toContain(`  service pc${old}-0-svc`);
    expect(dry.stdout).toContain('dry run: 16 resources of 2 runs would be removed; add --yes to remove them');
    expect(dry.stdout).toMatch(/never removed \(a run's name prefix without its tag\): .*-9-untagged-1/);
    expect(await counts(remote.emulator, credentials)).toEqual(before);

    const aged = await cli([...args, '--older-than', '1h', '--yes'], credentials);
    expect(aged.code, aged.stderr).toBe(0);
    expect(aged.stdout).toContain(`removed 8 resources of 1 run; nothing is left`);
    expect(aged.stdout).not.toContain(young);
    const afterAged = await counts(remote.emulator, credentials);
    expect(total(afterAged)).toBe(total(before) - 8);

    const rest = await cli([...args, '--yes'], credentials);
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stdout).toContain('removed 8 resources of 1 run; nothing is left');
    expect(await counts(remote.emulator, credentials)).toEqual(foreign);
    const again = await cli([...args, '--yes'], credentials);
    expect(again.stdout).toContain('nothing to remove');
  });

  it('needs a target and checks its flags', async () => {
    const credentials = fakeCredentials('sweepflags');
    const none = await cli(['sweep'], credentials);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/sweep needs a target/);
    const bad = await cli(['sweep', '--endpoint', remote.proxy.url, '--older-than', 'a while'], credentials);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe("proton-conformance: --older-than: 'a while' is not a duration (e.g. 90m, 2h, 7d, 1h30m)");
    const help = await cli(['sweep', '--help'], credentials);
    expect(help.code).toBe(0);
    for (const flag of ['--older-than', '--yes', '--endpoint', '--allow-real-account', '--run']) expect(help.stdout).toContain(flag);
  });
});

describe('the end-of-run cleanup', () => {
  const RULES = [
    '--rules',
    'idempotent-create/unmodified-retry,async-delete/retry-after-complete',
    '--operations',
    'CreateService,CreateEnvironment,DeleteService,DeleteEnvironment',
  ];

  it('a run leaves zero of its resources, and nothing foreign is touched', async () => {
    const credentials = fakeCredentials('cleanrun');
    const foreign = await plantForeign(credentials, runIdAged(0, 'frn1'));
    const run = await cli(['--endpoint', remote.proxy.url, '--allow-real-account', ...RULES, '--num-runs', '1'], credentials);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^cleanup: removed \d+ resources? of run [0-9a-z]{10} in [\d.]+ s; nothing of it is left$/m);
    expect(await counts(remote.emulator, credentials)).toEqual(foreign);
  });

  it('after Ctrl-C (exit 130) and after SIGTERM (exit 143) the run still removes everything it created', async () => {
    const credentials = fakeCredentials('interrupted');
    const foreign = await plantForeign(credentials, runIdAged(0, 'frn2'));
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const run = await cli(
        ['--endpoint', remote.proxy.url, '--allow-real-account', ...RULES, '--num-runs', '50'],
        credentials,
        {},
        // Once the cells are under way (prerequisites exist).
        onceStdout('runs per property', (kill) => setTimeout(() => kill(signal), 700)),
      );
      expect(run.code, `${signal}: ${run.stderr}`).toBe(code);
      expect(run.stderr).toMatch(signal === 'SIGINT' ? /interrupted; stopping the cells/ : /terminated; stopping the cells/);
      expect(run.stdout).toMatch(/nothing of it is left/);
      expect(await counts(remote.emulator, credentials)).toEqual(foreign);
    }
  });

  it('a second Ctrl-C quits at once, printing what may be left and the sweep command, which removes it', async () => {
    const credentials = fakeCredentials('quitnow');
    const foreign = await plantForeign(credentials, runIdAged(0, 'frn3'));
    const slow = await startRemote({ durations: { environmentDeletion: 2_000, serviceDeletion: 2_000 } });
    try {
      const run = await cli(
        ['--endpoint', slow.proxy.url, '--allow-real-account', ...RULES, '--num-runs', '50'],
        credentials,
        {},
        onceStdout('runs per property', (kill) =>
          setTimeout(() => {
            kill('SIGINT');
            setTimeout(() => kill('SIGINT'), 100);
          }, 1_000),
        ),
      );
      expect(run.code, run.stderr).toBe(130);
      const quit =
        /quitting at once; what run ([0-9a-z]{10}) created may be left at .*; remove it with: (\S*proton-conformance\S* sweep .*)$/m.exec(
          run.stderr,
        );
      expect(quit, run.stderr).not.toBeNull();
      const command = quit![2]!.split(' ').slice(1);
      expect(command).toEqual(['sweep', '--endpoint', slow.proxy.url, '--run', quit![1], '--yes', '--allow-real-account']);
      const swept = await cli(command, credentials);
      expect(swept.code, swept.stderr + swept.stdout).toBe(0);
      expect(total(await counts(slow.emulator, credentials))).toBe(0);
      expect(await counts(remote.emulator, credentials)).toEqual(foreign);
    } finally {
      await slow.close();
    }
  });
});
