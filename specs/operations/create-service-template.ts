// CreateServiceTemplate: a template named by the run (idempotent by name).
// Nothing to prepare. Alternatives: another display name, description,
// encryption key, pipeline provisioning, one more tag.
import fc from 'fast-check';
import { serviceTemplate } from '../resources.ts';
import type { CreateOperationSpec } from '../types.ts';
import { compact, descriptionArb, displayNameArb } from '../values.ts';
import { maybe, parameter, randomTags, tagsParameter } from './common.ts';
import { ENCRYPTION_KEY } from './create-environment-template.ts';

export const createServiceTemplate: CreateOperationSpec = {
  operation: 'CreateServiceTemplate',
  category: 'idempotent-create',
  kind: 'create',
  token: false,
  resource: serviceTemplate,
  summary: 'a service template with a fresh name',
  prepare: async () => ({}),
  input: (_fx, name) => ({ name, displayName: 'Conformance service template', description: 'by the conformance suite' }),
  arbitrary: (_fx, name) =>
    fc
      .record({
        name: fc.constant(name),
        displayName: maybe(displayNameArb),
        description: maybe(descriptionArb),
        encryptionKey: maybe(fc.constant(ENCRYPTION_KEY)),
        pipelineProvisioning: maybe(fc.constant('CUSTOMER_MANAGED')),
        tags: randomTags,
      })
      .map((input) => compact(input)),
  parameters: [
    parameter('displayName', false, () => 'Another display name'),
    parameter('description', false, () => 'another description'),
    parameter('encryptionKey', false, () => ENCRYPTION_KEY),
    parameter('pipelineProvisioning', false, () => 'CUSTOMER_MANAGED'),
    tagsParameter,
  ],
  ref: (input) => ({ name: input.name }),
};
