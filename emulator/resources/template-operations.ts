// The ten operations of one template kind: Create/Get/List/Update/Delete of
// templates (idempotent create, idempotent delete) and of their versions
// (create with a client token, idempotent delete).
import type {
  CreateEnvironmentTemplateInput,
  CreateServiceTemplateInput,
  CreateServiceTemplateVersionInput,
  DeleteEnvironmentTemplateVersionInput,
  GetEnvironmentTemplateVersionInput,
  ListEnvironmentTemplateVersionsInput,
  ListEnvironmentTemplatesInput,
  UpdateEnvironmentTemplateInput,
  UpdateServiceTemplateVersionInput,
} from '@aws-sdk/client-proton';
import { arnOf } from '../arn.ts';
import { registrarOf } from '../bundles.ts';
import type { Handler, RequestContext, Valid } from '../context.ts';
import { clientTokenCreate, nameCreate, recordUpdate, rememberedDelete } from '../idempotency.ts';
import { paginate, versionOrderKey } from '../pagination.ts';
import type { Output } from '../policy.ts';
import { conflict, validation } from '../protocol.ts';
import { tagsOf } from './tag-list.ts';
import {
  compareVersions,
  recommendedMinor,
  recommendedVersion,
  templateNamed,
  templateView,
  versionKey,
  versionNamed,
  versionStatus,
  versionView,
  type TemplateKind,
  type TemplateRecord,
  type VersionRecord,
} from './templates.ts';

type CreateTemplate = Valid<CreateEnvironmentTemplateInput> & Valid<CreateServiceTemplateInput>;
// The service variant is a superset of the environment one for versions.
type CreateVersion = Valid<CreateServiceTemplateVersionInput>;
type UpdateVersion = Valid<UpdateServiceTemplateVersionInput>;
type VersionId = Valid<GetEnvironmentTemplateVersionInput>;

export function templateOperations(kind: TemplateKind): Record<string, Handler> {
  return { ...templateHandlers(kind), ...versionHandlers(kind) };
}

const templateAnswerOf =
  (kind: TemplateKind) =>
  (template: TemplateRecord): Output => ({ [kind.templateMember]: templateView(template) });
const versionAnswerOf =
  (kind: TemplateKind) =>
  (version: VersionRecord, now: number): Output => ({ [kind.versionMember]: versionView(version, now) });

/** Create, Get, List, Update and Delete of the kind's templates. */
function templateHandlers(kind: TemplateKind): Record<string, Handler> {
  const { prefix } = kind;
  const templateAnswer = templateAnswerOf(kind);

  const createTemplate: Handler = (ctx, params) => {
    const input = params as CreateTemplate;
    const table = kind.table(ctx.account);
    return nameCreate(ctx, {
      operation: `Create${prefix}`,
      input: params,
      label: `The ${kind.noun} '${input.name}'`,
      find: () => table.get(input.name),
      deleting: () => false,
      create: (createParams) => {
        const template: TemplateRecord = {
          kind,
          name: input.name,
          arn: arnOf(ctx.region, ctx.account.id, kind.arnType, input.name),
          createdAt: ctx.now,
          lastModifiedAt: ctx.now,
          displayName: input.displayName,
          description: input.description,
          encryptionKey: input.encryptionKey,
          provisioning: input[kind.provisioningMember],
          versions: new Map(),
          highestMajor: 0n,
          highestMinor: new Map(),
          tags: tagsOf(input.tags),
          createParams,
          updateCount: 0,
        };
        table.set(template.name, template);
        return template;
      },
      answer: templateAnswer,
    });
  };

  const getTemplate: Handler = (ctx, params) => {
    const { name } = params as { name: string };
    return templateAnswer(templateNamed(kind, ctx.account, name));
  };

  const listTemplates: Handler = (ctx, params) => {
    const page = paginate(
      [...kind.table(ctx.account).values()],
      params as ListEnvironmentTemplatesInput,
      (template) => template.name,
      ctx.policy.paging(`List${kind.prefix}s`),
    );
    return { templates: page.items.map((t) => templateView(t, true)), nextToken: page.nextToken };
  };

  const updateTemplate: Handler = (ctx, params) => {
    const input = params as Valid<UpdateEnvironmentTemplateInput>;
    const template = templateNamed(kind, ctx.account, input.name);
    if (input.displayName !== undefined) template.displayName = input.displayName;
    if (input.description !== undefined) template.description = input.description;
    template.lastModifiedAt = ctx.now;
    recordUpdate(ctx, `Update${prefix}`, template, params);
    return templateAnswer(template);
  };

  const deleteTemplate: Handler = (ctx, params) => {
    const { name } = params as { name: string };
    const table = kind.table(ctx.account);
    return rememberedDelete(ctx, {
      operation: `Delete${prefix}`,
      identity: `${kind.arnType}/${name}`,
      find: () => table.get(name),
      siblings: () => [...table.values()].filter((template) => template.name !== name),
      remove: (template) => {
        if (template.versions.size > 0) {
          throw conflict(`The ${kind.noun} '${template.name}' has versions: delete its versions before the template`);
        }
        table.delete(template.name);
      },
      answer: templateAnswer,
    });
  };

  return {
    [`Create${prefix}`]: createTemplate,
    [`Get${prefix}`]: getTemplate,
    [`List${prefix}s`]: listTemplates,
    [`Update${prefix}`]: updateTemplate,
    [`Delete${prefix}`]: deleteTemplate,
  };
}

/** Create (with a client token), Get, List, Update and Delete of the kind's template versions. */
function versionHandlers(kind: TemplateKind): Record<string, Handler> {
  const { prefix } = kind;
  const versionAnswer = versionAnswerOf(kind);

  const createVersion: Handler = (ctx, params) => {
    const input = params as CreateVersion;
    return clientTokenCreate<VersionRecord>(ctx, {
      operation: `Create${prefix}Version`,
      input: params,
      exists: (version) =>
        kind.table(ctx.account).get(version.template.name) === version.template &&
        version.template.versions.get(versionKey(version.major, version.minor)) === version,
      create: () => newVersion(ctx, templateNamed(kind, ctx.account, input.templateName), input),
      answer: (version) => versionAnswer(version, ctx.now),
    });
  };

  const getVersion: Handler = (ctx, params) => {
    const input = params as VersionId;
    const template = templateNamed(kind, ctx.account, input.templateName);
    return versionAnswer(versionNamed(template, input.majorVersion, input.minorVersion), ctx.now);
  };

  const listVersions: Handler = (ctx, params) => {
    const input = params as Valid<ListEnvironmentTemplateVersionsInput>;
    const template = templateNamed(kind, ctx.account, input.templateName);
    let versions = [...template.versions.values()]
      .filter((v) => input.majorVersion === undefined || v.major === input.majorVersion)
      .sort(compareVersions);
    if (input.majorVersion === undefined && ctx.policy.versionsListed(`List${prefix}Versions`) === 'majors') {
      // Sorted: the last version of each major is its highest minor.
      versions = versions.filter((v, i) => versions[i + 1]?.major !== v.major);
    }
    const page = paginate(versions, input, (v) => versionOrderKey(v.major, v.minor), ctx.policy.paging(`List${prefix}Versions`));
    return { templateVersions: page.items.map((v) => versionView(v, ctx.now, true)), nextToken: page.nextToken };
  };

  const updateVersion: Handler = (ctx, params) => {
    const input = params as UpdateVersion;
    const template = templateNamed(kind, ctx.account, input.templateName);
    const version = versionNamed(template, input.majorVersion, input.minorVersion);
    const publish = input.status !== undefined && statusChange(version, input.status, ctx.now);
    // Every check is done: apply.
    if (publish) version.publishedAt = ctx.now;
    if (input.description !== undefined) version.description = input.description;
    if (input.compatibleEnvironmentTemplates !== undefined) {
      version.compatibleEnvironmentTemplates = input.compatibleEnvironmentTemplates;
    }
    if (input.supportedComponentSources !== undefined) {
      version.supportedComponentSources = input.supportedComponentSources;
    }
    version.updatedAt = ctx.now;
    return versionAnswer(version, ctx.now);
  };

  const deleteVersion: Handler = (ctx, params) => {
    const input = params as Valid<DeleteEnvironmentTemplateVersionInput>;
    const key = versionKey(input.majorVersion, input.minorVersion);
    const template = kind.table(ctx.account).get(input.templateName);
    return rememberedDelete(ctx, {
      operation: `Delete${prefix}Version`,
      identity: `${kind.arnType}/${input.templateName}:${key}`,
      find: () => template?.versions.get(key),
      siblings: () => [...(template?.versions.values() ?? [])].filter((version) => versionKey(version.major, version.minor) !== key),
      remove: (version) => {
        checkVersionMayGo(kind, ctx, version);
        version.template.versions.delete(versionKey(version.major, version.minor));
      },
      answer: (version) => versionAnswer(version, ctx.now),
    });
  };

  return {
    [`Create${prefix}Version`]: createVersion,
    [`Get${prefix}Version`]: getVersion,
    [`List${prefix}Versions`]: listVersions,
    [`Update${prefix}Version`]: updateVersion,
    [`Delete${prefix}Version`]: deleteVersion,
  };
}

/**
 * A new version: without majorVersion, the next major version with minor 0;
 * with one, the next minor version of that major version, which must exist.
 */
function newVersion(ctx: RequestContext, template: TemplateRecord, input: CreateVersion): VersionRecord {
  let major: bigint;
  if (input.majorVersion === undefined) {
    major = template.highestMajor + 1n;
  } else {
    major = BigInt(input.majorVersion);
    const exists = [...template.versions.values()].some((v) => v.major === input.majorVersion);
    if (!exists) {
      throw validation(
        `The ${template.kind.noun} '${template.name}' has no major version ${input.majorVersion}: ` +
          'omit majorVersion to create a new major version',
      );
    }
  }
  const minor = input.majorVersion === undefined ? 0n : (template.highestMinor.get(major.toString()) ?? -1n) + 1n;
  // With an S3 endpoint, the bundle is fetched and checked from now on
  // (bundles.ts); only a create starts a fetch, never a replay of its token.
  const registrar = registrarOf(ctx.world);
  const { account } = ctx;
  // The model's union has one member, s3, and validation let nothing else through.
  const source = (input.source as { s3: { bucket: string; key: string } }).s3;
  const bundle =
    registrar === undefined
      ? undefined
      : registrar.register(
          {
            kind: template.kind.prefix === 'EnvironmentTemplate' ? 'environment' : 'service',
            bucket: source.bucket,
            key: source.key,
            customerManaged: template.kind.prefix === 'EnvironmentTemplate' && template.provisioning === 'CUSTOMER_MANAGED',
          },
          () => account.clock.now(),
        );
  const version: VersionRecord = {
    template,
    major: major.toString(),
    minor: minor.toString(),
    arn: `${template.arn}:${major}.${minor}`,
    createdAt: ctx.now,
    registeredAt: ctx.now + ctx.account.durations.templateVersionRegistration,
    ...(bundle === undefined ? {} : { bundle }),
    updatedAt: ctx.now,
    description: input.description,
    compatibleEnvironmentTemplates: input.compatibleEnvironmentTemplates,
    supportedComponentSources: input.supportedComponentSources,
    tags: tagsOf(input.tags),
  };
  template.versions.set(versionKey(version.major, version.minor), version);
  if (major > template.highestMajor) template.highestMajor = major;
  template.highestMinor.set(version.major, minor);
  return version;
}

/** Whether an Update's status publishes the version; throws for a change Proton refuses. */
function statusChange(version: VersionRecord, status: string, now: number): boolean {
  const current = versionStatus(version, now);
  if (status !== 'PUBLISHED' && status !== 'DRAFT') {
    throw validation(`A template version's status can be set to DRAFT or PUBLISHED only, not ${status}`);
  }
  if (current === 'REGISTRATION_IN_PROGRESS') {
    throw conflict(`Version ${versionKey(version.major, version.minor)} is still being registered`);
  }
  if (current === 'REGISTRATION_FAILED') {
    // Final, unlike a registration in progress (ConflictException): no later
    // request can succeed, as for a published version asked back to DRAFT.
    throw validation(
      `Version ${versionKey(version.major, version.minor)} failed to register (${version.bundle?.problem ?? 'its bundle was refused'}); ` +
        'its status can no longer change: fix the bundle and create a new version',
    );
  }
  if (status === 'DRAFT' && current === 'PUBLISHED') {
    throw validation(`Version ${versionKey(version.major, version.minor)} is published; it can't return to DRAFT`);
  }
  return status === 'PUBLISHED' && current === 'DRAFT';
}

/**
 * Proton's rules for deleting a version: not while something is deployed to
 * it; a recommended minor version only when it is the last of its major
 * version; the recommended version only when it is the template's last.
 */
function checkVersionMayGo(kind: TemplateKind, ctx: RequestContext, version: VersionRecord): void {
  const { template } = version;
  const id = versionKey(version.major, version.minor);
  const user = kind.userOf(ctx.account, version, ctx.now);
  if (user !== undefined) throw conflict(`Version ${id} of the ${kind.noun} '${template.name}' is in use by ${user}`);
  if (recommendedMinor(template, version.major) !== version.minor) return;
  const siblings = [...template.versions.values()].filter((v) => v !== version);
  if (siblings.some((v) => v.major === version.major)) {
    throw conflict(`Version ${id} is the recommended minor version of major version ${version.major}: delete the others first`);
  }
  if (recommendedVersion(template) === id && siblings.length > 0) {
    throw conflict(`Version ${id} is the recommended version of the ${kind.noun} '${template.name}': delete the others first`);
  }
}
