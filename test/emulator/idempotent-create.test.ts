// Category idempotent-create: CreateEnvironmentTemplate, CreateServiceTemplate,
// CreateEnvironment, CreateService (identity = name).
import {
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  DeleteEnvironmentCommand,
  DeleteEnvironmentTemplateCommand,
  DeleteServiceCommand,
  DeleteServiceTemplateCommand,
  GetEnvironmentCommand,
  GetEnvironmentTemplateCommand,
  GetServiceCommand,
  GetServiceTemplateCommand,
  UpdateEnvironmentCommand,
  UpdateEnvironmentTemplateCommand,
  UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceCommand,
  UpdateServiceTemplateCommand,
  UpdateServiceTemplateVersionCommand,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DURATIONS } from '../../emulator/index.ts';
import { failure, REGISTRATION_MS, ROLE, SOURCE, useEmulator } from './support.ts';

const emulator = useEmulator();
const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
const key = (name: string) => `arn:aws:kms:us-east-1:123456789012:key/${name}`;

type Input = Record<string, unknown>;
type Resource = Record<string, unknown>;
type Hooks = ReturnType<typeof emulator.hooks>;

/** Templates `name` with published versions 1.0, 1.1 and 2.0. */
async function publishedVersions(client: ProtonClient, hooks: Hooks, kind: 'environment' | 'service', name: string) {
  const compatible = [{ templateName: 'any', majorVersion: '1' }];
  if (kind === 'environment') {
    await client.send(new CreateEnvironmentTemplateCommand({ name }));
    for (const majorVersion of [undefined, '1', undefined]) {
      await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: name, majorVersion, source: SOURCE }));
    }
  } else {
    await client.send(new CreateServiceTemplateCommand({ name }));
    for (const majorVersion of [undefined, '1', undefined]) {
      await client.send(
        new CreateServiceTemplateVersionCommand({
          templateName: name,
          majorVersion,
          source: SOURCE,
          compatibleEnvironmentTemplates: compatible,
        }),
      );
    }
  }
  await hooks.advance(REGISTRATION_MS);
  for (const [majorVersion, minorVersion] of [
    ['1', '0'],
    ['1', '1'],
    ['2', '0'],
  ] as const) {
    const input = { templateName: name, majorVersion, minorVersion, status: 'PUBLISHED' as const };
    if (kind === 'environment') await client.send(new UpdateEnvironmentTemplateVersionCommand(input));
    else await client.send(new UpdateServiceTemplateVersionCommand(input));
  }
}

interface Subject {
  operation: string;
  counted: string;
  setUp(client: ProtonClient, hooks: Hooks): Promise<void>;
  base: Input;
  variations: Record<string, unknown>;
  create(client: ProtonClient, input: Input): Promise<Resource>;
  get(client: ProtonClient, name: string): Promise<Resource>;
  /** The Updates that count as modifications, one per field. */
  updates: Record<string, (client: ProtonClient, name: string) => Promise<unknown>>;
  /** Deletes, and waits (virtual clock) until the deletion is complete. */
  remove(client: ProtonClient, hooks: Hooks, name: string): Promise<void>;
  /** Deletes without waiting; undefined for synchronous deletes. */
  startDeletion?(client: ProtonClient, name: string): Promise<unknown>;
  /** How long the resource's own progress takes (0: none). */
  progressMs: number;
}

const subjects: Subject[] = [
  {
    operation: 'CreateEnvironmentTemplate',
    counted: 'environmentTemplates',
    setUp: async () => {},
    base: { name: 'tmpl', displayName: 'Template', description: 'first', encryptionKey: key('a'), tags: [{ key: 'k', value: 'v' }] },
    variations: { displayName: 'Other', description: 'second', encryptionKey: key('b'), provisioning: 'CUSTOMER_MANAGED', tags: [] },
    create: async (c, input) => (await c.send(new CreateEnvironmentTemplateCommand(input as never))).environmentTemplate as never,
    get: async (c, name) => (await c.send(new GetEnvironmentTemplateCommand({ name }))).environmentTemplate as never,
    updates: {
      displayName: (c, name) => c.send(new UpdateEnvironmentTemplateCommand({ name, displayName: 'Renamed' })),
      description: (c, name) => c.send(new UpdateEnvironmentTemplateCommand({ name, description: 'changed' })),
    },
    remove: async (c, _hooks, name) => {
      await c.send(new DeleteEnvironmentTemplateCommand({ name }));
    },
    progressMs: 0,
  },
  {
    operation: 'CreateServiceTemplate',
    counted: 'serviceTemplates',
    setUp: async () => {},
    base: { name: 'tmpl', displayName: 'Template', description: 'first', tags: [{ key: 'k', value: 'v' }] },
    variations: {
      displayName: 'Other',
      description: 'second',
      encryptionKey: key('b'),
      pipelineProvisioning: 'CUSTOMER_MANAGED',
      tags: [],
    },
    create: async (c, input) => (await c.send(new CreateServiceTemplateCommand(input as never))).serviceTemplate as never,
    get: async (c, name) => (await c.send(new GetServiceTemplateCommand({ name }))).serviceTemplate as never,
    updates: {
      displayName: (c, name) => c.send(new UpdateServiceTemplateCommand({ name, displayName: 'Renamed' })),
      description: (c, name) => c.send(new UpdateServiceTemplateCommand({ name, description: 'changed' })),
    },
    remove: async (c, _hooks, name) => {
      await c.send(new DeleteServiceTemplateCommand({ name }));
    },
    progressMs: 0,
  },
  {
    operation: 'CreateEnvironment',
    counted: 'environments',
    setUp: async (c, hooks) => {
      await publishedVersions(c, hooks, 'environment', 'base');
      await publishedVersions(c, hooks, 'environment', 'base2');
    },
    base: {
      name: 'env',
      templateName: 'base',
      templateMajorVersion: '1',
      templateMinorVersion: '0',
      spec: 'proton: EnvironmentSpec',
      protonServiceRoleArn: ROLE,
      description: 'first',
      tags: [{ key: 'k', value: 'v' }],
    },
    variations: {
      templateName: 'base2',
      templateMajorVersion: '2',
      templateMinorVersion: '1',
      spec: 'proton: Other',
      protonServiceRoleArn: role('other'),
      codebuildRoleArn: role('codebuild'),
      componentRoleArn: role('component'),
      description: 'second',
      tags: [{ key: 'k', value: 'w' }],
    },
    create: async (c, input) => (await c.send(new CreateEnvironmentCommand(input as never))).environment as never,
    get: async (c, name) => (await c.send(new GetEnvironmentCommand({ name }))).environment as never,
    updates: {
      description: (c, name) => c.send(new UpdateEnvironmentCommand({ name, deploymentType: 'NONE', description: 'changed' })),
    },
    startDeletion: (c, name) => c.send(new DeleteEnvironmentCommand({ name })),
    remove: async (c, hooks, name) => {
      await c.send(new DeleteEnvironmentCommand({ name }));
      await hooks.advance(DEFAULT_DURATIONS.environmentDeletion);
    },
    progressMs: DEFAULT_DURATIONS.environmentDeployment,
  },
  {
    operation: 'CreateService',
    counted: 'services',
    setUp: async (c, hooks) => {
      await publishedVersions(c, hooks, 'service', 'web');
      await publishedVersions(c, hooks, 'service', 'web2');
    },
    base: {
      name: 'svc',
      templateName: 'web',
      templateMajorVersion: '1',
      templateMinorVersion: '0',
      spec: 'instances: []',
      description: 'first',
      tags: [{ key: 'k', value: 'v' }],
    },
    variations: {
      templateName: 'web2',
      templateMajorVersion: '2',
      templateMinorVersion: '1',
      spec: 'instances: [a]',
      description: 'second',
      branchName: 'main',
      repositoryConnectionArn: 'arn:aws:codestar-connections:us-east-1:123456789012:connection/abc',
      repositoryId: 'org/repo',
      tags: [],
    },
    create: async (c, input) => (await c.send(new CreateServiceCommand(input as never))).service as never,
    get: async (c, name) => (await c.send(new GetServiceCommand({ name }))).service as never,
    updates: {
      description: (c, name) => c.send(new UpdateServiceCommand({ name, description: 'changed' })),
      spec: (c, name) => c.send(new UpdateServiceCommand({ name, spec: 'instances: [b]' })),
    },
    startDeletion: (c, name) => c.send(new DeleteServiceCommand({ name })),
    remove: async (c, hooks, name) => {
      await c.send(new DeleteServiceCommand({ name }));
      await hooks.advance(DEFAULT_DURATIONS.serviceDeletion);
    },
    progressMs: DEFAULT_DURATIONS.serviceCreation,
  },
];

/** The fields that don't report progress. */
function stable(resource: Resource): Resource {
  const {
    status: _s,
    deploymentStatus: _d,
    lastModifiedAt: _m,
    lastDeploymentSucceededAt: _a,
    lastSucceededDeploymentId: _i,
    ...rest
  } = resource;
  return rest;
}

describe.each(subjects)('$operation', (subject) => {
  const name = subject.base['name'] as string;

  async function setUp() {
    const account = emulator.newAccount();
    const client = emulator.client(account);
    const hooks = emulator.hooks(account);
    await subject.setUp(client, hooks);
    const count = async () => (await hooks.counts())[subject.counted]!;
    return { client, hooks, count };
  }

  it('unmodified-retry: returns the original (same arn and createdAt) and creates nothing', async () => {
    const { client, hooks, count } = await setUp();
    const first = await subject.create(client, subject.base);
    const after = await count();
    await hooks.advance(subject.progressMs);
    const retry = await subject.create(client, subject.base);
    expect(stable(retry)).toEqual(stable(first));
    expect(retry['arn']).toBe(first['arn']);
    expect((retry['createdAt'] as Date).getTime()).toBe((first['createdAt'] as Date).getTime());
    expect(await count()).toBe(after);
    if (subject.progressMs > 0) {
      // Progress fields are current.
      expect(retry['status'] ?? retry['deploymentStatus']).not.toBe(first['status'] ?? first['deploymentStatus']);
    }
  });

  it.each(Object.keys(subject.variations))('different-params: %s alone is a mismatch that changes nothing', async (member) => {
    const { client, count } = await setUp();
    await subject.create(client, subject.base);
    const original = await subject.get(client, name);
    const before = await count();
    const error = await failure(subject.create(client, { ...subject.base, [member]: subject.variations[member] }));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('Idempotent parameter mismatch');
    expect(await subject.get(client, name)).toEqual(original);
    expect(await count()).toBe(before);
    // Valid on its own: under another name it succeeds.
    await subject.create(client, { ...subject.base, [member]: subject.variations[member], name: 'fresh' });
  });

  it('different-params: a member left out is a mismatch', async () => {
    const { client } = await setUp();
    await subject.create(client, subject.base);
    const { description: _d, ...withoutDescription } = subject.base;
    const error = await failure(subject.create(client, withoutDescription));
    expect(error.message).toContain('Idempotent parameter mismatch');
  });

  it.each(Object.keys(subject.updates))(
    'modified-retry: after an Update of %s, an identical retry is a ConflictException',
    async (field) => {
      const { client, count } = await setUp();
      await subject.create(client, subject.base);
      await subject.updates[field]!(client, name);
      const modified = await subject.get(client, name);
      const before = await count();
      const error = await failure(subject.create(client, subject.base));
      expect(error.name).toBe('ConflictException');
      expect(await subject.get(client, name)).toEqual(modified);
      expect(await count()).toBe(before);
    },
  );

  it('a retry with different parameters after an Update is judged on the parameters first: mismatch', async () => {
    const { client } = await setUp();
    await subject.create(client, subject.base);
    await Object.values(subject.updates)[0]!(client, name);
    const error = await failure(subject.create(client, { ...subject.base, description: 'another' }));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('Idempotent parameter mismatch');
  });

  it('a retry after the resource was deleted creates a new one', async () => {
    const { client, hooks, count } = await setUp();
    const first = await subject.create(client, subject.base);
    if (subject.startDeletion !== undefined) {
      await subject.startDeletion(client, name);
      // While the deletion runs, the name is taken by a resource going away.
      expect((await failure(subject.create(client, subject.base))).name).toBe('ConflictException');
      await hooks.advance(60_000);
    } else {
      await subject.remove(client, hooks, name);
    }
    const before = await count();
    await hooks.advance(1000);
    const again = await subject.create(client, subject.base);
    expect((again['createdAt'] as Date).getTime()).toBeGreaterThan((first['createdAt'] as Date).getTime());
    expect(await count()).toBe(before + 1);
  });

  it('concurrent-retries: 20 identical creates at once leave one resource, named by every answer', async () => {
    const { client, count } = await setUp();
    const before = await count();
    const answers = await Promise.all(Array.from({ length: 20 }, () => subject.create(client, subject.base)));
    expect(new Set(answers.map((a) => `${a['arn']} ${(a['createdAt'] as Date).getTime()}`)).size).toBe(1);
    expect(await count()).toBe(before + 1);
  });

  it('concurrent creates with different parameters: one wins, the others are mismatches', async () => {
    const { client, count } = await setUp();
    const before = await count();
    const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((d) => subject.create(client, { ...subject.base, description: d })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect(String((r as PromiseRejectedResult).reason)).toContain('Idempotent parameter mismatch');
    }
    expect(await count()).toBe(before + 1);
  });
});
