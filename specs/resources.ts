// The seven kinds of resource the fourteen operations create or delete: how
// each is read (Get), counted (List), modified (Update), removed (Delete),
// what names it (identity) and what may change between reads (progress).
import type { Resource, ResourceKind, ResourceSpec } from './types.ts';

const str = (ref: Resource, field: string): string => {
  const value = ref[field];
  if (typeof value !== 'string') throw new Error(`resource reference lacks ${field}: ${JSON.stringify(ref)}`);
  return value;
};

const byName = (ref: Resource) => ({ name: str(ref, 'name') });
const byVersion = (ref: Resource) => ({
  templateName: str(ref, 'templateName'),
  majorVersion: str(ref, 'majorVersion'),
  minorVersion: str(ref, 'minorVersion'),
});

// Identity of the name-identified kinds: the contract's "same arn and createdAt"
// (createdAt is every kind's `created`).
const namedIdentity = ['name', 'arn'] as const;
// Recommended versions move when other versions are published: updated information.
const templateProgress = ['lastModifiedAt', 'recommendedVersion'] as const;
// `schema` too: a target that reads the bundle fills it in when registration ends.
const versionProgress = ['status', 'statusMessage', 'lastModifiedAt', 'recommendedMinorVersion', 'schema'] as const;

/** The two template families: their kinds and operations differ only in this word. */
type Family = 'Environment' | 'Service';

/** An environment or a service template. */
function template(family: Family): ResourceSpec {
  const kind = family === 'Environment' ? 'environmentTemplate' : 'serviceTemplate';
  return {
    kind,
    member: kind,
    countKey: `${kind}s`,
    identity: namedIdentity,
    created: 'createdAt',
    owner: ['name'],
    progress: templateProgress,
    get: { operation: `Get${family}Template`, input: byName },
    list: { operation: `List${family}Templates`, input: () => ({}), items: 'templates' },
    modify: { operation: `Update${family}Template`, field: 'description', input: (ref, value) => ({ ...byName(ref), description: value }) },
    // CONTRACT.md: "UpdateEnvironmentTemplate / UpdateServiceTemplate: displayName or description".
    modifyAlso: [
      { operation: `Update${family}Template`, field: 'displayName', input: (ref, value) => ({ ...byName(ref), displayName: value }) },
    ],
    remove: { operation: `Delete${family}Template`, input: byName },
    contains: { kind: `${kind}Version`, ref: (ref) => ({ templateName: str(ref, 'name') }) },
  };
}

/** A version of an environment or a service template. */
function templateVersion(family: Family): ResourceSpec {
  const kind = family === 'Environment' ? 'environmentTemplateVersion' : 'serviceTemplateVersion';
  return {
    kind,
    member: kind,
    countKey: `${kind}s`,
    identity: ['templateName', 'majorVersion', 'minorVersion', 'arn'],
    // A target may number a version re-created after a delete as the deleted one was.
    created: 'createdAt',
    owner: ['templateName'],
    progress: versionProgress,
    ready: {
      field: 'status',
      values: ['DRAFT', 'PUBLISHED'],
      durationHook: 'templateVersionRegistration',
      failed: { values: ['REGISTRATION_FAILED'], message: 'statusMessage' },
    },
    get: { operation: `Get${family}TemplateVersion`, input: byVersion },
    // With the version's major when the ref names one: the API reference
    // lists only the major versions without it (listEvery, specs/lists.ts).
    list: {
      operation: `List${family}TemplateVersions`,
      input: (ref) => ({
        templateName: str(ref, 'templateName'),
        ...(typeof ref['majorVersion'] === 'string' ? { majorVersion: ref['majorVersion'] } : {}),
      }),
      items: 'templateVersions',
      narrowedBy: 'majorVersion',
    },
    modify: {
      operation: `Update${family}TemplateVersion`,
      field: 'description',
      input: (ref, value) => ({ ...byVersion(ref), description: value }),
    },
    remove: { operation: `Delete${family}TemplateVersion`, input: byVersion },
  };
}

export const environmentTemplate = template('Environment');
export const serviceTemplate = template('Service');
export const environmentTemplateVersion = templateVersion('Environment');
export const serviceTemplateVersion = templateVersion('Service');

export const environment: ResourceSpec = {
  kind: 'environment',
  member: 'environment',
  countKey: 'environments',
  identity: namedIdentity,
  created: 'createdAt',
  owner: ['name'],
  progress: [
    'deploymentStatus',
    'deploymentStatusMessage',
    'lastDeploymentAttemptedAt',
    'lastDeploymentSucceededAt',
    'lastAttemptedDeploymentId',
    'lastSucceededDeploymentId',
  ],
  ready: {
    field: 'deploymentStatus',
    values: ['SUCCEEDED'],
    durationHook: 'environmentDeployment',
    failed: { values: ['FAILED', 'CANCELLED'], message: 'deploymentStatusMessage' },
  },
  get: { operation: 'GetEnvironment', input: byName },
  list: { operation: 'ListEnvironments', input: () => ({}), items: 'environments' },
  modify: {
    operation: 'UpdateEnvironment',
    field: 'description',
    input: (ref, value) => ({ ...byName(ref), deploymentType: 'NONE', description: value }),
  },
  remove: { operation: 'DeleteEnvironment', input: byName },
  asyncDeletion: { statusField: 'deploymentStatus', inProgress: 'DELETE_IN_PROGRESS', durationHook: 'environmentDeletion' },
};

export const service: ResourceSpec = {
  kind: 'service',
  member: 'service',
  countKey: 'services',
  identity: namedIdentity,
  created: 'createdAt',
  owner: ['name'],
  // The pipeline block reports its own deployments.
  progress: ['status', 'statusMessage', 'lastModifiedAt', 'pipeline'],
  ready: {
    field: 'status',
    values: ['ACTIVE'],
    durationHook: 'serviceCreation',
    failed: { values: ['CREATE_FAILED', 'CREATE_FAILED_CLEANUP_COMPLETE', 'CREATE_FAILED_CLEANUP_FAILED'], message: 'statusMessage' },
  },
  get: { operation: 'GetService', input: byName },
  list: { operation: 'ListServices', input: () => ({}), items: 'services' },
  modify: { operation: 'UpdateService', field: 'description', input: (ref, value) => ({ ...byName(ref), description: value }) },
  remove: { operation: 'DeleteService', input: byName },
  asyncDeletion: { statusField: 'status', inProgress: 'DELETE_IN_PROGRESS', durationHook: 'serviceDeletion' },
};

export const environmentAccountConnection: ResourceSpec = {
  kind: 'environmentAccountConnection',
  member: 'environmentAccountConnection',
  countKey: 'environmentAccountConnections',
  identity: ['id', 'arn'],
  created: 'requestedAt',
  // The suite names the environment a connection is requested for.
  owner: ['environmentName'],
  progress: ['status', 'lastModifiedAt'],
  get: { operation: 'GetEnvironmentAccountConnection', input: (ref) => ({ id: str(ref, 'id') }) },
  // The caller requests connections: it is the environment account.
  list: {
    operation: 'ListEnvironmentAccountConnections',
    input: () => ({ requestedBy: 'ENVIRONMENT_ACCOUNT' }),
    items: 'environmentAccountConnections',
  },
  remove: { operation: 'DeleteEnvironmentAccountConnection', input: (ref) => ({ id: str(ref, 'id') }) },
};

export const RESOURCES: Record<ResourceKind, ResourceSpec> = {
  environmentTemplate,
  environmentTemplateVersion,
  serviceTemplate,
  serviceTemplateVersion,
  environment,
  service,
  environmentAccountConnection,
};

/** Each kind in words, for messages and summaries ("2 environment templates"). */
export const KIND_WORDS: Readonly<Record<ResourceKind, string>> = {
  environmentTemplate: 'environment template',
  environmentTemplateVersion: 'environment template version',
  serviceTemplate: 'service template',
  serviceTemplateVersion: 'service template version',
  environment: 'environment',
  service: 'service',
  environmentAccountConnection: 'environment account connection',
};

/**
 * The order in which a cleanup removes the kinds: what depends on others goes
 * first (a service before its environment and its template, a connection
 * before the environment that uses it, versions before their template).
 */
export const DELETION_ORDER: readonly ResourceKind[] = [
  'service',
  'environment',
  'environmentAccountConnection',
  'serviceTemplateVersion',
  'environmentTemplateVersion',
  'serviceTemplate',
  'environmentTemplate',
];
