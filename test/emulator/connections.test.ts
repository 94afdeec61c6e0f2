// Environment account connections across two accounts: requested by the
// environment account, seen by both, accepted or rejected by the management
// account, used by its environments; tokens judged on the requester's clock.
import {
  AcceptEnvironmentAccountConnectionCommand,
  CreateEnvironmentAccountConnectionCommand,
  CreateEnvironmentCommand,
  GetEnvironmentAccountConnectionCommand,
  ListEnvironmentAccountConnectionsCommand,
  ListTagsForResourceCommand,
  RejectEnvironmentAccountConnectionCommand,
  UpdateEnvironmentAccountConnectionCommand,
} from '@aws-sdk/client-proton';
import { describe, expect, it } from 'vitest';
import { TOKEN_LIFETIME_MS } from '../../specs/rules.ts';
import { failure, publishedEnvironmentTemplate, useEmulator } from './support.ts';

const emulator = useEmulator();
const ROLE = 'arn:aws:iam::123456789012:role/env-role';

function pair() {
  const environmentAccount = emulator.newAccount();
  const managementAccount = emulator.newAccount();
  return {
    environmentAccount,
    managementAccount,
    requester: emulator.client(environmentAccount),
    manager: emulator.client(managementAccount),
  };
}

describe('environment account connections', () => {
  it('are requested PENDING, seen by both accounts, and accepted by the management account', async () => {
    const { environmentAccount, managementAccount, requester, manager } = pair();
    const created = await requester.send(
      new CreateEnvironmentAccountConnectionCommand({
        managementAccountId: managementAccount,
        environmentName: 'prod',
        roleArn: ROLE,
        tags: [{ key: 'k', value: 'v' }],
      }),
    );
    const connection = created.environmentAccountConnection!;
    expect(connection).toMatchObject({
      status: 'PENDING',
      environmentAccountId: environmentAccount,
      managementAccountId: managementAccount,
    });
    expect(connection.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(connection.arn).toBe(`arn:aws:proton:us-east-1:${environmentAccount}:environment-account-connection/${connection.id}`);

    const byManager = await manager.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT' }));
    expect(byManager.environmentAccountConnections?.map((c) => c.id)).toEqual([connection.id]);
    const byRequester = await requester.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'ENVIRONMENT_ACCOUNT' }));
    expect(byRequester.environmentAccountConnections?.map((c) => c.id)).toEqual([connection.id]);
    expect(
      (await manager.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'ENVIRONMENT_ACCOUNT' })))
        .environmentAccountConnections,
    ).toEqual([]);
    expect(
      (await manager.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT', statuses: ['CONNECTED'] })))
        .environmentAccountConnections,
    ).toEqual([]);
    const stranger = emulator.client(emulator.newAccount());
    expect((await failure(stranger.send(new GetEnvironmentAccountConnectionCommand({ id: connection.id! })))).name).toBe(
      'ResourceNotFoundException',
    );

    expect((await failure(requester.send(new AcceptEnvironmentAccountConnectionCommand({ id: connection.id! })))).name).toBe(
      'AccessDeniedException',
    );
    const accepted = await manager.send(new AcceptEnvironmentAccountConnectionCommand({ id: connection.id! }));
    expect(accepted.environmentAccountConnection?.status).toBe('CONNECTED');
    // Accepting again changes nothing.
    expect(
      (await manager.send(new AcceptEnvironmentAccountConnectionCommand({ id: connection.id! }))).environmentAccountConnection,
    ).toEqual(accepted.environmentAccountConnection);
    const updated = await requester.send(
      new UpdateEnvironmentAccountConnectionCommand({ id: connection.id!, roleArn: 'arn:aws:iam::123456789012:role/other' }),
    );
    expect(updated.environmentAccountConnection?.roleArn).toBe('arn:aws:iam::123456789012:role/other');
    const tags = await requester.send(new ListTagsForResourceCommand({ resourceArn: connection.arn! }));
    expect(tags.tags).toEqual([{ key: 'k', value: 'v' }]);
  });

  it('can be used by an environment of the management account once CONNECTED, and then not rejected', async () => {
    const { environmentAccount, managementAccount, requester, manager } = pair();
    const { environmentAccountConnection } = await requester.send(
      new CreateEnvironmentAccountConnectionCommand({ managementAccountId: managementAccount, environmentName: 'prod', roleArn: ROLE }),
    );
    const id = environmentAccountConnection!.id!;
    await publishedEnvironmentTemplate(manager, emulator.hooks(managementAccount), 'base');
    const input = { name: 'prod', templateName: 'base', templateMajorVersion: '1', spec: 's', environmentAccountConnectionId: id };
    expect((await failure(manager.send(new CreateEnvironmentCommand(input)))).name).toBe('ValidationException');
    await manager.send(new AcceptEnvironmentAccountConnectionCommand({ id }));
    const env = await manager.send(new CreateEnvironmentCommand(input));
    expect(env.environment).toMatchObject({ environmentAccountConnectionId: id, environmentAccountId: environmentAccount });
    expect((await failure(manager.send(new RejectEnvironmentAccountConnectionCommand({ id })))).name).toBe('ConflictException');
  });

  it('rejected connections stay rejected', async () => {
    const { managementAccount, requester, manager } = pair();
    const { environmentAccountConnection } = await requester.send(
      new CreateEnvironmentAccountConnectionCommand({ managementAccountId: managementAccount, environmentName: 'e', roleArn: ROLE }),
    );
    const id = environmentAccountConnection!.id!;
    expect((await manager.send(new RejectEnvironmentAccountConnectionCommand({ id }))).environmentAccountConnection?.status).toBe(
      'REJECTED',
    );
    expect((await failure(manager.send(new AcceptEnvironmentAccountConnectionCommand({ id })))).name).toBe('ConflictException');
    expect((await failure(requester.send(new UpdateEnvironmentAccountConnectionCommand({ id, roleArn: ROLE })))).name).toBe(
      'ConflictException',
    );
  });

  it('link two different accounts and need a role', async () => {
    const { environmentAccount, managementAccount, requester } = pair();
    const self = await failure(
      requester.send(
        new CreateEnvironmentAccountConnectionCommand({ managementAccountId: environmentAccount, environmentName: 'e', roleArn: ROLE }),
      ),
    );
    expect(self.name).toBe('ValidationException');
    const roleless = await failure(
      requester.send(new CreateEnvironmentAccountConnectionCommand({ managementAccountId: managementAccount, environmentName: 'e' })),
    );
    expect(roleless.name).toBe('ValidationException');
    expect((await emulator.hooks(environmentAccount).counts())['environmentAccountConnections']).toBe(0);
  });

  it("judge their tokens on the requesting account's clock", async () => {
    const { environmentAccount, managementAccount, requester } = pair();
    const input = { managementAccountId: managementAccount, environmentName: 'e', roleArn: ROLE, clientToken: 'conn' };
    const first = await requester.send(new CreateEnvironmentAccountConnectionCommand(input));
    await emulator.hooks(managementAccount).advance(TOKEN_LIFETIME_MS);
    const retry = await requester.send(new CreateEnvironmentAccountConnectionCommand(input));
    expect(retry.environmentAccountConnection?.id).toBe(first.environmentAccountConnection?.id);
    await emulator.hooks(environmentAccount).advance(TOKEN_LIFETIME_MS);
    const renewed = await requester.send(new CreateEnvironmentAccountConnectionCommand(input));
    expect(renewed.environmentAccountConnection?.id).not.toBe(first.environmentAccountConnection?.id);
  });
});
