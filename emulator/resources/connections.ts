// Environment account connections: requested by an environment account
// (create with a client token, judged on its clock), accepted or rejected by
// the management account, deleted by the environment account (idempotent
// delete). One table (World.connections) seen by both accounts.
import { randomUUID } from 'node:crypto';
import type {
  CreateEnvironmentAccountConnectionInput,
  ListEnvironmentAccountConnectionsInput,
  UpdateEnvironmentAccountConnectionInput,
} from '@aws-sdk/client-proton';
import { arnOf } from '../arn.ts';
import { seconds, type Handler, type RequestContext, type Valid } from '../context.ts';
import { clientTokenCreate, rememberedDelete } from '../idempotency.ts';
import { paginate } from '../pagination.ts';
import type { Output } from '../policy.ts';
import { accessDenied, conflict, notFound, validation } from '../protocol.ts';
import { liveValues } from './lifecycle.ts';
import { tagsOf, type Tags } from './tag-list.ts';

export type ConnectionStatus = 'PENDING' | 'CONNECTED' | 'REJECTED';

export interface ConnectionRecord {
  readonly id: string;
  readonly arn: string;
  /** The account that requested it (and owns it). */
  readonly environmentAccountId: string;
  readonly managementAccountId: string;
  readonly environmentName: string;
  readonly requestedAt: number;
  lastModifiedAt: number;
  status: ConnectionStatus;
  roleArn: string;
  codebuildRoleArn?: string;
  componentRoleArn?: string;
  readonly tags: Tags;
}

function view(connection: ConnectionRecord, summary = false): Record<string, unknown> {
  return {
    id: connection.id,
    arn: connection.arn,
    environmentAccountId: connection.environmentAccountId,
    managementAccountId: connection.managementAccountId,
    environmentName: connection.environmentName,
    requestedAt: seconds(connection.requestedAt),
    lastModifiedAt: seconds(connection.lastModifiedAt),
    status: connection.status,
    roleArn: connection.roleArn,
    componentRoleArn: connection.componentRoleArn,
    codebuildRoleArn: summary ? undefined : connection.codebuildRoleArn,
  };
}

const answer = (connection: ConnectionRecord): Output => ({ environmentAccountConnection: view(connection) });

/** The connection, if the caller is one of its two accounts. */
function visible(ctx: RequestContext, id: string): ConnectionRecord | undefined {
  const connection = ctx.world.connections.get(id);
  const account = ctx.account.id;
  if (connection === undefined) return undefined;
  return connection.environmentAccountId === account || connection.managementAccountId === account ? connection : undefined;
}

function connectionWithId(ctx: RequestContext, id: string): ConnectionRecord {
  const connection = visible(ctx, id);
  if (connection === undefined) throw notFound(`The environment account connection '${id}' was not found`);
  return connection;
}

function asManagementAccount(ctx: RequestContext, connection: ConnectionRecord, action: string): void {
  if (connection.managementAccountId !== ctx.account.id) {
    throw accessDenied(`Only the management account ${connection.managementAccountId} can ${action} this connection`);
  }
}

function asEnvironmentAccount(ctx: RequestContext, connection: ConnectionRecord, action: string): void {
  if (connection.environmentAccountId !== ctx.account.id) {
    throw accessDenied(`Only the environment account ${connection.environmentAccountId} can ${action} this connection`);
  }
}

const createConnection: Handler = (ctx, params) => {
  const input = params as Valid<CreateEnvironmentAccountConnectionInput>;
  const { connections } = ctx.world;
  return clientTokenCreate<ConnectionRecord>(ctx, {
    operation: 'CreateEnvironmentAccountConnection',
    input: params,
    exists: (connection) => connections.get(connection.id) === connection,
    create: () => {
      if (input.managementAccountId === ctx.account.id) {
        throw validation('An environment account connection links two different accounts: managementAccountId is this account');
      }
      if (input.roleArn === undefined) {
        throw validation('roleArn is required: the IAM role Proton uses in the environment account');
      }
      const id = randomUUID();
      const connection: ConnectionRecord = {
        id,
        arn: arnOf(ctx.region, ctx.account.id, 'environment-account-connection', id),
        environmentAccountId: ctx.account.id,
        managementAccountId: input.managementAccountId,
        environmentName: input.environmentName,
        requestedAt: ctx.now,
        lastModifiedAt: ctx.now,
        status: 'PENDING',
        roleArn: input.roleArn,
        codebuildRoleArn: input.codebuildRoleArn,
        componentRoleArn: input.componentRoleArn,
        tags: tagsOf(input.tags),
      };
      connections.set(id, connection);
      return connection;
    },
    answer,
  });
};

const getConnection: Handler = (ctx, params) => answer(connectionWithId(ctx, (params as { id: string }).id));

const listConnections: Handler = (ctx, params) => {
  const input = params as Valid<ListEnvironmentAccountConnectionsInput>;
  const account = ctx.account.id;
  const matching = [...ctx.world.connections.values()].filter(
    (c) =>
      (input.requestedBy === 'ENVIRONMENT_ACCOUNT' ? c.environmentAccountId : c.managementAccountId) === account &&
      (input.environmentName === undefined || c.environmentName === input.environmentName) &&
      (input.statuses === undefined || input.statuses.includes(c.status)),
  );
  // In the order they were requested (then by id): keyed by the random id alone, two runs of the same requests paged
  // differently (found by the parity comparison, docs/parity.md).
  const key = (c: ConnectionRecord): string => `${String(c.requestedAt).padStart(16, '0')}/${c.id}`;
  const page = paginate(matching, input, key, ctx.policy.paging('ListEnvironmentAccountConnections'));
  return { environmentAccountConnections: page.items.map((c) => view(c, true)), nextToken: page.nextToken };
};

const updateConnection: Handler = (ctx, params) => {
  const input = params as Valid<UpdateEnvironmentAccountConnectionInput>;
  const connection = connectionWithId(ctx, input.id);
  asEnvironmentAccount(ctx, connection, 'update');
  if (connection.status === 'REJECTED') throw conflict(`The environment account connection '${input.id}' was rejected`);
  if (input.roleArn !== undefined) connection.roleArn = input.roleArn;
  if (input.codebuildRoleArn !== undefined) connection.codebuildRoleArn = input.codebuildRoleArn;
  if (input.componentRoleArn !== undefined) connection.componentRoleArn = input.componentRoleArn;
  connection.lastModifiedAt = ctx.now;
  return answer(connection);
};

const acceptConnection: Handler = (ctx, params) => {
  const connection = connectionWithId(ctx, (params as { id: string }).id);
  asManagementAccount(ctx, connection, 'accept');
  if (connection.status === 'REJECTED') throw conflict(`The environment account connection '${connection.id}' was rejected`);
  if (connection.status === 'PENDING') {
    connection.status = 'CONNECTED';
    connection.lastModifiedAt = ctx.now;
  }
  return answer(connection);
};

const rejectConnection: Handler = (ctx, params) => {
  const connection = connectionWithId(ctx, (params as { id: string }).id);
  asManagementAccount(ctx, connection, 'reject');
  const user = liveValues(ctx.account.environments, ctx.now).find((e) => e.environmentAccountConnectionId === connection.id);
  if (user !== undefined) throw conflict(`The environment '${user.name}' uses this connection; it can't be rejected`);
  if (connection.status !== 'REJECTED') {
    connection.status = 'REJECTED';
    connection.lastModifiedAt = ctx.now;
  }
  return answer(connection);
};

const deleteConnection: Handler = (ctx, params) => {
  const { id } = params as { id: string };
  return rememberedDelete(ctx, {
    operation: 'DeleteEnvironmentAccountConnection',
    identity: `environment-account-connection/${id}`,
    find: () => visible(ctx, id),
    siblings: () => [...ctx.world.connections.values()].filter((c) => c.id !== id && c.environmentAccountId === ctx.account.id),
    remove: (connection) => {
      asEnvironmentAccount(ctx, connection, 'delete');
      ctx.world.connections.delete(connection.id);
    },
    answer,
  });
};

export const connectionOperations: Record<string, Handler> = {
  CreateEnvironmentAccountConnection: createConnection,
  GetEnvironmentAccountConnection: getConnection,
  ListEnvironmentAccountConnections: listConnections,
  UpdateEnvironmentAccountConnection: updateConnection,
  AcceptEnvironmentAccountConnection: acceptConnection,
  RejectEnvironmentAccountConnection: rejectConnection,
  DeleteEnvironmentAccountConnection: deleteConnection,
};
