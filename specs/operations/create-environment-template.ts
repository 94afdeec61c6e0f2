// CreateEnvironmentTemplate: a template named by the run (idempotent by name).
import { environmentTemplate } from '../resources.ts';
import { templateCreateSpec } from './template-create.ts';

export const createEnvironmentTemplate = templateCreateSpec({
  operation: 'CreateEnvironmentTemplate',
  resource: environmentTemplate,
  noun: 'environment template',
  provisioningMember: 'provisioning',
});
