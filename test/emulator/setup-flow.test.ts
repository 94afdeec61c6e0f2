// The setup flow end to end through the SDK: templates, versions, publishing,
// an environment, a service, updates, lists, tags, and the teardown in the
// order Proton requires. Time moves on the virtual clock only.
import {
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceCommand,
  DeleteEnvironmentCommand,
  DeleteEnvironmentTemplateCommand,
  DeleteEnvironmentTemplateVersionCommand,
  DeleteServiceCommand,
  DeleteServiceTemplateCommand,
  DeleteServiceTemplateVersionCommand,
  GetEnvironmentCommand,
  GetEnvironmentTemplateCommand,
  GetEnvironmentTemplateVersionCommand,
  GetServiceCommand,
  GetServiceTemplateVersionCommand,
  ListEnvironmentTemplateVersionsCommand,
  ListEnvironmentTemplatesCommand,
  ListEnvironmentsCommand,
  ListServicesCommand,
  ListServiceTemplatesCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateEnvironmentCommand,
  UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceCommand,
  UpdateServiceTemplateVersionCommand,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DURATIONS } from '../../emulator/index.ts';
import { failure, publishedEnvironmentTemplate, publishedServiceTemplate, REGISTRATION_MS, ROLE, SOURCE, useEmulator } from './support.ts';

const emulator = useEmulator();

function setup() {
  const account = emulator.newAccount();
  return { account, client: emulator.client(account, 'us-west-2'), hooks: emulator.hooks(account) };
}

describe('template versions', () => {
  it('register, then publish; the template recommends the highest published version', async () => {
    const { client, hooks, account } = setup();
    const created = await client.send(
      new CreateEnvironmentTemplateCommand({ name: 'net', displayName: 'Network', provisioning: undefined }),
    );
    expect(created.environmentTemplate?.arn).toBe(`arn:aws:proton:us-west-2:${account}:environment-template/net`);
    const v10 = await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 'net', source: SOURCE }));
    expect(v10.environmentTemplateVersion).toMatchObject({ majorVersion: '1', minorVersion: '0', status: 'REGISTRATION_IN_PROGRESS' });
    expect(v10.environmentTemplateVersion?.arn).toBe(`arn:aws:proton:us-west-2:${account}:environment-template/net:1.0`);

    const get = (minor: string, major = '1') =>
      client.send(new GetEnvironmentTemplateVersionCommand({ templateName: 'net', majorVersion: major, minorVersion: minor }));
    // Real time runs under the virtual clock too: a margin of a second before the end.
    await hooks.advance(REGISTRATION_MS - 1000);
    expect((await get('0')).environmentTemplateVersion?.status).toBe('REGISTRATION_IN_PROGRESS');
    const publishTooEarly = await failure(
      client.send(
        new UpdateEnvironmentTemplateVersionCommand({ templateName: 'net', majorVersion: '1', minorVersion: '0', status: 'PUBLISHED' }),
      ),
    );
    expect(publishTooEarly.name).toBe('ConflictException');
    await hooks.advance(1000);
    expect((await get('0')).environmentTemplateVersion?.status).toBe('DRAFT');

    const published = await client.send(
      new UpdateEnvironmentTemplateVersionCommand({ templateName: 'net', majorVersion: '1', minorVersion: '0', status: 'PUBLISHED' }),
    );
    expect(published.environmentTemplateVersion).toMatchObject({ status: 'PUBLISHED', recommendedMinorVersion: '0' });
    expect((await client.send(new GetEnvironmentTemplateCommand({ name: 'net' }))).environmentTemplate?.recommendedVersion).toBe('1.0');

    // majorVersion: the next minor of that major; without: a new major.
    const v11 = await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 'net', majorVersion: '1', source: SOURCE }));
    expect(v11.environmentTemplateVersion).toMatchObject({ majorVersion: '1', minorVersion: '1' });
    const v20 = await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 'net', source: SOURCE }));
    expect(v20.environmentTemplateVersion).toMatchObject({ majorVersion: '2', minorVersion: '0' });
    const noMajor = await failure(
      client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 'net', majorVersion: '7', source: SOURCE })),
    );
    expect(noMajor.name).toBe('ValidationException');
    const noTemplate = await failure(client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 'nope', source: SOURCE })));
    expect(noTemplate.name).toBe('ResourceNotFoundException');

    await hooks.advance(REGISTRATION_MS);
    await client.send(
      new UpdateEnvironmentTemplateVersionCommand({ templateName: 'net', majorVersion: '1', minorVersion: '1', status: 'PUBLISHED' }),
    );
    expect((await get('0')).environmentTemplateVersion?.recommendedMinorVersion).toBe('1');
    expect((await client.send(new GetEnvironmentTemplateCommand({ name: 'net' }))).environmentTemplate?.recommendedVersion).toBe('1.1');
    const unpublish = await failure(
      client.send(
        new UpdateEnvironmentTemplateVersionCommand({ templateName: 'net', majorVersion: '1', minorVersion: '1', status: 'DRAFT' }),
      ),
    );
    expect(unpublish.name).toBe('ValidationException');

    const listed = await client.send(new ListEnvironmentTemplateVersionsCommand({ templateName: 'net', majorVersion: '1' }));
    expect(listed.templateVersions?.map((v) => `${v.majorVersion}.${v.minorVersion}:${v.status}`)).toEqual([
      '1.0:PUBLISHED',
      '1.1:PUBLISHED',
    ]);
  });

  it('are never renumbered: a deleted number is not given again', async () => {
    const { client, hooks } = setup();
    await client.send(new CreateEnvironmentTemplateCommand({ name: 'renumber' }));
    await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 'renumber', source: SOURCE }));
    await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 'renumber', majorVersion: '1', source: SOURCE }));
    await hooks.advance(REGISTRATION_MS);
    await client.send(new DeleteEnvironmentTemplateVersionCommand({ templateName: 'renumber', majorVersion: '1', minorVersion: '1' }));
    const next = await client.send(
      new CreateEnvironmentTemplateVersionCommand({ templateName: 'renumber', majorVersion: '1', source: SOURCE }),
    );
    expect(next.environmentTemplateVersion?.minorVersion).toBe('2');
  });

  it('of service templates carry their compatible environment templates', async () => {
    const { client, hooks } = setup();
    await publishedEnvironmentTemplate(client, hooks, 'envt');
    await publishedServiceTemplate(client, hooks, 'svct', 'envt');
    const version = await client.send(new GetServiceTemplateVersionCommand({ templateName: 'svct', majorVersion: '1', minorVersion: '0' }));
    expect(version.serviceTemplateVersion).toMatchObject({
      status: 'PUBLISHED',
      compatibleEnvironmentTemplates: [{ templateName: 'envt', majorVersion: '1' }],
    });
    const updated = await client.send(
      new UpdateServiceTemplateVersionCommand({
        templateName: 'svct',
        majorVersion: '1',
        minorVersion: '0',
        compatibleEnvironmentTemplates: [{ templateName: 'envt', majorVersion: '2' }],
      }),
    );
    expect(updated.serviceTemplateVersion?.compatibleEnvironmentTemplates).toEqual([{ templateName: 'envt', majorVersion: '2' }]);
  });
});

describe('environments and services', () => {
  it('need a published version', async () => {
    const { client, hooks } = setup();
    await client.send(new CreateEnvironmentTemplateCommand({ name: 'draft' }));
    await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 'draft', source: SOURCE }));
    await hooks.advance(REGISTRATION_MS);
    const env = { name: 'e', templateName: 'draft', templateMajorVersion: '1', spec: 's', protonServiceRoleArn: ROLE };
    expect((await failure(client.send(new CreateEnvironmentCommand(env)))).name).toBe('ValidationException');
    expect((await failure(client.send(new CreateEnvironmentCommand({ ...env, templateMinorVersion: '0' })))).name).toBe(
      'ValidationException',
    );
    expect((await failure(client.send(new CreateEnvironmentCommand({ ...env, templateName: 'nope' })))).name).toBe(
      'ResourceNotFoundException',
    );
    expect(await hooks.counts()).toMatchObject({ environments: 0 });
  });

  it('need exactly one of a service role and a connection (AWS-managed provisioning)', async () => {
    const { client, hooks } = setup();
    await publishedEnvironmentTemplate(client, hooks, 'roles');
    const env = { name: 'e', templateName: 'roles', templateMajorVersion: '1', spec: 's' };
    expect((await failure(client.send(new CreateEnvironmentCommand(env)))).name).toBe('ValidationException');
    const both = { ...env, protonServiceRoleArn: ROLE, environmentAccountConnectionId: '0123abcd-0123-4567-89ab-0123456789ab' };
    expect((await failure(client.send(new CreateEnvironmentCommand(both)))).name).toBe('ValidationException');
  });

  it('deploy, update and delete through their statuses', async () => {
    const { client, hooks, account } = setup();
    await publishedEnvironmentTemplate(client, hooks, 'base');
    const created = await client.send(
      new CreateEnvironmentCommand({
        name: 'prod',
        templateName: 'base',
        templateMajorVersion: '1',
        spec: 'spec: 1',
        protonServiceRoleArn: ROLE,
      }),
    );
    expect(created.environment).toMatchObject({
      arn: `arn:aws:proton:us-west-2:${account}:environment/prod`,
      deploymentStatus: 'IN_PROGRESS',
      templateMajorVersion: '1',
      templateMinorVersion: '0',
    });
    await hooks.advance(DEFAULT_DURATIONS.environmentDeployment);
    const deployed = (await client.send(new GetEnvironmentCommand({ name: 'prod' }))).environment!;
    expect(deployed.deploymentStatus).toBe('SUCCEEDED');
    expect(deployed.lastSucceededDeploymentId).toBe(created.environment?.lastAttemptedDeploymentId);

    // A minor version published later; MINOR_VERSION deploys it.
    await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 'base', majorVersion: '1', source: SOURCE }));
    await hooks.advance(REGISTRATION_MS);
    await client.send(
      new UpdateEnvironmentTemplateVersionCommand({ templateName: 'base', majorVersion: '1', minorVersion: '1', status: 'PUBLISHED' }),
    );
    const updating = await client.send(new UpdateEnvironmentCommand({ name: 'prod', deploymentType: 'MINOR_VERSION', spec: 'spec: 2' }));
    expect(updating.environment).toMatchObject({ deploymentStatus: 'IN_PROGRESS', templateMinorVersion: '1', spec: 'spec: 2' });
    expect(updating.environment?.lastSucceededDeploymentId).toBe(created.environment?.lastAttemptedDeploymentId);
    await hooks.advance(DEFAULT_DURATIONS.environmentDeployment);
    expect((await client.send(new GetEnvironmentCommand({ name: 'prod' }))).environment?.deploymentStatus).toBe('SUCCEEDED');
    const noneUpdate = await client.send(new UpdateEnvironmentCommand({ name: 'prod', deploymentType: 'NONE', description: 'd' }));
    expect(noneUpdate.environment).toMatchObject({ deploymentStatus: 'SUCCEEDED', description: 'd' });
    const wrongMajor = await failure(client.send(new UpdateEnvironmentCommand({ name: 'prod', deploymentType: 'MAJOR_VERSION' })));
    expect(wrongMajor.name).toBe('ValidationException');

    // Services on a published service template.
    await publishedServiceTemplate(client, hooks, 'web', 'base');
    const service = await client.send(
      new CreateServiceCommand({ name: 'api', templateName: 'web', templateMajorVersion: '1', spec: 'instances: []' }),
    );
    expect(service.service).toMatchObject({ arn: `arn:aws:proton:us-west-2:${account}:service/api`, status: 'CREATE_IN_PROGRESS' });
    await hooks.advance(DEFAULT_DURATIONS.serviceCreation);
    expect((await client.send(new GetServiceCommand({ name: 'api' }))).service?.status).toBe('ACTIVE');
    const described = await client.send(new UpdateServiceCommand({ name: 'api', description: 'only words' }));
    expect(described.service?.status).toBe('ACTIVE');
    const respec = await client.send(new UpdateServiceCommand({ name: 'api', spec: 'instances: [a]' }));
    expect(respec.service).toMatchObject({ status: 'UPDATE_IN_PROGRESS', spec: 'instances: [a]' });
    await hooks.advance(DEFAULT_DURATIONS.serviceUpdate);
    expect((await client.send(new GetServiceCommand({ name: 'api' }))).service?.status).toBe('ACTIVE');

    const services = await client.send(new ListServicesCommand({}));
    expect(services.services?.map((s) => s.name)).toEqual(['api']);
    const environments = await client.send(
      new ListEnvironmentsCommand({ environmentTemplates: [{ templateName: 'base', majorVersion: '1' }] }),
    );
    expect(environments.environments?.map((e) => e.name)).toEqual(['prod']);
    const otherTemplate = await client.send(
      new ListEnvironmentsCommand({ environmentTemplates: [{ templateName: 'base', majorVersion: '2' }] }),
    );
    expect(otherTemplate.environments).toEqual([]);

    // Teardown in Proton's order: what is deployed to a version keeps it.
    const inUse = await failure(
      client.send(new DeleteServiceTemplateVersionCommand({ templateName: 'web', majorVersion: '1', minorVersion: '0' })),
    );
    expect(inUse.name).toBe('ConflictException');
    expect((await client.send(new DeleteServiceCommand({ name: 'api' }))).service?.status).toBe('DELETE_IN_PROGRESS');
    expect((await client.send(new DeleteEnvironmentCommand({ name: 'prod' }))).environment?.deploymentStatus).toBe('DELETE_IN_PROGRESS');
    await hooks.advance(Math.max(DEFAULT_DURATIONS.serviceDeletion, DEFAULT_DURATIONS.environmentDeletion));
    expect((await failure(client.send(new GetServiceCommand({ name: 'api' })))).name).toBe('ResourceNotFoundException');
    await client.send(new DeleteServiceTemplateVersionCommand({ templateName: 'web', majorVersion: '1', minorVersion: '0' }));
    await client.send(new DeleteServiceTemplateCommand({ name: 'web' }));
    // 1.1 is the recommended minor version while 1.0 exists.
    const recommended = await failure(
      client.send(new DeleteEnvironmentTemplateVersionCommand({ templateName: 'base', majorVersion: '1', minorVersion: '1' })),
    );
    expect(recommended.name).toBe('ConflictException');
    await client.send(new DeleteEnvironmentTemplateVersionCommand({ templateName: 'base', majorVersion: '1', minorVersion: '0' }));
    await client.send(new DeleteEnvironmentTemplateVersionCommand({ templateName: 'base', majorVersion: '1', minorVersion: '1' }));
    await client.send(new DeleteEnvironmentTemplateCommand({ name: 'base' }));
    expect(await hooks.counts()).toEqual({
      environmentTemplates: 0,
      environmentTemplateVersions: 0,
      serviceTemplates: 0,
      serviceTemplateVersions: 0,
      environments: 0,
      services: 0,
      environmentAccountConnections: 0,
    });
  });

  it('refuse updates while being deleted', async () => {
    const { client, hooks } = setup();
    await publishedEnvironmentTemplate(client, hooks, 'busy');
    await client.send(
      new CreateEnvironmentCommand({ name: 'e', templateName: 'busy', templateMajorVersion: '1', spec: 's', protonServiceRoleArn: ROLE }),
    );
    await client.send(new DeleteEnvironmentCommand({ name: 'e' }));
    const update = await failure(client.send(new UpdateEnvironmentCommand({ name: 'e', deploymentType: 'NONE', description: 'x' })));
    expect(update.name).toBe('ConflictException');
  });
});

describe('lists', () => {
  async function names(client: ProtonClient, maxResults: number): Promise<string[][]> {
    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(new ListEnvironmentTemplatesCommand({ maxResults, nextToken }));
      pages.push(page.templates!.map((t) => t.name!));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return pages;
  }

  it('paginate with maxResults and nextToken, in creation order', async () => {
    const { client } = setup();
    for (const name of ['a', 'b', 'c', 'd', 'e']) await client.send(new CreateEnvironmentTemplateCommand({ name }));
    expect(await names(client, 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(await names(client, 5)).toEqual([['a', 'b', 'c', 'd', 'e']]);
    const bad = await failure(client.send(new ListEnvironmentTemplatesCommand({ nextToken: 'bm90LWEtdG9rZW4=' })));
    expect(bad.name).toBe('ValidationException');
  });

  it('show template summaries without the encryption key', async () => {
    const { client } = setup();
    const key = 'arn:aws:kms:us-west-2:123456789012:key/abc';
    await client.send(new CreateEnvironmentTemplateCommand({ name: 'k', encryptionKey: key }));
    expect((await client.send(new GetEnvironmentTemplateCommand({ name: 'k' }))).environmentTemplate?.encryptionKey).toBe(key);
    expect((await client.send(new ListEnvironmentTemplatesCommand({}))).templates?.[0]).not.toHaveProperty('encryptionKey');
    expect((await client.send(new ListServiceTemplatesCommand({}))).templates).toEqual([]);
  });
});

describe('tags', () => {
  it('are set at creation, added, removed and listed by ARN', async () => {
    const { client, account } = setup();
    const created = await client.send(new CreateEnvironmentTemplateCommand({ name: 'tagged', tags: [{ key: 'team', value: 'a' }] }));
    const arn = created.environmentTemplate!.arn!;
    const list = async (resourceArn = arn) => (await client.send(new ListTagsForResourceCommand({ resourceArn }))).tags;
    expect(await list()).toEqual([{ key: 'team', value: 'a' }]);
    await client.send(
      new TagResourceCommand({
        resourceArn: arn,
        tags: [
          { key: 'team', value: 'b' },
          { key: 'cost', value: '1' },
        ],
      }),
    );
    // Listed in key order (emulator/pagination.ts).
    expect(await list()).toEqual([
      { key: 'cost', value: '1' },
      { key: 'team', value: 'b' },
    ]);
    await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team', 'absent'] }));
    expect(await list()).toEqual([{ key: 'cost', value: '1' }]);
    const version = await client.send(
      new CreateEnvironmentTemplateVersionCommand({ templateName: 'tagged', source: SOURCE, tags: [{ key: 'v', value: '1' }] }),
    );
    expect(await list(version.environmentTemplateVersion!.arn!)).toEqual([{ key: 'v', value: '1' }]);
    const missing = await failure(list(`arn:aws:proton:us-west-2:${account}:environment-template/absent`));
    expect(missing.name).toBe('ResourceNotFoundException');
    const otherAccount = await failure(list(arn.replace(account, '999999999999')));
    expect(otherAccount.name).toBe('ResourceNotFoundException');
    const tooMany = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    const over = await failure(client.send(new TagResourceCommand({ resourceArn: arn, tags: tooMany })));
    expect(over.name).toBe('ValidationException');
    expect(await list()).toEqual([{ key: 'cost', value: '1' }]);
  });
});
