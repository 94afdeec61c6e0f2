// The two template kinds: what differs between environment and service
// templates, and what is deployed to their versions.
import { liveValues } from './lifecycle.ts';
import type { TemplateKind } from './templates.ts';

export const ENVIRONMENT_TEMPLATES: TemplateKind = {
  prefix: 'EnvironmentTemplate',
  arnType: 'environment-template',
  noun: 'environment template',
  templateMember: 'environmentTemplate',
  versionMember: 'environmentTemplateVersion',
  provisioningMember: 'provisioning',
  table: (account) => account.environmentTemplates,
  userOf: (account, version, now) => {
    const user = liveValues(account.environments, now).find((e) => e.version.template === version.template && e.version === version);
    return user === undefined ? undefined : `the environment '${user.name}'`;
  },
};

export const SERVICE_TEMPLATES: TemplateKind = {
  prefix: 'ServiceTemplate',
  arnType: 'service-template',
  noun: 'service template',
  templateMember: 'serviceTemplate',
  versionMember: 'serviceTemplateVersion',
  provisioningMember: 'pipelineProvisioning',
  table: (account) => account.serviceTemplates,
  userOf: (account, version, now) => {
    const user = liveValues(account.services, now).find((s) => s.version === version);
    return user === undefined ? undefined : `the service '${user.name}'`;
  },
};
