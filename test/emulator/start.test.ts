// Starting the emulator: startEmulator's options, and `npm run emulator`
// (emulator/cli.ts) as a process.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ListEnvironmentTemplatesCommand, ProtonClient } from '@aws-sdk/client-proton';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DURATIONS, startEmulator } from '../../emulator/index.ts';
import { hooksOf, rawCall } from './support.ts';

describe('startEmulator', () => {
  it('listens on an ephemeral port of 127.0.0.1 and closes', async () => {
    const emulator = await startEmulator({ port: 0 });
    expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}`);
    expect((await rawCall(emulator.url, 'ListServices', {})).status).toBe(200);
    await emulator.close();
    await expect(rawCall(emulator.url, 'ListServices', {})).rejects.toThrow();
  });

  it('starts accounts with the durations of its options', async () => {
    const emulator = await startEmulator({ port: 0, durations: { serviceCreation: 42 } });
    try {
      const durations = await hooksOf(emulator.url, '210000000001').call('GET', 'durations');
      expect(durations['durations']).toEqual({ ...DEFAULT_DURATIONS, serviceCreation: 42 });
    } finally {
      await emulator.close();
    }
  });

  it('refuses unknown faults, unknown variants and bad durations', async () => {
    await expect(startEmulator({ port: 0, faults: ['tokens-ignore-case-typo'] })).rejects.toThrow(
      /unknown fault "tokens-ignore-case-typo"/,
    );
    await expect(startEmulator({ port: 0, variants: ['slow'] })).rejects.toThrow(/unknown variant "slow"/);
    await expect(startEmulator({ port: 0, durations: { serviceCreation: -1 } })).rejects.toThrow(/serviceCreation/);
    await expect(startEmulator({ port: 0, durations: { nap: 1 } as never })).rejects.toThrow(/unknown duration "nap"/);
  });

  it('says when the port is in use', async () => {
    const first = await startEmulator({ port: 0 });
    try {
      await expect(startEmulator({ port: first.port })).rejects.toThrow(`port ${first.port} on 127.0.0.1 is already in use`);
    } finally {
      await first.close();
    }
  });

  it('logs one line per request: time, account, operation, status, ms', async () => {
    const lines: string[] = [];
    const emulator = await startEmulator({ port: 0, log: (line) => lines.push(line) });
    try {
      await rawCall(emulator.url, 'GetService', { name: 'absent' }, { account: '210000000002' });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z 210000000002 GetService 404 \d+\.\dms$/);
    } finally {
      await emulator.close();
    }
  });
});

describe('npm run emulator (emulator/cli.ts)', () => {
  function run(args: string[]) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', ...args], {
      cwd: new URL('../..', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    return { child, nextLine: async () => (await lines.next()).value as string | undefined, stderr: () => stderr };
  }

  it('listens, answers the SDK, logs with --log, and closes cleanly on SIGTERM', async () => {
    const { child, nextLine } = run(['--port', '0', '--log']);
    const banner = await nextLine();
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner ?? '')?.[1];
    expect(url, banner).toBeDefined();
    const client = new ProtonClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: '210000000003', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    expect((await client.send(new ListEnvironmentTemplatesCommand({}))).templates).toEqual([]);
    expect(await nextLine()).toMatch(/ 210000000003 ListEnvironmentTemplates 200 /);
    client.destroy();
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('answers a bad flag with one line and exit code 2', async () => {
    const { child, stderr } = run(['--prot', '1']);
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr().trim().split('\n')).toHaveLength(1);
    expect(stderr()).toMatch(/^proton-emulator: .*--prot/);
  });
});
