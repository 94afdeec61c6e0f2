// The control protocol proton-conformance-hooks/1 (docs/emulator-hooks.md)
// and per-account isolation.
import {
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  GetEnvironmentTemplateVersionCommand,
  ListEnvironmentTemplatesCommand,
} from '@aws-sdk/client-proton';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DURATIONS } from '../../emulator/index.ts';
import { accountOf, DEFAULT_ACCOUNT } from '../../emulator/identity.ts';
import { SOURCE, useEmulator } from './support.ts';

const emulator = useEmulator();

async function hook(method: string, path: string, init: { account?: string; body?: string } = {}) {
  const response = await fetch(`${emulator.url()}/_conformance/v1/${path}`, {
    method,
    headers: init.account === undefined ? {} : { 'x-conformance-account': init.account },
    body: init.body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('endpoints', () => {
  it('capabilities names the protocol and every capability', async () => {
    expect(await hook('GET', 'capabilities')).toEqual({
      status: 200,
      json: { protocol: 'proton-conformance-hooks', version: 1, capabilities: ['clock', 'durations', 'reset', 'counts', 'accounts'] },
    });
  });

  it('clock reads the virtual time and advance moves it forward', async () => {
    const hooks = emulator.hooks(emulator.newAccount());
    const start = await hooks.now();
    expect(Math.abs(start - Date.now())).toBeLessThan(5_000);
    const later = await hooks.advance(8 * 60 * 60 * 1000);
    expect(later - start).toBeGreaterThanOrEqual(8 * 60 * 60 * 1000);
    expect(await hooks.now()).toBeGreaterThanOrEqual(later);
  });

  it('advance refuses a negative, missing or non-numeric ms', async () => {
    const account = emulator.newAccount();
    for (const body of ['{"ms": -1}', '{}', '{"ms": "5"}', 'not json', '{"ms": 1e400}']) {
      const answer = await hook('POST', 'clock/advance', { account, body });
      expect(answer.status, body).toBe(400);
      expect(typeof answer.json['message']).toBe('string');
    }
  });

  it('durations reads and sets any subset, and refuses unknown names and bad values', async () => {
    const account = emulator.newAccount();
    expect((await hook('GET', 'durations', { account })).json).toEqual({ durations: DEFAULT_DURATIONS });
    const set = await hook('PUT', 'durations', { account, body: JSON.stringify({ durations: { serviceCreation: 10 } }) });
    expect(set.json).toEqual({ durations: { ...DEFAULT_DURATIONS, serviceCreation: 10 } });
    for (const durations of [{ nope: 1 }, { serviceCreation: -5 }, { serviceCreation: '5' }, []]) {
      const answer = await hook('PUT', 'durations', { account, body: JSON.stringify({ durations }) });
      expect(answer.status, JSON.stringify(durations)).toBe(400);
    }
    expect((await hook('GET', 'durations', { account })).json).toEqual({ durations: { ...DEFAULT_DURATIONS, serviceCreation: 10 } });
  });

  it('durations set through the hook drive the transitions that start after', async () => {
    const account = emulator.newAccount();
    const hooks = emulator.hooks(account);
    const client = emulator.client(account);
    await hooks.setDurations({ templateVersionRegistration: 60 * 60_000 });
    await client.send(new CreateEnvironmentTemplateCommand({ name: 'slow' }));
    await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 'slow', source: SOURCE }));
    const status = async () =>
      (await client.send(new GetEnvironmentTemplateVersionCommand({ templateName: 'slow', majorVersion: '1', minorVersion: '0' })))
        .environmentTemplateVersion?.status;
    await hooks.advance(59 * 60_000);
    expect(await status()).toBe('REGISTRATION_IN_PROGRESS');
    await hooks.advance(60_000);
    expect(await status()).toBe('DRAFT');
  });

  it('reset brings back resources, tokens, clock and durations to a fresh start', async () => {
    const account = emulator.newAccount();
    const hooks = emulator.hooks(account);
    const client = emulator.client(account);
    await client.send(new CreateEnvironmentTemplateCommand({ name: 't' }));
    const input = { templateName: 't', source: SOURCE, clientToken: 'tok' };
    await client.send(new CreateEnvironmentTemplateVersionCommand(input));
    await hooks.setDurations({ serviceCreation: 1 });
    const start = await hooks.now();
    await hooks.advance(24 * 60 * 60 * 1000);
    await hooks.reset();
    expect(Object.values(await hooks.counts()).every((n) => n === 0)).toBe(true);
    expect((await hooks.call('GET', 'durations'))['durations']).toEqual(DEFAULT_DURATIONS);
    expect((await hooks.now()) - start).toBeLessThan(60_000);
    // The token is forgotten: the same request with other parameters is a first request.
    await client.send(new CreateEnvironmentTemplateCommand({ name: 't' }));
    const again = await client.send(new CreateEnvironmentTemplateVersionCommand({ ...input, description: 'other' }));
    expect(again.environmentTemplateVersion?.minorVersion).toBe('0');
  });

  it('counts every kind of resource', async () => {
    const account = emulator.newAccount();
    const client = emulator.client(account);
    await client.send(new CreateEnvironmentTemplateCommand({ name: 'a' }));
    await client.send(new CreateEnvironmentTemplateCommand({ name: 'b' }));
    await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 'a', source: SOURCE }));
    expect(await emulator.hooks(account).counts()).toEqual({
      environmentTemplates: 2,
      environmentTemplateVersions: 1,
      serviceTemplates: 0,
      serviceTemplateVersions: 0,
      environments: 0,
      services: 0,
      environmentAccountConnections: 0,
    });
  });

  it('answers unknown hooks 404 and wrong methods 405, with a message', async () => {
    expect((await hook('GET', 'time')).status).toBe(404);
    expect((await hook('DELETE', 'clock')).status).toBe(405);
    expect((await hook('GET', 'reset')).status).toBe(405);
    expect(typeof (await hook('GET', 'time')).json['message']).toBe('string');
  });
});

describe('accounts', () => {
  it('the access key id chooses the account: a 12-digit one is the account, others map to a stable one', () => {
    expect(accountOf('210987654321')).toBe('210987654321');
    expect(accountOf('AKIDEXAMPLE')).toMatch(/^\d{12}$/);
    expect(accountOf('AKIDEXAMPLE')).toBe(accountOf('AKIDEXAMPLE'));
    expect(accountOf('AKIDEXAMPLE')).not.toBe(accountOf('AKIDEXAMPLF'));
    expect(accountOf(undefined)).toBe(DEFAULT_ACCOUNT);
  });

  it('unsigned requests use the default account, as do hooks without the header', async () => {
    await emulator.raw('CreateEnvironmentTemplate', { name: 'unsigned' }, { headers: { authorization: '' } });
    const counts = (await hook('GET', 'counts')).json['counts'] as Record<string, number>;
    expect(counts['environmentTemplates']).toBeGreaterThanOrEqual(1);
    const signed = await emulator.raw('GetEnvironmentTemplate', { name: 'unsigned' }, { account: DEFAULT_ACCOUNT });
    expect((signed.json['environmentTemplate'] as Record<string, string>)['arn']).toContain(`:${DEFAULT_ACCOUNT}:`);
  });

  it('resources, clocks and durations are per account', async () => {
    const [a, b] = [emulator.newAccount(), emulator.newAccount()];
    await emulator.client(a).send(new CreateEnvironmentTemplateCommand({ name: 'mine' }));
    expect((await emulator.client(b).send(new ListEnvironmentTemplatesCommand({}))).templates).toEqual([]);
    // B may use the same name: its own resource.
    const theirs = await emulator.client(b).send(new CreateEnvironmentTemplateCommand({ name: 'mine', description: 'b' }));
    expect(theirs.environmentTemplate?.arn).toContain(`:${b}:`);
    const beforeB = await emulator.hooks(b).now();
    await emulator.hooks(a).advance(24 * 60 * 60 * 1000);
    expect((await emulator.hooks(b).now()) - beforeB).toBeLessThan(60_000);
    await emulator.hooks(a).setDurations({ serviceUpdate: 1 });
    expect(((await emulator.hooks(b).call('GET', 'durations'))['durations'] as Record<string, number>)['serviceUpdate']).toBe(
      DEFAULT_DURATIONS.serviceUpdate,
    );
    await emulator.hooks(a).reset();
    expect((await emulator.hooks(b).counts())['environmentTemplates']).toBe(1);
  });
});
