// Category async-delete: DeleteEnvironment, DeleteService.
import {
  CreateEnvironmentCommand,
  CreateServiceCommand,
  DeleteEnvironmentCommand,
  DeleteServiceCommand,
  GetEnvironmentCommand,
  GetServiceCommand,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DURATIONS } from '../../emulator/index.ts';
import { failure, publishedEnvironmentTemplate, publishedServiceTemplate, ROLE, useEmulator } from './support.ts';

const emulator = useEmulator();
type Hooks = ReturnType<typeof emulator.hooks>;
type Resource = Record<string, unknown>;

interface Subject {
  operation: string;
  counted: string;
  duration: 'environmentDeletion' | 'serviceDeletion';
  statusMember: 'deploymentStatus' | 'status';
  create(client: ProtonClient, hooks: Hooks, name: string): Promise<void>;
  remove(client: ProtonClient, name: string): Promise<Resource | undefined>;
  get(client: ProtonClient, name: string): Promise<Resource>;
}

const subjects: Subject[] = [
  {
    operation: 'DeleteEnvironment',
    counted: 'environments',
    duration: 'environmentDeletion',
    statusMember: 'deploymentStatus',
    create: async (client, hooks, name) => {
      await publishedEnvironmentTemplate(client, hooks, `${name}-template`);
      await client.send(
        new CreateEnvironmentCommand({
          name,
          templateName: `${name}-template`,
          templateMajorVersion: '1',
          spec: 's',
          protonServiceRoleArn: ROLE,
        }),
      );
    },
    remove: async (c, name) => (await c.send(new DeleteEnvironmentCommand({ name }))).environment as never,
    get: async (c, name) => (await c.send(new GetEnvironmentCommand({ name }))).environment as never,
  },
  {
    operation: 'DeleteService',
    counted: 'services',
    duration: 'serviceDeletion',
    statusMember: 'status',
    create: async (client, hooks, name) => {
      await publishedEnvironmentTemplate(client, hooks, `${name}-env`);
      await publishedServiceTemplate(client, hooks, `${name}-template`, `${name}-env`);
      await client.send(new CreateServiceCommand({ name, templateName: `${name}-template`, templateMajorVersion: '1', spec: 's' }));
    },
    remove: async (c, name) => (await c.send(new DeleteServiceCommand({ name }))).service as never,
    get: async (c, name) => (await c.send(new GetServiceCommand({ name }))).service as never,
  },
];

describe.each(subjects)('$operation', (subject) => {
  const deletionMs = DEFAULT_DURATIONS[subject.duration];

  async function setUp() {
    const account = emulator.newAccount();
    const client = emulator.client(account);
    const hooks = emulator.hooks(account);
    await subject.create(client, hooks, 'target');
    await subject.create(client, hooks, 'sibling');
    const count = async () => (await hooks.counts())[subject.counted]!;
    return { account, client, hooks, count };
  }

  it('the delete answers the details with status DELETE_IN_PROGRESS', async () => {
    const { client } = await setUp();
    const deleting = await subject.remove(client, 'target');
    expect(deleting?.['name']).toBe('target');
    expect(deleting?.[subject.statusMember]).toBe('DELETE_IN_PROGRESS');
    expect((await subject.get(client, 'target'))[subject.statusMember]).toBe('DELETE_IN_PROGRESS');
  });

  it('retry-in-progress: retries answer the same details without restarting or prolonging the deletion', async () => {
    const { client, hooks, count } = await setUp();
    const before = await count();
    const deleting = await subject.remove(client, 'target');
    for (let i = 0; i < 3; i++) {
      await hooks.advance((deletionMs - 1000) / 3);
      const retry = await subject.remove(client, 'target');
      expect(retry).toEqual(deleting);
      expect((await subject.get(client, 'target'))[subject.statusMember]).toBe('DELETE_IN_PROGRESS');
    }
    // Still counted while being deleted; gone at the original end.
    expect(await count()).toBe(before);
    await hooks.advance(1000);
    expect((await failure(subject.get(client, 'target'))).name).toBe('ResourceNotFoundException');
    expect(await count()).toBe(before - 1);
    expect((await subject.get(client, 'sibling'))['name']).toBe('sibling');
  });

  it('retry-after-complete: once Get answers ResourceNotFoundException, a retry answers an empty response', async () => {
    const { account, client, hooks } = await setUp();
    await subject.remove(client, 'target');
    await hooks.advance(deletionMs);
    expect((await failure(subject.get(client, 'target'))).name).toBe('ResourceNotFoundException');
    expect(await subject.remove(client, 'target')).toBeUndefined();
    const raw = await emulator.raw(subject.operation, { name: 'target' }, { account });
    expect(raw.status).toBe(200);
    expect(raw.text).toBe('{}');
  });

  it('a resource that never existed answers an empty response', async () => {
    const { account } = await setUp();
    const raw = await emulator.raw(subject.operation, { name: 'never' }, { account });
    expect(raw.status).toBe(200);
    expect(raw.text).toBe('{}');
  });

  it('takes the duration set through the hooks when the deletion starts', async () => {
    const { client, hooks } = await setUp();
    await hooks.setDurations({ [subject.duration]: 60 * 60_000 });
    await subject.remove(client, 'target');
    await hooks.setDurations({ [subject.duration]: 1_000 });
    await hooks.advance(30 * 60_000);
    expect(await subject.remove(client, 'target')).toMatchObject({ [subject.statusMember]: 'DELETE_IN_PROGRESS' });
    await hooks.advance(30 * 60_000);
    expect(await subject.remove(client, 'target')).toBeUndefined();
  });

  it('concurrent deletes and retries: one deletion, every answer DELETE_IN_PROGRESS', async () => {
    const { client, hooks } = await setUp();
    const answers = await Promise.all(Array.from({ length: 10 }, () => subject.remove(client, 'target')));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]?.[subject.statusMember]).toBe('DELETE_IN_PROGRESS');
    await hooks.advance(deletionMs);
    expect((await failure(subject.get(client, 'target'))).name).toBe('ResourceNotFoundException');
  });
});
