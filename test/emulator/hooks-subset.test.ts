// Fewer hooks (issue 7 item 5): `--hooks` / `hooks` offers a subset of the
// capabilities; the others answer as unknown hooks, and without `accounts`
// every request lands in one account. Real durations: `--durations real/N`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { CreateEnvironmentTemplateCommand, ListEnvironmentTemplatesCommand, ProtonClient } from '@aws-sdk/client-proton';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DURATIONS, REAL_DURATIONS, TRANSITION_NAMES } from '../../emulator/durations.ts';
import { parseDurations, parseHooks, parseSeed, settingsLine } from '../../emulator/flags.ts';
import { CAPABILITIES } from '../../emulator/hooks.ts';
import { DEFAULT_ACCOUNT } from '../../emulator/identity.ts';
import { startEmulator } from '../../emulator/index.ts';
import { rawCall, useEmulator } from './support.ts';

async function hook(url: string, method: string, path: string, account = '240000000001', body?: unknown) {
  const response = await fetch(`${url}/_conformance/v1/${path}`, {
    method,
    headers: { 'x-conformance-account': account, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('hooks: none', () => {
  const emulator = useEmulator({ hooks: [] });

  it('offers no capability, and every hook endpoint answers as unknown', async () => {
    expect((await hook(emulator.url(), 'GET', 'capabilities')).json).toEqual({
      protocol: 'proton-conformance-hooks',
      version: 1,
      capabilities: [],
    });
    for (const [method, path, body] of [
      ['GET', 'clock'],
      ['POST', 'clock/advance', { ms: 1 }],
      ['GET', 'durations'],
      ['PUT', 'durations', { durations: { serviceCreation: 1 } }],
      ['POST', 'reset'],
      ['GET', 'counts'],
    ] as const) {
      const answer = await hook(emulator.url(), method, path, '240000000001', body);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(String(answer.json['message'])).toMatch(/does not offer the '[a-z]+' capability/);
    }
  });

  it('puts every request in one account, whatever key id signs it', async () => {
    const client = (key: string) =>
      new ProtonClient({
        endpoint: emulator.url(),
        region: 'us-east-1',
        credentials: { accessKeyId: key, secretAccessKey: 'x' },
        maxAttempts: 1,
      });
    const [a, b] = [client('240000000002'), client('AKIAEXAMPLEOTHERKEY')];
    const created = await a.send(new CreateEnvironmentTemplateCommand({ name: 'shared' }));
    expect(created.environmentTemplate?.arn).toBe(`arn:aws:proton:us-east-1:${DEFAULT_ACCOUNT}:environment-template/shared`);
    const listed = await b.send(new ListEnvironmentTemplatesCommand({}));
    expect(listed.templates?.map((t) => t.name)).toEqual(['shared']);
    a.destroy();
    b.destroy();
  });

  it('refuses an environment account connection (it needs two accounts)', async () => {
    const answer = await rawCall(
      emulator.url(),
      'CreateEnvironmentAccountConnection',
      { managementAccountId: DEFAULT_ACCOUNT, environmentName: 'env', roleArn: 'arn:aws:iam::123456789012:role/r' },
      { account: '240000000003' },
    );
    expect(answer.status).toBe(400);
    expect(answer.json['__type']).toBe('com.amazonaws.proton#ValidationException');
  });
});

describe('hooks: a subset', () => {
  const emulator = useEmulator({ hooks: ['clock', 'counts'] });

  it('offers those, hides the others', async () => {
    expect((await hook(emulator.url(), 'GET', 'capabilities')).json['capabilities']).toEqual(['clock', 'counts']);
    expect((await hook(emulator.url(), 'GET', 'clock')).status).toBe(200);
    expect((await hook(emulator.url(), 'GET', 'counts')).status).toBe(200);
    expect((await hook(emulator.url(), 'GET', 'durations')).status).toBe(404);
    expect((await hook(emulator.url(), 'POST', 'reset')).status).toBe(404);
  });

  it('without accounts, a hook naming any account sees the one account', async () => {
    await rawCall(emulator.url(), 'CreateServiceTemplate', { name: 'one' }, { account: '240000000004' });
    const counts = (await hook(emulator.url(), 'GET', 'counts', '240000000005')).json['counts'] as Record<string, number>;
    expect(counts['serviceTemplates']).toBe(1);
  });
});

describe('hooks: every one but durations', () => {
  const emulator = useEmulator({ hooks: ['clock', 'reset', 'counts', 'accounts'] });

  it('keeps accounts apart', async () => {
    await rawCall(emulator.url(), 'CreateServiceTemplate', { name: 'mine' }, { account: '240000000006' });
    const counts = (await hook(emulator.url(), 'GET', 'counts', '240000000007')).json['counts'] as Record<string, number>;
    expect(counts['serviceTemplates']).toBe(0);
  });

  it('never offers more than a variant does', async () => {
    const emulator = await startEmulator({ port: 0, variants: ['slow-async'], hooks: [...CAPABILITIES] });
    try {
      expect((await hook(emulator.url, 'GET', 'capabilities')).json['capabilities']).toEqual(['clock', 'reset', 'counts', 'accounts']);
      expect(emulator.hooks).toEqual(['clock', 'reset', 'counts', 'accounts']);
    } finally {
      await emulator.close();
    }
  });

  it('refuses an unknown capability', async () => {
    await expect(startEmulator({ port: 0, hooks: ['clock', 'time-travel'] })).rejects.toThrow(/unknown hook capability "time-travel"/);
  });
});

describe('--hooks, --durations, --seed', () => {
  it('--hooks reads none, all and subsets', () => {
    expect(parseHooks('none')).toEqual([]);
    expect(parseHooks('all')).toEqual([...CAPABILITIES]);
    expect(parseHooks('clock, counts,clock')).toEqual(['clock', 'counts']);
    expect(() => parseHooks('clock,teleport')).toThrow(
      /^--hooks: unknown hook "teleport" \(known: clock, durations, reset, counts, accounts; or all, none\)$/,
    );
    expect(() => parseHooks(',')).toThrow(/^--hooks: empty/);
  });

  it("--durations real/N divides a real account's typical durations by N, and takes name=ms items", () => {
    expect(TRANSITION_NAMES).toHaveLength(6);
    expect(parseDurations('real/100')).toEqual({
      templateVersionRegistration: 100,
      environmentDeployment: 3_000,
      environmentDeletion: 3_000,
      serviceCreation: 6_000,
      serviceUpdate: 3_000,
      serviceDeletion: 3_000,
    });
    expect(parseDurations('real')).toEqual(REAL_DURATIONS);
    expect(parseDurations('real/0.5')['serviceCreation']).toBe(2 * REAL_DURATIONS.serviceCreation);
    expect(parseDurations('real/100,serviceCreation=5')['serviceCreation']).toBe(5);
    expect(parseDurations('deletedMetadataRetention=0')).toEqual({ deletedMetadataRetention: 0 });
    // Registration takes seconds, every CloudFormation-backed transition minutes.
    expect(REAL_DURATIONS.templateVersionRegistration).toBeLessThan(60_000);
    for (const name of TRANSITION_NAMES.filter((n) => n !== 'templateVersionRegistration')) {
      expect(REAL_DURATIONS[name], name).toBeGreaterThanOrEqual(60_000);
    }
  });

  it('--durations refuses a bad N, an unknown name or a bad number, in one line naming the flag', () => {
    for (const [text, message] of [
      ['real/0', /^--durations: N of real\/N must be a positive number, not "0"$/],
      ['real/-2', /^--durations: N of real\/N must be a positive number/],
      ['real/x', /^--durations: N of real\/N must be a positive number/],
      ['nap=3', /^--durations: unknown item "nap=3"/],
      ['serviceCreation=-1', /^--durations: serviceCreation must be milliseconds >= 0, not "-1"$/],
      ['serviceCreation', /^--durations: serviceCreation must be milliseconds/],
      ['', /^--durations: empty/],
    ] as const) {
      expect(() => parseDurations(text), text).toThrow(message);
    }
  });

  it('--seed takes an unsigned 32-bit integer', () => {
    expect(parseSeed('42')).toBe(42);
    expect(() => parseSeed('-1')).toThrow(/^--seed must be an integer from 0 to 4294967295/);
    expect(() => parseSeed('1.5')).toThrow(/^--seed/);
  });

  it('says what is on in the startup line', () => {
    const url = 'http://127.0.0.1:4580';
    expect(settingsLine({ url, hooks: [], weather: { throttle: 0.1 } }, { faults: [], variants: [], durations: 'real/100' })).toBe(
      'hooks: none; durations: real/100; weather: throttle 10% (seed 24301)',
    );
    expect(
      settingsLine(
        { url, hooks: [...CAPABILITIES], weather: {} },
        { faults: ['token-never-expires'], variants: ['slow-async'], durations: undefined, seed: 3 },
      ),
    ).toBe(`hooks: all at ${url}/_conformance/v1/; faults: token-never-expires; variants: slow-async; durations: default; weather: none`);
  });
});

describe('npm run emulator -- --hooks none --durations real/100 --weather throttle=0.1', () => {
  it('prints what is on, applies it, and refuses bad values with one line and exit code 2', async () => {
    const cwd = new URL('../..', import.meta.url);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'emulator/cli.ts',
        '--port',
        '0',
        '--hooks',
        'clock,durations',
        '--durations',
        'real/100',
        '--weather',
        'throttle=0.1',
      ],
      { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const banner = (await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next()).value as string;
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1] ?? '';
    expect(banner).toBe(
      `Proton emulator listening on ${url} (hooks: clock, durations at ${url}/_conformance/v1/; durations: real/100; weather: ` +
        'throttle 10% (seed 24301))',
    );
    const durations = (await hook(url, 'GET', 'durations')).json['durations'];
    expect(durations).toEqual({ ...DEFAULT_DURATIONS, ...parseDurations('real/100') });
    child.kill('SIGTERM');
    expect((await once(child, 'exit'))[0]).toBe(0);

    for (const [args, line] of [
      [
        ['--hooks', 'clock,bogus'],
        'proton-emulator: --hooks: unknown hook "bogus" (known: clock, durations, reset, counts, accounts; or all, none)\n',
      ],
      [['--durations', 'real/0'], 'proton-emulator: --durations: N of real/N must be a positive number, not "0"\n'],
      [['--seed', 'x'], 'proton-emulator: --seed must be an integer from 0 to 4294967295, not "x"\n'],
    ] as const) {
      const bad = spawn(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', '--port', '0', ...args], {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      bad.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      expect((await once(bad, 'exit'))[0]).toBe(2);
      expect(stderr).toBe(line);
    }
  });
});
