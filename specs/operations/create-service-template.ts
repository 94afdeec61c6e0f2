// CreateServiceTemplate: a template named by the run (idempotent by name).
import { serviceTemplate } from '../resources.ts';
import { templateCreateSpec } from './template-create.ts';

export const createServiceTemplate = templateCreateSpec({
  operation: 'CreateServiceTemplate',
  resource: serviceTemplate,
  noun: 'service template',
  provisioningMember: 'pipelineProvisioning',
});
