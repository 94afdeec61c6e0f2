// Parity's targets as the main CLI resolves its target (parity/targets.ts):
// a target without the accounts hook is signed with the standard chain's
// credentials (the emulator as a process with `--auth strict --credentials
// FILE`, which verifies every signature); the interlock of a target that may
// be a real account (PROTON_CONFORMANCE_TREAT_AS_REMOTE makes loopback count
// as one); and the guard that changes only the run's own resources there
// (parity/guard.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CreateEnvironmentTemplateCommand, GetEnvironmentTemplateCommand, ProtonClient } from '@aws-sdk/client-proton';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../harness/errors.ts';
import { TREAT_AS_REMOTE_ENV } from '../../harness/safety/interlock.ts';
import { buildCorpus } from '../../parity/corpus.ts';
import { notOwned } from '../../parity/guard.ts';
import { runParity } from '../../parity/parity.ts';
import type { ParitySequence } from '../../parity/types.ts';

const SEED = 7;
const ACCOUNT = '111122223333';
const CREDENTIAL = { accessKeyId: 'AKIDPARITYSTRICT', secretAccessKey: 'parity-strict-secret', account: ACCOUNT };

/** A few sequences of the corpus: a version's registration (polled), tags, a connection by a literal id, one as the management account. */
const SUBSET = [
  'environment-template-version/lifecycle',
  'tags/lifecycle',
  'environment-account-connection/missing',
  'environment-account-connection/rejected',
];
const MANAGEMENT = 'environment-account-connection/rejected';
const subset = (seed: number): ParitySequence[] => {
  const picked = buildCorpus({ seed }).filter((sequence) => SUBSET.includes(sequence.id));
  expect(picked.map((sequence) => sequence.id).sort()).toEqual([...SUBSET].sort());
  return picked;
};

const CHAIN = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_PROFILE', TREAT_AS_REMOTE_ENV];
const saved = Object.fromEntries(CHAIN.map((name) => [name, process.env[name]]));

/** The standard chain, as the environment gives it. */
function chain(values: Partial<Record<(typeof CHAIN)[number], string>>): void {
  for (const name of CHAIN) delete process.env[name];
  Object.assign(process.env, values);
}

afterEach(() => {
  for (const name of CHAIN) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

let strict: { url: string; child: ChildProcess } | undefined;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pc-parity-strict-'));
  const file = join(dir, 'credentials.json');
  await writeFile(file, JSON.stringify([CREDENTIAL]));
  const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', '--port', '0', '--auth', 'strict', '--credentials', file], {
    cwd: new URL('../..', import.meta.url),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const banner = (await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next()).value as string | undefined;
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner ?? '')?.[1];
  if (url === undefined) throw new Error(`the strict emulator did not start: ${banner}`);
  expect(banner).toContain('auth strict');
  strict = { url, child };
});

afterAll(async () => {
  if (strict !== undefined && strict.child.exitCode === null) {
    strict.child.kill('SIGTERM');
    await once(strict.child, 'exit');
  }
  await rm(dir, { recursive: true, force: true });
});

const good = { AWS_ACCESS_KEY_ID: CREDENTIAL.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIAL.secretAccessKey, AWS_REGION: 'us-east-1' };

describe('parity against the emulator with --auth strict --credentials FILE', () => {
  it("signed with the chain's credentials: no difference; only the management account's sequence is not sent", async () => {
    chain(good);
    const report = await runParity({ reference: 'embedded', candidate: strict!.url, seed: SEED, corpus: subset });
    // Strict mode offers no hooks: asynchronous steps are polled, and no sequence can act as the management account.
    expect(report.mode).toBe('poll');
    expect(report.differences).toEqual([]);
    expect(report.unjudged).toEqual([]);
    expect(report.skipped).toEqual([
      { sequence: MANAGEMENT, reason: 'some steps are sent as the management account, and the candidate lacks the accounts hook' },
    ]);
    expect(report.requestsSent.candidate).toBeGreaterThan(0);
    // Never the credentials.
    expect(JSON.stringify(report)).not.toContain(CREDENTIAL.secretAccessKey);
  });

  it('with a secret the emulator does not hold, every answer it sent is a refusal: the signature is what it checks', async () => {
    chain({ ...good, AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    const report = await runParity({ reference: 'embedded', candidate: strict!.url, seed: SEED, corpus: subset });
    const types = report.differences.filter((d) => d.path === '$.errorType').map((d) => d.candidate);
    expect(types.length).toBeGreaterThan(0);
    expect(new Set(types)).toEqual(new Set(['com.amazon.coral.service#InvalidSignatureException']));
  });
});

/** An HTTP server that is no emulator (404 to everything), recording what it was sent. */
async function notAnEmulator(): Promise<{ url: string; seen: string[]; server: Server }> {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    response.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

describe('the interlock: a target that may be a real account', () => {
  it('is refused without --allow-real-account, after the one GET of the capabilities path and nothing else', async () => {
    const remote = await notAnEmulator();
    try {
      chain(good);
      const env = { ...process.env, [TREAT_AS_REMOTE_ENV]: '1' };
      for (const options of [
        { reference: 'embedded', candidate: remote.url },
        { reference: remote.url, candidate: strict!.url },
        { reference: remote.url, record: join(dir, 'refused') },
      ]) {
        remote.seen.length = 0;
        const run = runParity({ ...options, seed: SEED, corpus: subset, env });
        await expect(run).rejects.toThrow(UsageError);
        await expect(run).rejects.toThrow(/^refusing to run: http:\/\/127\.0\.0\.1:\d+ \(--(candidate|reference)\) counts as remote/);
        expect(remote.seen).toEqual(['GET /_conformance/v1/capabilities']);
      }
    } finally {
      remote.server.close();
    }
  });

  it('an emulator (it answers the hooks protocol) needs no flag, wherever it is', async () => {
    chain(good);
    const env = { ...process.env, [TREAT_AS_REMOTE_ENV]: '1' };
    const report = await runParity({ reference: 'embedded', record: join(dir, 'record'), seed: SEED, corpus: subset, env });
    expect(report.recorded?.files).toBe(SUBSET.length);
  });

  it('needs a region from the chain: none is a configuration error, before anything is created', async () => {
    chain({ AWS_ACCESS_KEY_ID: good.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: good.AWS_SECRET_ACCESS_KEY });
    process.env['AWS_CONFIG_FILE'] = join(dir, 'no-config');
    try {
      const env = { ...process.env, [TREAT_AS_REMOTE_ENV]: '1' };
      const run = runParity({ reference: 'embedded', candidate: strict!.url, seed: SEED, corpus: subset, env, allowRealAccount: true });
      await expect(run).rejects.toThrow(/^no region for http:\/\/127\.0\.0\.1:\d+: it may be a real AWS account/);
    } finally {
      delete process.env['AWS_CONFIG_FILE'];
    }
  });

  it('with --allow-real-account it runs, and changes only what it created: a step naming anything else is not sent', async () => {
    chain(good);
    const env = { ...process.env, [TREAT_AS_REMOTE_ENV]: '1' };
    const client = new ProtonClient({ endpoint: strict!.url, region: 'us-east-1', credentials: { ...CREDENTIAL } });
    const theirs = 'someone-elses-template';
    await client.send(new CreateEnvironmentTemplateCommand({ name: theirs }));
    const foreign: ParitySequence = {
      id: 'guard/foreign-template',
      operations: ['DeleteEnvironmentTemplate'],
      steps: [{ operation: 'DeleteEnvironmentTemplate', input: { name: theirs }, intent: 'absent' }],
      cleanup: [],
    };
    try {
      const report = await runParity({
        reference: 'embedded',
        candidate: strict!.url,
        seed: SEED,
        corpus: (seed) => [...subset(seed), foreign],
        env,
        allowRealAccount: true,
      });
      const withheld = (id: string, step: number) => expect.objectContaining({ sequence: id, step });
      // The connection by a literal id (Update, then the rest of its sequence), and the foreign template.
      expect(report.unjudged).toEqual([
        ...[1, 2, 3, 4].map((step) => withheld('environment-account-connection/missing', step)),
        withheld('guard/foreign-template', 0),
      ]);
      expect(report.unjudged[0]!.reason).toMatch(
        /^candidate: not sent to a target that may be a real account: UpdateEnvironmentAccountConnection/,
      );
      expect(report.unjudged[4]!.reason).toContain(`DeleteEnvironmentTemplate's name "${theirs}" names no resource of this run`);
      // The target's one account is not empty: its Lists show the foreign template, the reference's do not (docs/parity.md, Limits).
      expect(report.differences.length).toBeGreaterThan(0);
      for (const difference of report.differences) {
        expect(difference).toMatchObject({ operation: 'ListEnvironmentTemplates', reference: undefined, candidate: { name: theirs } });
      }
      const still = await client.send(new GetEnvironmentTemplateCommand({ name: theirs }));
      expect(still.environmentTemplate?.name).toBe(theirs);
    } finally {
      client.destroy();
    }
  });
});

describe('the guard (parity/guard.ts)', () => {
  it("lets through every step of the corpus that names the run's own resources; withholds changes by a literal connection id", () => {
    const withheld = buildCorpus({ seed: SEED })
      .flatMap((sequence) => [...sequence.steps, ...sequence.cleanup])
      .filter((step) => notOwned(step) !== undefined);
    expect(withheld.length).toBeGreaterThan(0);
    for (const step of withheld) {
      expect(step.operation).toMatch(/^(Update|Accept|Reject|Delete)EnvironmentAccountConnection$/);
      expect(step.from).toBeUndefined();
    }
    const own = { operation: 'DeleteEnvironmentTemplate', input: { name: 'parity00a1-template-3' }, intent: 'cleanup' };
    expect(notOwned(own)).toBeUndefined();
    expect(notOwned({ ...own, input: { name: 'parity-prod' } })).toMatch(/names no resource of this run/);
    const arn = 'arn:aws:proton:us-east-1:123456789012:environment-template/';
    expect(notOwned({ operation: 'UntagResource', input: { resourceArn: `${arn}parity00a1-t-1`, tagKeys: ['k'] }, intent: 'valid' })).toBe(
      undefined,
    );
    expect(notOwned({ operation: 'UntagResource', input: { resourceArn: `${arn}prod`, tagKeys: ['k'] }, intent: 'valid' })).toMatch(
      /resourceArn/,
    );
    expect(notOwned({ operation: 'GetEnvironmentTemplate', input: { name: 'prod' }, intent: 'valid' })).toBeUndefined();
  });
});
