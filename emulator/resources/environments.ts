// Environments: idempotent create (identity = name), asynchronous idempotent
// delete, deployments that take `environmentDeployment` to succeed.
import { randomUUID } from 'node:crypto';
import type { CreateEnvironmentInput, ListEnvironmentsInput, RepositoryBranchInput, UpdateEnvironmentInput } from '@aws-sdk/client-proton';
import { arnOf } from '../arn.ts';
import { seconds, type Handler, type RequestContext, type Valid } from '../context.ts';
import { nameCreate, recordUpdate, type CreatedByName } from '../idempotency.ts';
import { paginate } from '../pagination.ts';
import type { Output } from '../policy.ts';
import { conflict, validation } from '../protocol.ts';
import { deletableKind, isDeleting, live, liveValues, type Deletable } from './lifecycle.ts';
import { tagsOf, type Tags } from './tag-list.ts';
import { ENVIRONMENT_TEMPLATES } from './template-kinds.ts';
import { publishedVersion, recommendedVersion, templateNamed, type VersionRecord } from './templates.ts';

interface Deployment {
  id: string;
  startedAt: number;
  endsAt: number;
}

export interface EnvironmentRecord extends CreatedByName, Deletable {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  /** The template version deployed (or being deployed). */
  version: VersionRecord;
  readonly provisioning?: string;
  description?: string;
  spec: string;
  protonServiceRoleArn?: string;
  environmentAccountConnectionId?: string;
  environmentAccountId?: string;
  codebuildRoleArn?: string;
  componentRoleArn?: string;
  provisioningRepository?: RepositoryBranchInput & { arn: string };
  /** The latest deployment. */
  deployment: Deployment;
  /** The latest deployment that had succeeded when `deployment` started. */
  lastSucceeded?: { id: string; at: number };
  readonly tags: Tags;
}

type CreateInput = Valid<CreateEnvironmentInput>;
type UpdateInput = Valid<UpdateEnvironmentInput>;

function deploymentStatus(env: EnvironmentRecord, now: number): string {
  if (isDeleting(env)) return 'DELETE_IN_PROGRESS';
  return now < env.deployment.endsAt ? 'IN_PROGRESS' : 'SUCCEEDED';
}

function lastSucceeded(env: EnvironmentRecord, now: number): { id: string; at: number } | undefined {
  // A deployment still running when the deletion started never succeeds.
  const until = env.deletion?.startedAt ?? now;
  return until >= env.deployment.endsAt ? { id: env.deployment.id, at: env.deployment.endsAt } : env.lastSucceeded;
}

function view(env: EnvironmentRecord, now: number, summary = false): Record<string, unknown> {
  const succeeded = lastSucceeded(env, now);
  return {
    arn: env.arn,
    name: env.name,
    createdAt: seconds(env.createdAt),
    templateName: env.version.template.name,
    templateMajorVersion: env.version.major,
    templateMinorVersion: env.version.minor,
    deploymentStatus: deploymentStatus(env, now),
    lastDeploymentAttemptedAt: seconds(env.deployment.startedAt),
    // Required by the model even before a first success: creation time then.
    lastDeploymentSucceededAt: seconds(succeeded?.at ?? env.createdAt),
    lastAttemptedDeploymentId: env.deployment.id,
    lastSucceededDeploymentId: succeeded?.id,
    description: env.description,
    protonServiceRoleArn: env.protonServiceRoleArn,
    environmentAccountConnectionId: env.environmentAccountConnectionId,
    environmentAccountId: env.environmentAccountId,
    componentRoleArn: env.componentRoleArn,
    provisioning: env.provisioning,
    ...(summary ? {} : { spec: env.spec, codebuildRoleArn: env.codebuildRoleArn, provisioningRepository: env.provisioningRepository }),
  };
}

const answer = (env: EnvironmentRecord, now: number): Output => ({ environment: view(env, now) });

const environments = deletableKind<EnvironmentRecord>({
  kind: 'environment',
  operations: 'Environment',
  table: (ctx) => ctx.account.environments,
  deletionMs: (ctx) => ctx.account.durations.environmentDeletion,
  answer,
});
const environmentNamed = environments.named;

/** A connection an environment may use: CONNECTED, to this management account, for this environment. */
function usableConnection(ctx: RequestContext, id: string, environmentName: string): string {
  const connection = ctx.world.connections.get(id);
  if (
    connection === undefined ||
    connection.status !== 'CONNECTED' ||
    connection.managementAccountId !== ctx.account.id ||
    connection.environmentName !== environmentName
  ) {
    throw validation(
      `The environment account connection '${id}' is not a CONNECTED connection of this account for the environment '${environmentName}'`,
    );
  }
  return connection.environmentAccountId;
}

function repository(ctx: RequestContext, input: RepositoryBranchInput): RepositoryBranchInput & { arn: string } {
  const id = `${input.provider!.toLowerCase()}:${input.name!}`;
  return { ...input, arn: arnOf(ctx.region, ctx.account.id, 'repository', id) };
}

/**
 * Proton's provisioning methods, as CreateEnvironment's documentation gives
 * them: self-managed (a CUSTOMER_MANAGED template) takes a repository and
 * neither a service role nor a connection; AWS-managed takes a service role or
 * a connection (not both) and no repository; CodeBuild-based provisioning
 * takes a CodeBuild role (or a connection) alone. Whether a template
 * provisions with CodeBuild is in its bundle, which the emulator need not
 * read: a CodeBuild role alone is accepted for any AWS-managed template.
 */
function checkProvisioning(provisioning: string | undefined, input: CreateInput): void {
  const viaRole = input.protonServiceRoleArn !== undefined;
  const viaConnection = input.environmentAccountConnectionId !== undefined;
  if (provisioning === 'CUSTOMER_MANAGED') {
    if (input.provisioningRepository === undefined) {
      throw validation('The environment template uses self-managed provisioning: provisioningRepository is required');
    }
    if (viaRole || viaConnection) {
      throw validation(
        'Self-managed provisioning takes provisioningRepository: omit protonServiceRoleArn and environmentAccountConnectionId',
      );
    }
    return;
  }
  if (input.provisioningRepository !== undefined) {
    throw validation('provisioningRepository is only for environment templates with self-managed (CUSTOMER_MANAGED) provisioning');
  }
  if (viaRole && viaConnection) throw validation('Specify either protonServiceRoleArn or environmentAccountConnectionId, not both');
  if (!viaRole && !viaConnection && input.codebuildRoleArn === undefined) {
    throw validation(
      'Specify protonServiceRoleArn or environmentAccountConnectionId (AWS-managed provisioning), ' +
        'or codebuildRoleArn (CodeBuild-based provisioning)',
    );
  }
}

/**
 * What UpdateEnvironment's documentation forbids: an update keeps the
 * environment on its provisioning method. A self-managed environment takes no
 * service role and no connection; an AWS-managed one no repository; one that
 * uses a connection takes no service role (only another connection); one that
 * uses none can't be connected to one.
 */
function checkUpdateProvisioning(env: EnvironmentRecord, input: UpdateInput): void {
  if (env.provisioning === 'CUSTOMER_MANAGED') {
    if (input.protonServiceRoleArn !== undefined || input.environmentAccountConnectionId !== undefined) {
      throw validation(
        `The environment '${env.name}' uses self-managed provisioning: omit protonServiceRoleArn and environmentAccountConnectionId`,
      );
    }
    return;
  }
  if (input.provisioningRepository !== undefined) {
    throw validation(`The environment '${env.name}' uses AWS-managed provisioning: omit provisioningRepository`);
  }
  if (env.environmentAccountConnectionId !== undefined && input.protonServiceRoleArn !== undefined) {
    throw validation(`The environment '${env.name}' uses an environment account connection: omit protonServiceRoleArn`);
  }
  if (env.environmentAccountConnectionId === undefined && input.environmentAccountConnectionId !== undefined) {
    throw validation(`The environment '${env.name}' uses no environment account connection: it can't be connected to one`);
  }
}

const createEnvironment: Handler = (ctx, params) => {
  const input = params as CreateInput;
  const table = ctx.account.environments;
  return nameCreate<EnvironmentRecord>(ctx, {
    operation: 'CreateEnvironment',
    input: params,
    label: `The environment '${input.name}'`,
    find: () => live(table, input.name, ctx.now),
    deleting: isDeleting,
    create: (createParams) => {
      const template = templateNamed(ENVIRONMENT_TEMPLATES, ctx.account, input.templateName);
      const version = publishedVersion(template, input.templateMajorVersion, input.templateMinorVersion, ctx.now);
      checkProvisioning(template.provisioning, input);
      const environmentAccountId =
        input.environmentAccountConnectionId === undefined
          ? undefined
          : usableConnection(ctx, input.environmentAccountConnectionId, input.name);
      const env: EnvironmentRecord = {
        name: input.name,
        arn: arnOf(ctx.region, ctx.account.id, 'environment', input.name),
        createdAt: ctx.now,
        version,
        provisioning: template.provisioning,
        description: input.description,
        spec: input.spec,
        protonServiceRoleArn: input.protonServiceRoleArn,
        environmentAccountConnectionId: input.environmentAccountConnectionId,
        environmentAccountId,
        codebuildRoleArn: input.codebuildRoleArn,
        componentRoleArn: input.componentRoleArn,
        provisioningRepository: input.provisioningRepository === undefined ? undefined : repository(ctx, input.provisioningRepository),
        deployment: newDeployment(ctx),
        tags: tagsOf(input.tags),
        createParams,
        updateCount: 0,
      };
      table.set(env.name, env);
      return env;
    },
    answer: (env) => answer(env, ctx.now),
  });
};

function newDeployment(ctx: RequestContext): Deployment {
  return { id: randomUUID(), startedAt: ctx.now, endsAt: ctx.now + ctx.account.durations.environmentDeployment };
}

/** The version an Update deploys, by deploymentType (Proton's UpdateEnvironment modes). */
function targetVersion(env: EnvironmentRecord, input: UpdateInput, now: number): VersionRecord | undefined {
  const current = env.version;
  const { template } = current;
  switch (input.deploymentType) {
    case 'NONE':
      return undefined;
    case 'CURRENT_VERSION':
      if (
        (input.templateMajorVersion !== undefined && input.templateMajorVersion !== current.major) ||
        (input.templateMinorVersion !== undefined && input.templateMinorVersion !== current.minor)
      ) {
        throw validation('deploymentType CURRENT_VERSION keeps the version in use: omit the template versions or name those in use');
      }
      return current;
    case 'MINOR_VERSION':
      if (input.templateMajorVersion !== undefined && input.templateMajorVersion !== current.major) {
        throw validation('deploymentType MINOR_VERSION stays in the major version in use: use MAJOR_VERSION to change it');
      }
      return publishedVersion(template, current.major, input.templateMinorVersion, now);
    case 'MAJOR_VERSION': {
      const major = input.templateMajorVersion ?? recommendedVersion(template)?.split('.')[0];
      if (major === undefined || BigInt(major) <= BigInt(current.major)) {
        throw validation('deploymentType MAJOR_VERSION needs a published major version higher than the one in use');
      }
      return publishedVersion(template, major, input.templateMinorVersion, now);
    }
    default:
      throw validation(`Unknown deploymentType ${String(input.deploymentType)}`);
  }
}

const updateEnvironment: Handler = (ctx, params) => {
  const input = params as UpdateInput;
  const env = environmentNamed(ctx, input.name);
  if (isDeleting(env)) throw conflict(`The environment '${env.name}' is being deleted`);
  checkUpdateProvisioning(env, input);
  const version = targetVersion(env, input, ctx.now);
  const environmentAccountId =
    input.environmentAccountConnectionId === undefined ? undefined : usableConnection(ctx, input.environmentAccountConnectionId, env.name);
  if (environmentAccountId !== undefined && environmentAccountId !== env.environmentAccountId) {
    throw validation(
      `The environment account connection '${input.environmentAccountConnectionId}' was requested by another environment account ` +
        `than the one the environment '${env.name}' uses (${env.environmentAccountId})`,
    );
  }
  // Every check is done: apply.
  if (input.description !== undefined) env.description = input.description;
  if (input.protonServiceRoleArn !== undefined) env.protonServiceRoleArn = input.protonServiceRoleArn;
  if (input.codebuildRoleArn !== undefined) env.codebuildRoleArn = input.codebuildRoleArn;
  if (input.componentRoleArn !== undefined) env.componentRoleArn = input.componentRoleArn;
  if (input.provisioningRepository !== undefined) env.provisioningRepository = repository(ctx, input.provisioningRepository);
  if (environmentAccountId !== undefined) {
    env.environmentAccountConnectionId = input.environmentAccountConnectionId;
    env.environmentAccountId = environmentAccountId;
  }
  if (version !== undefined) {
    // A new deployment (of the new spec, to the target version).
    env.lastSucceeded = lastSucceeded(env, ctx.now);
    env.deployment = newDeployment(ctx);
    env.version = version;
    if (input.spec !== undefined) env.spec = input.spec;
  }
  recordUpdate(ctx, 'UpdateEnvironment', env, params);
  return answer(env, ctx.now);
};

const listEnvironments: Handler = (ctx, params) => {
  const input = params as Valid<ListEnvironmentsInput>;
  const filters = input.environmentTemplates;
  const envs = liveValues(ctx.account.environments, ctx.now).filter(
    (env) =>
      filters === undefined || filters.some((f) => f.templateName === env.version.template.name && f.majorVersion === env.version.major),
  );
  const page = paginate(envs, input, (env) => env.name, ctx.policy.paging('ListEnvironments'));
  return { environments: page.items.map((env) => view(env, ctx.now, true)), nextToken: page.nextToken };
};

export const environmentOperations: Record<string, Handler> = {
  CreateEnvironment: createEnvironment,
  GetEnvironment: environments.get,
  ListEnvironments: listEnvironments,
  UpdateEnvironment: updateEnvironment,
  DeleteEnvironment: environments.delete,
};
