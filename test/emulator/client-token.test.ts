// Category client-token: CreateEnvironmentTemplateVersion,
// CreateServiceTemplateVersion, CreateEnvironmentAccountConnection. Every
// rule of CONTRACT.md, on each operation, through the SDK.
import {
  CreateEnvironmentAccountConnectionCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  DeleteEnvironmentAccountConnectionCommand,
  DeleteEnvironmentTemplateVersionCommand,
  DeleteServiceTemplateVersionCommand,
  GetEnvironmentAccountConnectionCommand,
  GetEnvironmentTemplateVersionCommand,
  GetServiceTemplateVersionCommand,
  ProtonClient,
} from '@aws-sdk/client-proton';
import { describe, expect, it } from 'vitest';
import { TOKEN_LIFETIME_MS } from '../../specs/rules.ts';
import { failure, REGISTRATION_MS, SOURCE, useEmulator } from './support.ts';

const emulator = useEmulator();
const MANAGEMENT = '333333333333';
const OTHER_MANAGEMENT = '444444444444';
const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;

type Input = Record<string, unknown>;

interface Subject {
  operation: string;
  counted: string;
  /** Creates what the base input and its variations need. */
  setUp(client: ProtonClient): Promise<void>;
  base: Input;
  /** Each optional or required member changed to another valid value. */
  variations: Record<string, unknown>;
  create(client: ProtonClient, input: Input): Promise<Record<string, unknown>>;
  identity(resource: Record<string, unknown>): string;
  get(client: ProtonClient, resource: Record<string, unknown>): Promise<Record<string, unknown>>;
  remove(client: ProtonClient, resource: Record<string, unknown>): Promise<unknown>;
}

const versionId = (r: Record<string, unknown>) => `${r['templateName']}:${r['majorVersion']}.${r['minorVersion']}`;
/** What names a template version in a Get or a Delete. */
const versionKey = (r: Record<string, unknown>) => ({
  templateName: r['templateName'] as string,
  majorVersion: r['majorVersion'] as string,
  minorVersion: r['minorVersion'] as string,
});

async function templatesWithTwoMajors(client: ProtonClient, kind: 'environment' | 'service'): Promise<void> {
  for (const name of ['tpl', 'tpl2']) {
    if (kind === 'environment') {
      await client.send(new CreateEnvironmentTemplateCommand({ name }));
      for (let i = 0; i < 2; i++) await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: name, source: SOURCE }));
    } else {
      await client.send(new CreateServiceTemplateCommand({ name }));
      for (let i = 0; i < 2; i++) {
        await client.send(
          new CreateServiceTemplateVersionCommand({
            templateName: name,
            source: SOURCE,
            compatibleEnvironmentTemplates: [{ templateName: 'env', majorVersion: '1' }],
          }),
        );
      }
    }
  }
}

const subjects: Subject[] = [
  {
    operation: 'CreateEnvironmentTemplateVersion',
    counted: 'environmentTemplateVersions',
    setUp: (client) => templatesWithTwoMajors(client, 'environment'),
    base: { templateName: 'tpl', majorVersion: '1', source: SOURCE, description: 'first', tags: [{ key: 'k', value: 'v' }] },
    variations: {
      templateName: 'tpl2',
      majorVersion: '2',
      source: { s3: { bucket: 'other-bucket', key: 'env.tar.gz' } },
      description: 'second',
      tags: [{ key: 'k', value: 'w' }],
    },
    create: async (client, input) =>
      (await client.send(new CreateEnvironmentTemplateVersionCommand(input as never))).environmentTemplateVersion as never,
    identity: versionId,
    get: async (client, r) =>
      (await client.send(new GetEnvironmentTemplateVersionCommand(versionKey(r)))).environmentTemplateVersion as never,
    remove: (client, r) => client.send(new DeleteEnvironmentTemplateVersionCommand(versionKey(r))),
  },
  {
    operation: 'CreateServiceTemplateVersion',
    counted: 'serviceTemplateVersions',
    setUp: (client) => templatesWithTwoMajors(client, 'service'),
    base: {
      templateName: 'tpl',
      majorVersion: '1',
      source: SOURCE,
      compatibleEnvironmentTemplates: [{ templateName: 'env', majorVersion: '1' }],
      description: 'first',
      tags: [{ key: 'k', value: 'v' }],
    },
    variations: {
      templateName: 'tpl2',
      majorVersion: '2',
      source: { s3: { bucket: 'other-bucket', key: 'svc.tar.gz' } },
      compatibleEnvironmentTemplates: [{ templateName: 'env', majorVersion: '2' }],
      supportedComponentSources: ['DIRECTLY_DEFINED'],
      description: 'second',
      tags: [],
    },
    create: async (client, input) =>
      (await client.send(new CreateServiceTemplateVersionCommand(input as never))).serviceTemplateVersion as never,
    identity: versionId,
    get: async (client, r) => (await client.send(new GetServiceTemplateVersionCommand(versionKey(r)))).serviceTemplateVersion as never,
    remove: (client, r) => client.send(new DeleteServiceTemplateVersionCommand(versionKey(r))),
  },
  {
    operation: 'CreateEnvironmentAccountConnection',
    counted: 'environmentAccountConnections',
    setUp: async () => {},
    base: {
      managementAccountId: MANAGEMENT,
      environmentName: 'prod',
      roleArn: role('a'),
      codebuildRoleArn: role('b'),
      componentRoleArn: role('c'),
      tags: [{ key: 'k', value: 'v' }],
    },
    variations: {
      managementAccountId: OTHER_MANAGEMENT,
      environmentName: 'staging',
      roleArn: role('a2'),
      codebuildRoleArn: role('b2'),
      componentRoleArn: role('c2'),
      tags: [{ key: 'k2', value: 'v' }],
    },
    create: async (client, input) =>
      (await client.send(new CreateEnvironmentAccountConnectionCommand(input as never))).environmentAccountConnection as never,
    identity: (r) => String(r['id']),
    get: async (client, r) =>
      (await client.send(new GetEnvironmentAccountConnectionCommand({ id: r['id'] as string }))).environmentAccountConnection as never,
    remove: (client, r) => client.send(new DeleteEnvironmentAccountConnectionCommand({ id: r['id'] as string })),
  },
];

describe.each(subjects)('$operation', (subject) => {
  async function setUp() {
    const account = emulator.newAccount();
    const client = emulator.client(account);
    const hooks = emulator.hooks(account);
    await subject.setUp(client);
    // Template versions registered, so that statuses settle.
    await hooks.advance(REGISTRATION_MS);
    const count = async () => (await hooks.counts())[subject.counted]!;
    return { account, client, hooks, count };
  }

  it('same-token-same-params: the retry returns the original and creates nothing', async () => {
    const { client, count } = await setUp();
    const input = { ...subject.base, clientToken: 'retry-1' };
    const first = await subject.create(client, input);
    const after = await count();
    const retry = await subject.create(client, input);
    expect(subject.identity(retry)).toBe(subject.identity(first));
    expect(retry['arn']).toBe(first['arn']);
    expect(await count()).toBe(after);
  });

  it('same-token-same-params: progress fields are current in the retry', async () => {
    if (subject.operation === 'CreateEnvironmentAccountConnection') return; // no progress of its own
    const { client, hooks } = await setUp();
    const input = { ...subject.base, clientToken: 'progress' };
    const first = await subject.create(client, input);
    expect(first['status']).toBe('REGISTRATION_IN_PROGRESS');
    await hooks.advance(REGISTRATION_MS);
    const retry = await subject.create(client, input);
    expect(retry['status']).toBe('DRAFT');
    expect(subject.identity(retry)).toBe(subject.identity(first));
  });

  it.each(Object.keys(subject.variations))('same-token-different-params: %s alone is a mismatch', async (member) => {
    const { client, count } = await setUp();
    const first = await subject.create(client, { ...subject.base, clientToken: 'mismatch' });
    const before = await count();
    const original = await subject.get(client, first);
    const error = await failure(subject.create(client, { ...subject.base, [member]: subject.variations[member], clientToken: 'mismatch' }));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('Idempotent parameter mismatch');
    expect(await count()).toBe(before);
    expect(await subject.get(client, first)).toEqual(original);
    // The changed request is valid on its own.
    await subject.create(client, { ...subject.base, [member]: subject.variations[member] });
  });

  it('same-token-different-params: every member changed at once, and a member left out, are mismatches', async () => {
    const { client, count } = await setUp();
    await subject.create(client, { ...subject.base, clientToken: 'all' });
    const before = await count();
    const all = await failure(subject.create(client, { ...subject.base, ...subject.variations, clientToken: 'all' }));
    expect(all.message).toContain('Idempotent parameter mismatch');
    const { tags: _tags, ...withoutTags } = subject.base;
    const dropped = await failure(subject.create(client, { ...withoutTags, clientToken: 'all' }));
    expect(dropped.message).toContain('Idempotent parameter mismatch');
    expect(await count()).toBe(before);
  });

  it('expiry: before 8 h the original, at 8 h from the original request a new resource', async () => {
    const { client, hooks, count } = await setUp();
    const input = { ...subject.base, clientToken: 'expiring' };
    const first = await subject.create(client, input);
    const before = await count();
    // A retry just before expiry does not push the expiry back.
    await hooks.advance(TOKEN_LIFETIME_MS - 1000);
    expect(subject.identity(await subject.create(client, input))).toBe(subject.identity(first));
    await hooks.advance(1000);
    const renewed = await subject.create(client, input);
    expect(subject.identity(renewed)).not.toBe(subject.identity(first));
    expect(await count()).toBe(before + 1);
    // The token now names the new resource.
    expect(subject.identity(await subject.create(client, input))).toBe(subject.identity(renewed));
    expect(await count()).toBe(before + 1);
  });

  it('retry-after-delete: a new resource', async () => {
    const { client, count } = await setUp();
    const input = { ...subject.base, clientToken: 'deleted' };
    const first = await subject.create(client, input);
    await subject.remove(client, first);
    const before = await count();
    const again = await subject.create(client, input);
    expect(subject.identity(again)).not.toBe(subject.identity(first));
    expect(await count()).toBe(before + 1);
  });

  it('case-sensitive: tokens differing in case are different tokens', async () => {
    const { client, count } = await setUp();
    const before = await count();
    const upper = await subject.create(client, { ...subject.base, clientToken: 'Token-A' });
    const lower = await subject.create(client, { ...subject.base, clientToken: 'token-a' });
    expect(subject.identity(upper)).not.toBe(subject.identity(lower));
    expect(await count()).toBe(before + 2);
  });

  it('format: 64 printable ASCII characters are accepted; longer or non-printable tokens are rejected', async () => {
    const { client, account, count } = await setUp();
    const printable = Array.from({ length: 64 }, (_, i) => String.fromCharCode(33 + ((i * 7) % 94))).join('');
    const first = await subject.create(client, { ...subject.base, clientToken: printable });
    expect(subject.identity(await subject.create(client, { ...subject.base, clientToken: printable }))).toBe(subject.identity(first));
    const before = await count();
    for (const clientToken of ['x'.repeat(65), 'with space', 'tab\t', 'é']) {
      const answer = await emulator.raw(subject.operation, { ...subject.base, clientToken }, { account });
      expect(answer.status, clientToken).toBe(400);
      expect(answer.json['__type']).toBe('com.amazonaws.proton#ValidationException');
      expect(answer.json['message']).toContain("at 'clientToken'");
    }
    expect(await count()).toBe(before);
  });

  it('without a token (or with an empty one) every call creates', async () => {
    const { account, count } = await setUp();
    const before = await count();
    for (const body of [subject.base, subject.base, { ...subject.base, clientToken: '' }, { ...subject.base, clientToken: '' }]) {
      expect((await emulator.raw(subject.operation, body, { account })).status).toBe(200);
    }
    expect(await count()).toBe(before + 4);
  });

  it("sdk-default: the SDK's own retry of a lost response reuses its token: one resource", async () => {
    const { account, client, count } = await setUp();
    const retrying = new ProtonClient({
      endpoint: emulator.url(),
      region: 'us-east-1',
      credentials: { accessKeyId: account, secretAccessKey: 'test-secret' },
      maxAttempts: 3,
    });
    let attempts = 0;
    retrying.middlewareStack.add(
      (next) => async (args) => {
        attempts += 1;
        const result = await next(args);
        if (attempts === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        return result;
      },
      { step: 'deserialize', name: 'loseFirstResponse' },
    );
    const before = await count();
    const created = await subject.create(retrying, subject.base);
    expect(attempts).toBe(2);
    expect(await count()).toBe(before + 1);
    expect(subject.identity(await subject.get(client, created))).toBe(subject.identity(created));
    // A second call of the SDK is a new request with a new token.
    await subject.create(client, subject.base);
    expect(await count()).toBe(before + 2);
  });

  it('concurrent-retries: 20 identical requests at once create one resource, named by every answer', async () => {
    const { client, count } = await setUp();
    const before = await count();
    const input = { ...subject.base, clientToken: 'burst' };
    const answers = await Promise.all(Array.from({ length: 20 }, () => subject.create(client, input)));
    expect(new Set(answers.map(subject.identity)).size).toBe(1);
    expect(await count()).toBe(before + 1);
  });

  it('tokens are scoped per account and per operation', async () => {
    const { account, client, count } = await setUp();
    const other = subjects.find((s) => s !== subject)!;
    await other.setUp(client);
    const otherCount = async () => (await emulator.hooks(account).counts())[other.counted]!;
    const first = await subject.create(client, { ...subject.base, clientToken: 'shared' });
    // Another operation with the same token and its own parameters: no mismatch, a resource of its own.
    const before = await otherCount();
    await other.create(client, { ...other.base, clientToken: 'shared' });
    expect(await otherCount()).toBe(before + 1);
    // Another account with the same token and parameters creates its own.
    const elsewhere = emulator.client(emulator.newAccount());
    await subject.setUp(elsewhere);
    const theirs = await subject.create(elsewhere, { ...subject.base, clientToken: 'shared' });
    expect(theirs['arn']).not.toBe(first['arn']);
    const mine = await count();
    expect(subject.identity(await subject.create(client, { ...subject.base, clientToken: 'shared' }))).toBe(subject.identity(first));
    expect(await count()).toBe(mine);
  });
});
