// Environment account connections, requested by the caller (the environment
// account): create with a client token, get, update, list (by requester, by
// environment, by status, with paging), the management account's accept and
// reject (refused to the caller), delete; missing connections.
import type { Input } from '../../specs/types.ts';
import { environmentInput } from '../../specs/prerequisites.ts';
import { roleArn } from '../../specs/values.ts';
import type { ParitySequence } from '../types.ts';
import { type CorpusContext, createSpec, type From, SequenceBuilder } from './builder.ts';
import { seededUuid } from './invalid.ts';
import { ENVIRONMENT_FAMILY, templateWithVersions } from './templates.ts';

const ID = 'environmentAccountConnection.id';

function connectionInput(ctx: CorpusContext, environmentName: string): Input {
  return { ...createSpec('CreateEnvironmentAccountConnection').input({}, environmentName), clientToken: ctx.names.token('connection') };
}

/** Adds a connection request; returns the step, whose answer names the connection's id. */
function request(ctx: CorpusContext, b: SequenceBuilder, hint: string): { step: number; input: Input; id: From } {
  const input = connectionInput(ctx, ctx.names.name(hint));
  const step = b.step('CreateEnvironmentAccountConnection', input, 'valid');
  const id = { id: { step, path: ID } };
  b.made('environmentAccountConnection', 'DeleteEnvironmentAccountConnection', {}, { from: id });
  return { step, input, id };
}

function lifecycle(ctx: CorpusContext): ParitySequence {
  const b = new SequenceBuilder('environment-account-connection/lifecycle');
  const { step, input, id } = request(ctx, b, 'connected-environment');
  b.step('GetEnvironmentAccountConnection', {}, 'valid', { from: id });
  b.step('UpdateEnvironmentAccountConnection', { roleArn: roleArn('parity-updated') }, 'valid', { from: id });
  b.step('ListEnvironmentAccountConnections', { requestedBy: 'ENVIRONMENT_ACCOUNT' }, 'valid');
  b.step(
    'ListEnvironmentAccountConnections',
    { requestedBy: 'ENVIRONMENT_ACCOUNT', environmentName: input.environmentName, statuses: ['PENDING'] },
    'valid',
  );
  b.step('ListEnvironmentAccountConnections', { requestedBy: 'MANAGEMENT_ACCOUNT' }, 'valid');
  b.step('ListTagsForResource', {}, 'valid', { from: { resourceArn: { step, path: 'environmentAccountConnection.arn' } } });
  b.step('AcceptEnvironmentAccountConnection', {}, 'denied: only the management account accepts', { from: id });
  b.step('RejectEnvironmentAccountConnection', {}, 'denied: only the management account rejects', { from: id });
  b.step('CreateEnvironmentAccountConnection', input, 'retry: same client token');
  b.step('CreateEnvironmentAccountConnection', { ...input, roleArn: roleArn('parity-other') }, 'mismatch: roleArn');
  b.step('DeleteEnvironmentAccountConnection', {}, 'valid', { from: id });
  b.step('DeleteEnvironmentAccountConnection', {}, 'retry', { from: id });
  b.step('GetEnvironmentAccountConnection', {}, 'missing resource', { from: id });
  return b.build();
}

function paging(ctx: CorpusContext): ParitySequence {
  const b = new SequenceBuilder('environment-account-connection/paging');
  for (let i = 0; i < 3; i++) request(ctx, b, 'paged-environment');
  const first = b.step('ListEnvironmentAccountConnections', { requestedBy: 'ENVIRONMENT_ACCOUNT', maxResults: 2 }, 'paging');
  b.step('ListEnvironmentAccountConnections', { requestedBy: 'ENVIRONMENT_ACCOUNT', maxResults: 2 }, 'paging', {
    from: { nextToken: { step: first, path: 'nextToken' } },
  });
  return b.build();
}

function missing(ctx: CorpusContext): ParitySequence {
  const b = new SequenceBuilder('environment-account-connection/missing');
  const id = seededUuid(ctx);
  b.step('GetEnvironmentAccountConnection', { id }, 'missing resource');
  b.step('UpdateEnvironmentAccountConnection', { id, roleArn: roleArn('parity') }, 'missing resource');
  b.step('AcceptEnvironmentAccountConnection', { id }, 'missing resource');
  b.step('RejectEnvironmentAccountConnection', { id }, 'missing resource');
  b.step('DeleteEnvironmentAccountConnection', { id }, 'absent');
  return b.build();
}

const MANAGEMENT = { account: 'management' } as const;

/** Accepted by the management account, which then deploys an environment through it. */
function accepted(ctx: CorpusContext): ParitySequence {
  const b = new SequenceBuilder('environment-account-connection/accepted');
  const { step, input, id } = request(ctx, b, 'linked-environment');
  const environmentName = String(input.environmentName);
  b.step('AcceptEnvironmentAccountConnection', {}, 'valid', { from: id, ...MANAGEMENT });
  b.step('GetEnvironmentAccountConnection', {}, 'valid', { from: id, ...MANAGEMENT });
  b.step('ListEnvironmentAccountConnections', { requestedBy: 'MANAGEMENT_ACCOUNT', statuses: ['CONNECTED'] }, 'valid', MANAGEMENT);
  b.step('GetEnvironmentAccountConnection', {}, 'valid', { from: id });
  const template = templateWithVersions(ctx, b, ENVIRONMENT_FAMILY, 'linked-template', ['1.0'], MANAGEMENT);
  // Through the connection, instead of a service role.
  const { protonServiceRoleArn: _role, ...environment } = environmentInput(environmentName, template, '1', '0');
  b.step('CreateEnvironment', environment, 'valid', { from: { environmentAccountConnectionId: { step, path: ID } }, ...MANAGEMENT });
  b.startsAsync();
  b.made('environment', 'DeleteEnvironment', { name: environmentName }, MANAGEMENT);
  b.step('GetEnvironment', { name: environmentName }, 'valid', { settle: true, ...MANAGEMENT });
  b.step('ListEnvironments', { environmentTemplates: [{ templateName: template, majorVersion: '1' }] }, 'valid', MANAGEMENT);
  b.step('RejectEnvironmentAccountConnection', {}, 'dependency: an environment uses the connection', { from: id, ...MANAGEMENT });
  b.step(
    'UpdateEnvironment',
    { name: environmentName, deploymentType: 'NONE', protonServiceRoleArn: roleArn('parity') },
    'refused: a service role for an environment that uses a connection',
    MANAGEMENT,
  );
  b.step('AcceptEnvironmentAccountConnection', {}, 'retry: accepted already', { from: id, ...MANAGEMENT });
  return b.build();
}

/** Rejected by the management account: final. */
function rejected(ctx: CorpusContext): ParitySequence {
  const b = new SequenceBuilder('environment-account-connection/rejected');
  const { id } = request(ctx, b, 'refused-environment');
  b.step('RejectEnvironmentAccountConnection', {}, 'valid', { from: id, ...MANAGEMENT });
  b.step('AcceptEnvironmentAccountConnection', {}, 'conflict: rejected', { from: id, ...MANAGEMENT });
  b.step('UpdateEnvironmentAccountConnection', { roleArn: roleArn('parity-late') }, 'conflict: rejected', { from: id });
  b.step('ListEnvironmentAccountConnections', { requestedBy: 'ENVIRONMENT_ACCOUNT', statuses: ['REJECTED'] }, 'valid');
  return b.build();
}

/** Two requests for one environment to one management account: the documentation leaves it open. */
function sameEnvironment(ctx: CorpusContext): ParitySequence {
  const b = new SequenceBuilder('environment-account-connection/same-environment');
  const { input } = request(ctx, b, 'twice-requested-environment');
  const again = { ...input, clientToken: ctx.names.token('connection') };
  const step = b.step('CreateEnvironmentAccountConnection', again, 'open: a second request for the same environment');
  b.made('environmentAccountConnection', 'DeleteEnvironmentAccountConnection', {}, { from: { id: { step, path: ID } } });
  b.step('ListEnvironmentAccountConnections', { requestedBy: 'ENVIRONMENT_ACCOUNT', environmentName: input.environmentName }, 'valid');
  return b.build();
}

export function connectionSequences(ctx: CorpusContext): ParitySequence[] {
  return [lifecycle(ctx), paging(ctx), missing(ctx), accepted(ctx), rejected(ctx), sameEnvironment(ctx)];
}
