// Builders of the prerequisites the operation entries name: templates with
// published versions, environments. Each waits for asynchronous settling by
// polling (the harness's waitFor advances the virtual clock when it can).
import { environmentTemplateVersion, serviceTemplateVersion } from './resources.ts';
import type { ProtonOperation } from './commands.ts';
import type { Input, Resource, ResourceKind, ResourceSpec, SpecEnv } from './types.ts';
import { bundle, compact, environmentSpec, roleArn, serviceSpec } from './values.ts';
import { InconclusiveCheck } from './vocabulary.ts';

/** A version number `major.minor`, as the prerequisites name them. */
export type VersionNumber = `${number}.${number}`;

function member(output: Input, name: string): Resource {
  const value = output[name];
  if (value === null || typeof value !== 'object') throw new Error(`response lacks ${name}`);
  return value as Resource;
}

/**
 * Waits until the resource has settled (spec.ready), reading it with Get. A
 * resource that ends in a failed status (a bundle that would not register, a
 * deployment that failed) can never be used: InconclusiveCheck, with the
 * target's own message, since that says nothing of the contract.
 */
export async function settle(env: SpecEnv, spec: ResourceSpec, resource: Resource): Promise<Resource> {
  const ready = spec.ready;
  if (!ready) return resource;
  const failed = (value: Resource): boolean => ready.failed?.values.includes(String(value[ready.field])) ?? false;
  const settled =
    ready.values.includes(String(resource[ready.field])) || failed(resource)
      ? resource
      : await env.waitFor(
          `${spec.kind} ${JSON.stringify(spec.get.input(resource))} reaches ${ready.values.join(' or ')}`,
          async () => member(await env.call(spec.get.operation, spec.get.input(resource)), spec.member),
          (current) => ready.values.includes(String(current[ready.field])) || failed(current),
        );
  if (failed(settled)) {
    const message = ready.failed ? settled[ready.failed.message] : undefined;
    throw new InconclusiveCheck(
      `${spec.kind} ${JSON.stringify(spec.get.input(settled))} ended ${ready.field} ${String(settled[ready.field])}` +
        `${typeof message === 'string' && message ? `: ${message}` : ' (the target gave no message)'}; it cannot serve the check` +
        (spec.kind.endsWith('TemplateVersion') && !env.bundles.uploaded
          ? ' (a target that reads template bundles needs --bundle-bucket)'
          : ''),
    );
  }
  return settled;
}

/** The operations that create and publish a template's versions, by kind. */
const VERSION_OPERATIONS = {
  environmentTemplateVersion: {
    create: 'CreateEnvironmentTemplateVersion',
    update: 'UpdateEnvironmentTemplateVersion',
    bundles: 'environment',
  },
  serviceTemplateVersion: { create: 'CreateServiceTemplateVersion', update: 'UpdateServiceTemplateVersion', bundles: 'service' },
} as const satisfies Partial<
  Record<ResourceKind, { create: ProtonOperation; update: ProtonOperation; bundles: 'environment' | 'service' }>
>;

type VersionKind = keyof typeof VERSION_OPERATIONS;

function versionOperations(spec: ResourceSpec): (typeof VERSION_OPERATIONS)[VersionKind] {
  if (!(spec.kind in VERSION_OPERATIONS)) throw new Error(`${spec.kind} is not a template version`);
  return VERSION_OPERATIONS[spec.kind as VersionKind];
}

async function publish(env: SpecEnv, spec: ResourceSpec, version: Resource): Promise<void> {
  const settled = await settle(env, spec, version);
  await env.call(versionOperations(spec).update, { ...spec.get.input(settled), status: 'PUBLISHED' });
}

/** The run's first bundle of the version's kind. */
function sourceFor(env: SpecEnv, spec: ResourceSpec): { s3: { bucket: string; key: string } } {
  const first = env.bundles[versionOperations(spec).bundles][0];
  if (!first) throw new Error(`the run has no ${versionOperations(spec).bundles} bundle`);
  return bundle(first.bucket, first.key);
}

function splitVersion(version: VersionNumber): [string, string] {
  const [major, minor] = version.split('.') as [string, string];
  return [major, minor];
}

/**
 * Creates the versions in order (a new major leaves majorVersion out, a
 * further minor names it) and checks the numbers the target gave them.
 */
async function createVersions(
  env: SpecEnv,
  spec: ResourceSpec,
  templateName: string,
  versions: readonly VersionNumber[],
  extra: Input,
  publishThem: boolean,
): Promise<void> {
  const majors = new Set<string>();
  for (const version of versions) {
    const [major, minor] = splitVersion(version);
    const input = compact({
      templateName,
      majorVersion: majors.has(major) ? major : undefined,
      source: sourceFor(env, spec),
      tags: [...env.tags],
      ...extra,
    });
    majors.add(major);
    const created = member(await env.call(versionOperations(spec).create, input), spec.member);
    if (created.majorVersion !== major || created.minorVersion !== minor) {
      throw new Error(
        `prerequisite ${templateName}: expected version ${version}, the target ` +
          `created ${String(created.majorVersion)}.${String(created.minorVersion)}`,
      );
    }
    if (publishThem) await publish(env, spec, created);
  }
}

/** An environment template with the given versions (published unless said otherwise); returns its name. */
export async function environmentTemplateWith(
  env: SpecEnv,
  hint: string,
  versions: readonly VersionNumber[],
  options: { publish?: boolean } = {},
): Promise<string> {
  const name = env.uniqueName(hint);
  env.step(`prerequisite: environment template ${name} with versions ${versions.join(', ') || 'none'}`);
  await env.call('CreateEnvironmentTemplate', { name, tags: [...env.tags] });
  await createVersions(env, environmentTemplateVersion, name, versions, {}, options.publish ?? true);
  return name;
}

/** A service template with the given versions, each compatible with `compatible` (an environment template's major). */
export async function serviceTemplateWith(
  env: SpecEnv,
  hint: string,
  versions: readonly VersionNumber[],
  compatible: { templateName: string; majorVersion: string },
  options: { publish?: boolean } = {},
): Promise<string> {
  const name = env.uniqueName(hint);
  env.step(`prerequisite: service template ${name} with versions ${versions.join(', ') || 'none'}`);
  await env.call('CreateServiceTemplate', { name, tags: [...env.tags] });
  await createVersions(
    env,
    serviceTemplateVersion,
    name,
    versions,
    { compatibleEnvironmentTemplates: [compatible] },
    options.publish ?? true,
  );
  return name;
}

/** The input of CreateEnvironment on a published template version. */
export function environmentInput(name: string, templateName: string, major: string, minor: string | undefined): Input {
  return compact({
    name,
    templateName,
    templateMajorVersion: major,
    templateMinorVersion: minor,
    spec: environmentSpec('small'),
    protonServiceRoleArn: roleArn('proton-service'),
  });
}

/** The input of CreateService on a published template version. */
export function serviceInput(name: string, templateName: string, major: string, minor: string | undefined): Input {
  return compact({ name, templateName, templateMajorVersion: major, templateMinorVersion: minor, spec: serviceSpec('small') });
}
