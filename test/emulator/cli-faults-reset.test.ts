// Issue 12.10 and 12.12: the emulator says which faults it has and which are
// on; a hook reset names its account, so the default account CLI users work
// in is never wiped by an unnamed request.
import { spawn } from 'node:child_process';
import { CreateEnvironmentTemplateCommand, ListEnvironmentTemplatesCommand, ProtonClient } from '@aws-sdk/client-proton';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { FAULT_CATALOGUE } from '../../emulator/faults/index.ts';
import { VARIANT_CATALOGUE } from '../../emulator/variants/index.ts';

function emulatorCli(args: string[], until?: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (until?.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('12.10 the emulator names its faults', () => {
  it('--list-faults lists every fault with its rule and every variant, and --help mentions it', async () => {
    const run = await emulatorCli(['--list-faults']);
    expect(run.code).toBe(0);
    for (const [name, fault] of Object.entries(FAULT_CATALOGUE)) expect(run.stdout).toMatch(new RegExp(`^  ${name} +${fault.rule}: `, 'm'));
    for (const name of Object.keys(VARIANT_CATALOGUE)) expect(run.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect((await emulatorCli(['--help'])).stdout).toContain('--list-faults');
  });

  it('a faulty emulator says so when it starts', async () => {
    const run = await emulatorCli(['--port', '0', '--fault', 'token-case-insensitive'], /listening/);
    expect(run.stdout).toMatch(/^Proton emulator listening on http:\/\/127\.0\.0\.1:\d+ \(.*faults: token-case-insensitive/m);
  });
});

describe('12.12 reset names its account', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('an unnamed reset is refused and the default account keeps its resources; a named one resets that account', async () => {
    // The account emulator/README.md tells CLI users to use.
    const client = new ProtonClient({
      endpoint: emulator.url,
      region: 'us-east-1',
      credentials: { accessKeyId: '123456789012', secretAccessKey: 'x' },
    });
    await client.send(new CreateEnvironmentTemplateCommand({ name: 'kept' }));
    const unnamed = await fetch(`${emulator.url}/_conformance/v1/reset`, { method: 'POST' });
    expect(unnamed.status).toBe(400);
    expect(((await unnamed.json()) as { message: string }).message).toMatch(/needs the header X-Conformance-Account/);
    expect((await client.send(new ListEnvironmentTemplatesCommand({}))).templates?.map((t) => t.name)).toEqual(['kept']);
    const named = await fetch(`${emulator.url}/_conformance/v1/reset`, {
      method: 'POST',
      headers: { 'x-conformance-account': '123456789012' },
    });
    expect(named.status).toBe(200);
    expect((await client.send(new ListEnvironmentTemplatesCommand({}))).templates).toEqual([]);
    client.destroy();
  });
});
