// How an environment is provisioned, and what an update may change of it, as
// the model's documentation of CreateEnvironment and UpdateEnvironment says
// (found by the parity corpus, issue 22): a service role or an environment
// account connection (AWS-managed), a CodeBuild role (CodeBuild-based), a
// repository (self-managed); an update keeps the environment on its method.
import {
  AcceptEnvironmentAccountConnectionCommand,
  CreateEnvironmentAccountConnectionCommand,
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  GetEnvironmentCommand,
  type ProtonClient,
  UpdateEnvironmentCommand,
  UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceTemplateVersionCommand,
} from '@aws-sdk/client-proton';
import { describe, expect, it } from 'vitest';
import { failure, publishedEnvironmentTemplate, REGISTRATION_MS, ROLE, SOURCE, useEmulator } from './support.ts';

const emulator = useEmulator();
const CODEBUILD_ROLE = 'arn:aws:iam::123456789012:role/codebuild';
const REPOSITORY = { provider: 'GITHUB' as const, name: 'owner/infrastructure', branch: 'main' };

/** A management account with an AWS-managed template 'base' published, and a CONNECTED connection for 'prod' from `environmentAccount`. */
async function connected(manager: ProtonClient, managementAccount: string, environmentAccount = emulator.newAccount()): Promise<string> {
  const requester = emulator.client(environmentAccount);
  const { environmentAccountConnection } = await requester.send(
    new CreateEnvironmentAccountConnectionCommand({ managementAccountId: managementAccount, environmentName: 'prod', roleArn: ROLE }),
  );
  const id = environmentAccountConnection!.id!;
  await manager.send(new AcceptEnvironmentAccountConnectionCommand({ id }));
  return id;
}

function management() {
  const account = emulator.newAccount();
  return { account, client: emulator.client(account), hooks: emulator.hooks(account) };
}

const environment = { name: 'prod', templateName: 'base', templateMajorVersion: '1', spec: 'spec: 1' };

describe('CreateEnvironment', () => {
  it('takes a CodeBuild role alone (CodeBuild-based provisioning)', async () => {
    const { client, hooks } = management();
    await publishedEnvironmentTemplate(client, hooks, 'base');
    const created = await client.send(new CreateEnvironmentCommand({ ...environment, codebuildRoleArn: CODEBUILD_ROLE }));
    expect(created.environment).toMatchObject({ name: 'prod', codebuildRoleArn: CODEBUILD_ROLE });
    expect(created.environment?.protonServiceRoleArn).toBeUndefined();
  });
  it('on a self-managed template takes a repository and neither a service role nor a connection', async () => {
    const { client, hooks } = management();
    await client.send(new CreateEnvironmentTemplateCommand({ name: 'self', provisioning: 'CUSTOMER_MANAGED' }));
    await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 'self', source: SOURCE }));
    await hooks.advance(REGISTRATION_MS);
    await client.send(
      new UpdateEnvironmentTemplateVersionCommand({ templateName: 'self', majorVersion: '1', minorVersion: '0', status: 'PUBLISHED' }),
    );
    const own = { ...environment, templateName: 'self', provisioningRepository: REPOSITORY };
    expect((await failure(client.send(new CreateEnvironmentCommand({ ...own, protonServiceRoleArn: ROLE })))).name).toBe(
      'ValidationException',
    );
    expect((await client.send(new CreateEnvironmentCommand(own))).environment).toMatchObject({ provisioning: 'CUSTOMER_MANAGED' });
  });
});

describe('UpdateEnvironment keeps an environment on its provisioning method', () => {
  it('does not connect an environment deployed with a service role to a connection', async () => {
    const { account, client, hooks } = management();
    await publishedEnvironmentTemplate(client, hooks, 'base');
    await client.send(new CreateEnvironmentCommand({ ...environment, protonServiceRoleArn: ROLE }));
    const id = await connected(client, account);
    const update = { name: 'prod', deploymentType: 'NONE' as const, environmentAccountConnectionId: id };
    expect((await failure(client.send(new UpdateEnvironmentCommand(update)))).name).toBe('ValidationException');
    const after = (await client.send(new GetEnvironmentCommand({ name: 'prod' }))).environment!;
    expect(after.environmentAccountConnectionId).toBeUndefined();
    expect(after.protonServiceRoleArn).toBe(ROLE);
  });

  it('gives an environment deployed through a connection no service role and no repository', async () => {
    const { account, client, hooks } = management();
    await publishedEnvironmentTemplate(client, hooks, 'base');
    const id = await connected(client, account);
    await client.send(new CreateEnvironmentCommand({ ...environment, environmentAccountConnectionId: id }));
    const role = { name: 'prod', deploymentType: 'NONE' as const, protonServiceRoleArn: ROLE };
    expect((await failure(client.send(new UpdateEnvironmentCommand(role)))).name).toBe('ValidationException');
    const repository = { name: 'prod', deploymentType: 'NONE' as const, provisioningRepository: REPOSITORY };
    expect((await failure(client.send(new UpdateEnvironmentCommand(repository)))).name).toBe('ValidationException');
    const after = (await client.send(new GetEnvironmentCommand({ name: 'prod' }))).environment!;
    expect(after.protonServiceRoleArn).toBeUndefined();
    expect(after.provisioningRepository).toBeUndefined();
  });

  it('moves an environment only to a connection of the environment account it uses', async () => {
    const { account, client, hooks } = management();
    await publishedEnvironmentTemplate(client, hooks, 'base');
    const environmentAccount = emulator.newAccount();
    const first = await connected(client, account, environmentAccount);
    await client.send(new CreateEnvironmentCommand({ ...environment, environmentAccountConnectionId: first }));
    const elsewhere = await connected(client, account);
    const toElsewhere = { name: 'prod', deploymentType: 'NONE' as const, environmentAccountConnectionId: elsewhere };
    expect((await failure(client.send(new UpdateEnvironmentCommand(toElsewhere)))).name).toBe('ValidationException');
    expect((await client.send(new GetEnvironmentCommand({ name: 'prod' }))).environment?.environmentAccountConnectionId).toBe(first);
    const second = await connected(client, account, environmentAccount);
    const moved = await client.send(
      new UpdateEnvironmentCommand({ name: 'prod', deploymentType: 'NONE', environmentAccountConnectionId: second }),
    );
    expect(moved.environment).toMatchObject({ environmentAccountConnectionId: second, environmentAccountId: environmentAccount });
  });

  it('gives an AWS-managed environment no repository, and a self-managed one no role and no connection', async () => {
    const { client, hooks } = management();
    await publishedEnvironmentTemplate(client, hooks, 'base');
    await client.send(new CreateEnvironmentCommand({ ...environment, protonServiceRoleArn: ROLE }));
    const repository = { name: 'prod', deploymentType: 'NONE' as const, provisioningRepository: REPOSITORY };
    expect((await failure(client.send(new UpdateEnvironmentCommand(repository)))).name).toBe('ValidationException');

    await client.send(new CreateEnvironmentTemplateCommand({ name: 'self', provisioning: 'CUSTOMER_MANAGED' }));
    await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 'self', source: SOURCE }));
    await hooks.advance(REGISTRATION_MS);
    await client.send(
      new UpdateEnvironmentTemplateVersionCommand({ templateName: 'self', majorVersion: '1', minorVersion: '0', status: 'PUBLISHED' }),
    );
    await client.send(
      new CreateEnvironmentCommand({ ...environment, name: 'own', templateName: 'self', provisioningRepository: REPOSITORY }),
    );
    const role = { name: 'own', deploymentType: 'NONE' as const, protonServiceRoleArn: ROLE };
    expect((await failure(client.send(new UpdateEnvironmentCommand(role)))).name).toBe('ValidationException');
    const metadata = await client.send(
      new UpdateEnvironmentCommand({ name: 'own', deploymentType: 'NONE', description: 'still self-managed' }),
    );
    expect(metadata.environment).toMatchObject({ description: 'still self-managed', provisioning: 'CUSTOMER_MANAGED' });
  });
});

describe('CreateService', () => {
  it('on a template without a Proton pipeline (pipelineProvisioning CUSTOMER_MANAGED) takes no pipeline repository', async () => {
    const { client, hooks } = management();
    await client.send(new CreateServiceTemplateCommand({ name: 'nopipe', pipelineProvisioning: 'CUSTOMER_MANAGED' }));
    const compatibleEnvironmentTemplates = [{ templateName: 'base', majorVersion: '1' }];
    await client.send(new CreateServiceTemplateVersionCommand({ templateName: 'nopipe', source: SOURCE, compatibleEnvironmentTemplates }));
    await hooks.advance(REGISTRATION_MS);
    await client.send(
      new UpdateServiceTemplateVersionCommand({ templateName: 'nopipe', majorVersion: '1', minorVersion: '0', status: 'PUBLISHED' }),
    );
    const service = { name: 'svc', templateName: 'nopipe', templateMajorVersion: '1', spec: 'instances: []' };
    const repository = {
      branchName: 'main',
      repositoryConnectionArn: 'arn:aws:codestar-connections:us-east-1:123456789012:connection/abc',
      repositoryId: 'owner/app',
    };
    for (const [member, value] of Object.entries(repository)) {
      const refused = await failure(client.send(new CreateServiceCommand({ ...service, [member]: value })));
      expect(refused.name, member).toBe('ValidationException');
    }
    expect((await client.send(new CreateServiceCommand(service))).service).toMatchObject({ name: 'svc', templateName: 'nopipe' });
  });
});
