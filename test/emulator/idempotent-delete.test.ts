// Category idempotent-delete: DeleteEnvironmentTemplate,
// DeleteEnvironmentTemplateVersion, DeleteServiceTemplate,
// DeleteServiceTemplateVersion, DeleteEnvironmentAccountConnection.
import {
  CreateEnvironmentAccountConnectionCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  DeleteEnvironmentAccountConnectionCommand,
  DeleteEnvironmentTemplateCommand,
  DeleteEnvironmentTemplateVersionCommand,
  DeleteServiceTemplateCommand,
  DeleteServiceTemplateVersionCommand,
  GetEnvironmentAccountConnectionCommand,
  GetEnvironmentTemplateCommand,
  GetEnvironmentTemplateVersionCommand,
  GetServiceTemplateCommand,
  GetServiceTemplateVersionCommand,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DURATIONS } from '../../emulator/index.ts';
import { failure, SOURCE, useEmulator } from './support.ts';

const emulator = useEmulator();
const COMPATIBLE = [{ templateName: 'env', majorVersion: '1' }];

type Resource = Record<string, unknown>;

interface Subject {
  operation: string;
  counted: string;
  outputMember: string;
  /** Creates the resource to delete and a sibling; returns their delete inputs. */
  setUp(client: ProtonClient): Promise<{ target: Resource; sibling: Resource }>;
  /** Creates the target again, with the same identity (when the kind allows it). */
  recreate?(client: ProtonClient): Promise<void>;
  remove(client: ProtonClient, input: Resource): Promise<Resource | undefined>;
  get(client: ProtonClient, input: Resource): Promise<Record<string, unknown>>;
  /** A delete input of a resource that never existed. */
  absent: Resource;
}

const environmentTemplate = async (client: ProtonClient, name: string) =>
  client.send(new CreateEnvironmentTemplateCommand({ name, description: name }));
const serviceTemplate = async (client: ProtonClient, name: string) =>
  client.send(new CreateServiceTemplateCommand({ name, description: name }));
const environmentVersion = (client: ProtonClient, majorVersion?: string) =>
  client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 't', majorVersion, source: SOURCE }));
const serviceVersion = (client: ProtonClient, majorVersion?: string) =>
  client.send(
    new CreateServiceTemplateVersionCommand({
      templateName: 't',
      majorVersion,
      source: SOURCE,
      compatibleEnvironmentTemplates: COMPATIBLE,
    }),
  );

const subjects: Subject[] = [
  {
    operation: 'DeleteEnvironmentTemplate',
    counted: 'environmentTemplates',
    outputMember: 'environmentTemplate',
    setUp: async (client) => {
      await environmentTemplate(client, 'target');
      await environmentTemplate(client, 'sibling');
      return { target: { name: 'target' }, sibling: { name: 'sibling' } };
    },
    recreate: async (client) => {
      await environmentTemplate(client, 'target');
    },
    remove: async (c, input) => (await c.send(new DeleteEnvironmentTemplateCommand(input as never))).environmentTemplate as never,
    get: async (c, input) => (await c.send(new GetEnvironmentTemplateCommand(input as never))).environmentTemplate as never,
    absent: { name: 'never' },
  },
  {
    operation: 'DeleteServiceTemplate',
    counted: 'serviceTemplates',
    outputMember: 'serviceTemplate',
    setUp: async (client) => {
      await serviceTemplate(client, 'target');
      await serviceTemplate(client, 'sibling');
      return { target: { name: 'target' }, sibling: { name: 'sibling' } };
    },
    recreate: async (client) => {
      await serviceTemplate(client, 'target');
    },
    remove: async (c, input) => (await c.send(new DeleteServiceTemplateCommand(input as never))).serviceTemplate as never,
    get: async (c, input) => (await c.send(new GetServiceTemplateCommand(input as never))).serviceTemplate as never,
    absent: { name: 'never' },
  },
  {
    operation: 'DeleteEnvironmentTemplateVersion',
    counted: 'environmentTemplateVersions',
    outputMember: 'environmentTemplateVersion',
    setUp: async (client) => {
      await environmentTemplate(client, 't');
      await environmentVersion(client);
      await environmentVersion(client, '1');
      return {
        target: { templateName: 't', majorVersion: '1', minorVersion: '1' },
        sibling: { templateName: 't', majorVersion: '1', minorVersion: '0' },
      };
    },
    remove: async (c, input) =>
      (await c.send(new DeleteEnvironmentTemplateVersionCommand(input as never))).environmentTemplateVersion as never,
    get: async (c, input) => (await c.send(new GetEnvironmentTemplateVersionCommand(input as never))).environmentTemplateVersion as never,
    recreate: async (client) => {
      await client.send(new DeleteEnvironmentTemplateVersionCommand({ templateName: 't', majorVersion: '1', minorVersion: '0' }));
      await client.send(new DeleteEnvironmentTemplateCommand({ name: 't' }));
      await environmentTemplate(client, 't');
      await environmentVersion(client);
      await environmentVersion(client, '1');
    },
    absent: { templateName: 't', majorVersion: '9', minorVersion: '9' },
  },
  {
    operation: 'DeleteServiceTemplateVersion',
    counted: 'serviceTemplateVersions',
    outputMember: 'serviceTemplateVersion',
    setUp: async (client) => {
      await serviceTemplate(client, 't');
      await serviceVersion(client);
      await serviceVersion(client, '1');
      return {
        target: { templateName: 't', majorVersion: '1', minorVersion: '1' },
        sibling: { templateName: 't', majorVersion: '1', minorVersion: '0' },
      };
    },
    remove: async (c, input) => (await c.send(new DeleteServiceTemplateVersionCommand(input as never))).serviceTemplateVersion as never,
    get: async (c, input) => (await c.send(new GetServiceTemplateVersionCommand(input as never))).serviceTemplateVersion as never,
    recreate: async (client) => {
      await client.send(new DeleteServiceTemplateVersionCommand({ templateName: 't', majorVersion: '1', minorVersion: '0' }));
      await client.send(new DeleteServiceTemplateCommand({ name: 't' }));
      await serviceTemplate(client, 't');
      await serviceVersion(client);
      await serviceVersion(client, '1');
    },
    absent: { templateName: 'never', majorVersion: '1', minorVersion: '0' },
  },
  {
    operation: 'DeleteEnvironmentAccountConnection',
    counted: 'environmentAccountConnections',
    outputMember: 'environmentAccountConnection',
    setUp: async (client) => {
      const create = async (environmentName: string) =>
        (
          await client.send(
            new CreateEnvironmentAccountConnectionCommand({
              managementAccountId: '333333333333',
              environmentName,
              roleArn: 'arn:aws:iam::123456789012:role/r',
            }),
          )
        ).environmentAccountConnection!;
      const target = await create('a');
      const sibling = await create('b');
      return { target: { id: target.id }, sibling: { id: sibling.id } };
    },
    remove: async (c, input) =>
      (await c.send(new DeleteEnvironmentAccountConnectionCommand(input as never))).environmentAccountConnection as never,
    get: async (c, input) =>
      (await c.send(new GetEnvironmentAccountConnectionCommand(input as never))).environmentAccountConnection as never,
    absent: { id: '00000000-0000-4000-8000-000000000000' },
  },
];

describe.each(subjects)('$operation', (subject) => {
  async function setUp() {
    const account = emulator.newAccount();
    const client = emulator.client(account);
    const hooks = emulator.hooks(account);
    const { target, sibling } = await subject.setUp(client);
    const count = async () => (await hooks.counts())[subject.counted]!;
    return { account, client, hooks, target, sibling, count };
  }

  it("retry-succeeds, retry-returns-metadata: the retry answers the deleted resource's metadata", async () => {
    const { client, target, count } = await setUp();
    const before = await count();
    const deleted = await subject.remove(client, target);
    expect(deleted?.['arn']).toMatch(/^arn:aws:proton:/);
    expect(await count()).toBe(before - 1);
    expect((await failure(subject.get(client, target))).name).toBe('ResourceNotFoundException');
    expect(await subject.remove(client, target)).toEqual(deleted);
    expect(await subject.remove(client, target)).toEqual(deleted);
    expect(await count()).toBe(before - 1);
  });

  it('no-further-action: siblings are untouched by the delete and its retries', async () => {
    const { client, target, sibling } = await setUp();
    const siblingBefore = await subject.get(client, sibling);
    await subject.remove(client, target);
    await subject.remove(client, target);
    expect(await subject.get(client, sibling)).toEqual(siblingBefore);
  });

  it('absent-is-empty: a resource that never existed answers an empty response', async () => {
    const { account, client } = await setUp();
    expect(await subject.remove(client, subject.absent)).toBeUndefined();
    const raw = await emulator.raw(subject.operation, subject.absent, { account });
    expect(raw.status).toBe(200);
    expect(raw.text).toBe('{}');
  });

  it('metadata is remembered for deletedMetadataRetention, then the answer is empty', async () => {
    const { account, client, hooks, target } = await setUp();
    await subject.remove(client, target);
    await hooks.advance(DEFAULT_DURATIONS.deletedMetadataRetention - 1000);
    expect(await subject.remove(client, target)).toBeDefined();
    await hooks.advance(1000);
    expect(await subject.remove(client, target)).toBeUndefined();
    expect((await emulator.raw(subject.operation, target, { account })).text).toBe('{}');
  });

  it('retention follows the durations hook, as set when the resource was deleted', async () => {
    const { client, hooks, target } = await setUp();
    await hooks.setDurations({ deletedMetadataRetention: 5_000 });
    await subject.remove(client, target);
    await hooks.setDurations({ deletedMetadataRetention: 10 * 60_000 });
    await hooks.advance(5_000);
    expect(await subject.remove(client, target)).toBeUndefined();
  });

  // Connections have no re-create: their ids are never reused.
  const recreate = subject.recreate;
  if (recreate)
    it('after a re-create and a second delete, retries answer the last deletion', async () => {
      const { client, hooks, target } = await setUp();
      const first = await subject.remove(client, target);
      await hooks.advance(1000);
      await recreate(client);
      const second = await subject.remove(client, target);
      expect(second?.['createdAt']).not.toEqual(first?.['createdAt']);
      expect(await subject.remove(client, target)).toEqual(second);
    });

  it('concurrent deletes: one deletion, every answer the same metadata', async () => {
    const { client, target, count } = await setUp();
    const before = await count();
    const answers = await Promise.all(Array.from({ length: 10 }, () => subject.remove(client, target)));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(await count()).toBe(before - 1);
  });
});

describe('what may not be deleted', () => {
  it('a template with versions: ConflictException, nothing deleted', async () => {
    const client = emulator.client(emulator.newAccount());
    await environmentTemplate(client, 't');
    await environmentVersion(client);
    const error = await failure(client.send(new DeleteEnvironmentTemplateCommand({ name: 't' })));
    expect(error.name).toBe('ConflictException');
    await client.send(new GetEnvironmentTemplateCommand({ name: 't' }));
    // After its versions, the template goes.
    await client.send(new DeleteEnvironmentTemplateVersionCommand({ templateName: 't', majorVersion: '1', minorVersion: '0' }));
    expect((await client.send(new DeleteEnvironmentTemplateCommand({ name: 't' }))).environmentTemplate?.name).toBe('t');
  });

  it('a connection, by its management account: AccessDeniedException', async () => {
    const environmentAccount = emulator.newAccount();
    const managementAccount = emulator.newAccount();
    const requester = emulator.client(environmentAccount);
    const created = await requester.send(
      new CreateEnvironmentAccountConnectionCommand({
        managementAccountId: managementAccount,
        environmentName: 'e',
        roleArn: 'arn:aws:iam::123456789012:role/r',
      }),
    );
    const error = await failure(
      emulator
        .client(managementAccount)
        .send(new DeleteEnvironmentAccountConnectionCommand({ id: created.environmentAccountConnection!.id! })),
    );
    expect(error.name).toBe('AccessDeniedException');
  });
});
