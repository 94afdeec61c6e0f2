// Environments and services: created on published template versions,
// deployed, updated (the environment to other versions), listed with paging,
// deleted asynchronously; their create retries, missing ones, and the
// template versions they keep from being deleted.
import { environmentInput, serviceInput } from '../../specs/prerequisites.ts';
import type { Input } from '../../specs/types.ts';
import { environmentSpec, roleArn, serviceSpec } from '../../specs/values.ts';
import type { ParitySequence } from '../types.ts';
import { type CorpusContext, createSpec, SequenceBuilder } from './builder.ts';
import { seededUuid } from './invalid.ts';
import { ENVIRONMENT_FAMILY, SERVICE_FAMILY, madeVersions, templateWithVersions, versionInput } from './templates.ts';

/** What differs between environments and services here. */
interface Deployed {
  word: 'Environment' | 'Service';
  kind: 'environment' | 'service';
  slug: string;
  /** Adds the published template(s) a create needs; returns the template name to deploy. */
  prepare(ctx: CorpusContext, b: SequenceBuilder, versions?: readonly `${number}.${number}`[]): string;
  input(name: string, templateName: string): Input;
  /** The update that starts no deployment. */
  quietUpdate(name: string): Input;
  /** The update that deploys again. */
  deployingUpdate(name: string): Input;
}

const ENVIRONMENT: Deployed = {
  word: 'Environment',
  kind: 'environment',
  slug: 'environment',
  prepare: (ctx, b, versions = ['1.0']) => templateWithVersions(ctx, b, ENVIRONMENT_FAMILY, 'env-template', versions),
  input: (name, templateName) => ({ ...environmentInput(name, templateName, '1', '0'), description: 'by the parity corpus' }),
  quietUpdate: (name) => ({ name, deploymentType: 'NONE', description: 'updated by the parity corpus' }),
  deployingUpdate: (name) => ({ name, deploymentType: 'CURRENT_VERSION', spec: environmentSpec('large') }),
};

const SERVICE: Deployed = {
  word: 'Service',
  kind: 'service',
  slug: 'service',
  prepare: (ctx, b, versions = ['1.0']) => {
    const environmentTemplate = templateWithVersions(ctx, b, ENVIRONMENT_FAMILY, 'svc-env-template', ['1.0']);
    return templateWithVersions(ctx, b, SERVICE_FAMILY, 'svc-template', versions, {
      compatible: { templateName: environmentTemplate, majorVersion: '1' },
    });
  },
  input: (name, templateName) => ({ ...serviceInput(name, templateName, '1', '0'), description: 'by the parity corpus' }),
  quietUpdate: (name) => ({ name, description: 'updated by the parity corpus' }),
  deployingUpdate: (name) => ({ name, spec: serviceSpec('large') }),
};

function create(b: SequenceBuilder, d: Deployed, name: string, templateName: string, intent = 'valid'): number {
  const index = b.step(`Create${d.word}`, d.input(name, templateName), intent);
  b.startsAsync();
  b.made(d.kind, `Delete${d.word}`, { name });
  return index;
}

function lifecycle(ctx: CorpusContext, d: Deployed): ParitySequence {
  const { word } = d;
  const b = new SequenceBuilder(`${d.slug}/lifecycle`);
  const template = d.prepare(ctx, b);
  const name = ctx.names.name(d.slug);
  const created = create(b, d, name, template);
  b.step(`Get${word}`, { name }, 'valid');
  b.step(`Get${word}`, { name }, 'valid', { settle: true });
  b.step(`Update${word}`, d.quietUpdate(name), 'valid');
  b.step(`Update${word}`, d.deployingUpdate(name), 'valid');
  b.step(`Get${word}`, { name }, 'valid');
  b.step(`Get${word}`, { name }, 'valid', { settle: true });
  b.step(`List${word}s`, {}, 'valid');
  if (d.kind === 'environment')
    b.step('ListEnvironments', { environmentTemplates: [{ templateName: template, majorVersion: '1' }] }, 'valid');
  b.step('ListTagsForResource', {}, 'valid', { from: { resourceArn: { step: created, path: `${d.kind}.arn` } } });
  const family = d.kind === 'environment' ? ENVIRONMENT_FAMILY : SERVICE_FAMILY;
  b.step(
    `Delete${family.prefix}Version`,
    { templateName: template, majorVersion: '1', minorVersion: '0' },
    `dependency: a version a ${d.kind} is deployed to`,
  );
  b.step(`Delete${word}`, { name }, 'valid');
  b.step(`Delete${word}`, { name }, 'retry: deletion in progress');
  b.step(`Get${word}`, { name }, 'missing resource: deleted', { settle: true });
  b.step(`Delete${word}`, { name }, 'absent: deletion complete');
  b.step(`Update${word}`, d.quietUpdate(name), 'missing resource');
  return b.build();
}

function paging(ctx: CorpusContext, d: Deployed): ParitySequence {
  const b = new SequenceBuilder(`${d.slug}/paging`);
  const template = d.prepare(ctx, b);
  for (let i = 0; i < 3; i++) create(b, d, ctx.names.name(`paged-${d.slug}`), template);
  const first = b.step(`List${d.word}s`, { maxResults: 2 }, 'paging', { settle: true });
  b.step(`List${d.word}s`, { maxResults: 2 }, 'paging', { from: { nextToken: { step: first, path: 'nextToken' } } });
  return b.build();
}

function createRetries(ctx: CorpusContext, d: Deployed): ParitySequence {
  const { word } = d;
  const b = new SequenceBuilder(`${d.slug}/create-retries`);
  const template = d.prepare(ctx, b);
  const name = ctx.names.name(`retried-${d.slug}`);
  const input = d.input(name, template);
  create(b, d, name, template);
  b.step(`Create${word}`, input, 'retry');
  // Parameters whose alternative needs no other template (the operation entry's alternatives).
  const parameters = createSpec(`Create${word}`).parameters.filter(
    (p) => !['templateName', 'templateMajorVersion', 'templateMinorVersion'].includes(p.name),
  );
  const parameter = ctx.random.pick(parameters);
  b.step(`Create${word}`, { ...input, [parameter.name]: parameter.alternative({}, input) }, `mismatch: ${parameter.name}`);
  b.step(`Update${word}`, d.quietUpdate(name), 'valid', { settle: true });
  b.step(`Create${word}`, input, 'conflict: modified since its create');
  return b.build();
}

function missing(ctx: CorpusContext, d: Deployed): ParitySequence {
  const { word } = d;
  const b = new SequenceBuilder(`${d.slug}/missing`);
  const name = ctx.names.name(`never-${d.slug}`);
  b.step(`Get${word}`, { name }, 'missing resource');
  b.step(`Update${word}`, d.quietUpdate(name), 'missing resource');
  b.step(`Delete${word}`, { name }, 'absent');
  b.step(`Create${word}`, d.input(name, ctx.names.name('never-template')), 'missing resource: no template');
  b.made(d.kind, `Delete${word}`, { name });
  return b.build();
}

/** A template whose only version is not published: nothing can be deployed to it. */
function unpublished(ctx: CorpusContext, d: Deployed): ParitySequence {
  const b = new SequenceBuilder(`${d.slug}/unpublished-version`);
  const family = d.kind === 'environment' ? ENVIRONMENT_FAMILY : SERVICE_FAMILY;
  const compatible =
    d.kind === 'service'
      ? { templateName: templateWithVersions(ctx, b, ENVIRONMENT_FAMILY, 'svc-env-template', ['1.0']), majorVersion: '1' }
      : undefined;
  const template = templateWithVersions(ctx, b, family, 'draft-template', ['1.0'], {
    publish: false,
    ...(compatible ? { compatible } : {}),
  });
  const name = ctx.names.name(`undeployed-${d.slug}`);
  b.step(`Create${d.word}`, d.input(name, template), 'refused: the version is not published', { settle: true });
  b.made(d.kind, `Delete${d.word}`, { name });
  return b.build();
}

/** An environment moved to another minor version, then another major version. */
function environmentVersions(ctx: CorpusContext): ParitySequence {
  const b = new SequenceBuilder('environment/update-versions');
  const template = ENVIRONMENT.prepare(ctx, b, ['1.0', '1.1', '2.0']);
  const name = ctx.names.name('moved-environment');
  create(b, ENVIRONMENT, name, template);
  b.step('UpdateEnvironment', { name, deploymentType: 'MINOR_VERSION', templateMinorVersion: '1' }, 'valid', { settle: true });
  b.step('GetEnvironment', { name }, 'valid', { settle: true });
  b.step('UpdateEnvironment', { name, deploymentType: 'MAJOR_VERSION', templateMajorVersion: '2', templateMinorVersion: '0' }, 'valid');
  b.step('GetEnvironment', { name }, 'valid', { settle: true });
  b.step(
    'UpdateEnvironment',
    { name, deploymentType: 'MINOR_VERSION', templateMajorVersion: '1' },
    'refused: a minor version update to another major version',
  );
  return b.build();
}

const REPOSITORY = { provider: 'GITHUB', name: 'parity/infrastructure', branch: 'main' };

/**
 * The provisioning methods CreateEnvironment and UpdateEnvironment document:
 * a CodeBuild role alone, a service role and a connection at once, a
 * self-managed template's repository; updates that would change the method.
 */
function provisioning(ctx: CorpusContext): ParitySequence {
  const b = new SequenceBuilder('environment/provisioning');
  const template = ENVIRONMENT.prepare(ctx, b);
  const built = ctx.names.name('codebuild-environment');
  const { protonServiceRoleArn: role, ...withoutRole } = environmentInput(built, template, '1', '0');
  b.step('CreateEnvironment', { ...withoutRole, codebuildRoleArn: roleArn('codebuild') }, 'valid');
  b.startsAsync();
  b.made('environment', 'DeleteEnvironment', { name: built });
  const both = ctx.names.name('both-environment');
  b.step(
    'CreateEnvironment',
    { ...environmentInput(both, template, '1', '0'), environmentAccountConnectionId: seededUuid(ctx) },
    'refused: a service role and a connection at once',
  );
  b.made('environment', 'DeleteEnvironment', { name: both });
  const update = { name: built, deploymentType: 'NONE' };
  b.step(
    'UpdateEnvironment',
    { ...update, environmentAccountConnectionId: seededUuid(ctx) },
    'refused: connecting an environment that uses none',
    {
      settle: true,
    },
  );
  b.step('UpdateEnvironment', { ...update, provisioningRepository: REPOSITORY }, 'refused: a repository for AWS-managed provisioning');
  b.step('UpdateEnvironment', { ...update, protonServiceRoleArn: role }, 'valid');
  const own = ctx.names.name('self-managed-template');
  b.step('CreateEnvironmentTemplate', { name: own, provisioning: 'CUSTOMER_MANAGED' }, 'valid');
  b.step('CreateEnvironmentTemplateVersion', versionInput(ctx, ENVIRONMENT_FAMILY, own), 'valid');
  b.step('UpdateEnvironmentTemplateVersion', { templateName: own, majorVersion: '1', minorVersion: '0', status: 'PUBLISHED' }, 'valid', {
    settle: true,
  });
  madeVersions(b, ENVIRONMENT_FAMILY, own, [{ major: '1', minor: '0', published: true }]);
  b.made('environmentTemplate', 'DeleteEnvironmentTemplate', { name: own });
  const selfManaged = ctx.names.name('self-managed-environment');
  const { protonServiceRoleArn: _role, ...ownInput } = environmentInput(selfManaged, own, '1', '0');
  b.step(
    'CreateEnvironment',
    { ...ownInput, provisioningRepository: REPOSITORY, protonServiceRoleArn: role },
    'refused: a role for self-managed',
  );
  b.step('CreateEnvironment', { ...ownInput, provisioningRepository: REPOSITORY }, 'valid');
  b.made('environment', 'DeleteEnvironment', { name: selfManaged });
  const ownUpdate = { name: selfManaged, deploymentType: 'NONE' };
  b.step('UpdateEnvironment', { ...ownUpdate, protonServiceRoleArn: role }, 'refused: a role for self-managed provisioning', {
    settle: true,
  });
  b.step('UpdateEnvironment', { ...ownUpdate, description: 'still self-managed' }, 'valid');
  b.step('ListEnvironments', {}, 'valid');
  return b.build();
}

/** A service template without a Proton pipeline: a service on it takes no pipeline repository. */
function noPipeline(ctx: CorpusContext): ParitySequence {
  const b = new SequenceBuilder('service/no-pipeline');
  const environmentTemplate = templateWithVersions(ctx, b, ENVIRONMENT_FAMILY, 'svc-env-template', ['1.0']);
  const template = ctx.names.name('no-pipeline-template');
  b.step('CreateServiceTemplate', { name: template, pipelineProvisioning: 'CUSTOMER_MANAGED' }, 'valid');
  const compatible = { templateName: environmentTemplate, majorVersion: '1' };
  b.step('CreateServiceTemplateVersion', versionInput(ctx, SERVICE_FAMILY, template, undefined, compatible), 'valid');
  b.step('UpdateServiceTemplateVersion', { templateName: template, majorVersion: '1', minorVersion: '0', status: 'PUBLISHED' }, 'valid', {
    settle: true,
  });
  madeVersions(b, SERVICE_FAMILY, template, [{ major: '1', minor: '0', published: true }]);
  b.made('serviceTemplate', 'DeleteServiceTemplate', { name: template });
  const name = ctx.names.name('no-pipeline-service');
  const input = SERVICE.input(name, template);
  b.step('CreateService', { ...input, repositoryId: 'parity/app' }, 'refused: a pipeline repository without a pipeline');
  create(b, SERVICE, name, template);
  b.step('GetService', { name }, 'valid', { settle: true });
  return b.build();
}

/**
 * What the documentation leaves open about an environment: an update while
 * its deployment runs, CURRENT_VERSION naming the versions in use, a List
 * filtered by a template that does not exist, a delete while a deployment
 * runs. The targets' answers are compared; none is required.
 */
function environmentOpen(ctx: CorpusContext): ParitySequence {
  const b = new SequenceBuilder('environment/open-questions');
  const template = ENVIRONMENT.prepare(ctx, b);
  const name = ctx.names.name('open-environment');
  create(b, ENVIRONMENT, name, template);
  b.step('UpdateEnvironment', ENVIRONMENT.quietUpdate(name), 'open: an update while the deployment runs');
  b.step(
    'UpdateEnvironment',
    { name, deploymentType: 'CURRENT_VERSION', templateMajorVersion: '1', templateMinorVersion: '0', spec: environmentSpec('medium') },
    'open: CURRENT_VERSION naming the versions in use',
    { settle: true },
  );
  b.step(
    'ListEnvironments',
    { environmentTemplates: [{ templateName: ctx.names.name('never-template'), majorVersion: '1' }] },
    'open: a filter naming no template',
  );
  b.step('DeleteEnvironment', { name }, 'open: a delete while a deployment runs');
  b.step('GetEnvironment', { name }, 'valid');
  return b.build();
}

/** A service template version compatible with an environment template that does not exist: left open. */
function unknownCompatible(ctx: CorpusContext): ParitySequence {
  const b = new SequenceBuilder('service-template-version/unknown-compatible');
  const template = ctx.names.name('unknown-compatible-template');
  b.step('CreateServiceTemplate', { name: template }, 'valid');
  const compatible = { templateName: ctx.names.name('never-template'), majorVersion: '1' };
  b.step(
    'CreateServiceTemplateVersion',
    versionInput(ctx, SERVICE_FAMILY, template, undefined, compatible),
    'open: a compatible environment template that does not exist',
  );
  b.startsAsync();
  madeVersions(b, SERVICE_FAMILY, template, [{ major: '1', minor: '0', published: false }]);
  b.made('serviceTemplate', 'DeleteServiceTemplate', { name: template });
  return b.build();
}

/** Every environment and service sequence. */
export function deploymentSequences(ctx: CorpusContext): ParitySequence[] {
  return [
    ...[ENVIRONMENT, SERVICE].flatMap((d) => [
      lifecycle(ctx, d),
      paging(ctx, d),
      createRetries(ctx, d),
      missing(ctx, d),
      unpublished(ctx, d),
    ]),
    environmentVersions(ctx),
    provisioning(ctx),
    noPipeline(ctx),
    environmentOpen(ctx),
    unknownCompatible(ctx),
  ];
}
