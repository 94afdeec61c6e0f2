// CreateEnvironmentTemplate: a template named by the run (idempotent by name).
// Nothing to prepare. Alternatives: another display name, description,
// encryption key, provisioning, one more tag.
import fc from 'fast-check';
import { environmentTemplate } from '../resources.ts';
import type { CreateOperationSpec } from '../types.ts';
import { compact, descriptionArb, displayNameArb } from '../values.ts';
import { maybe, parameter, randomTags, tagsParameter } from './common.ts';

export const ENCRYPTION_KEY = 'arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-conformance';

export const createEnvironmentTemplate: CreateOperationSpec = {
  operation: 'CreateEnvironmentTemplate',
  category: 'idempotent-create',
  kind: 'create',
  token: false,
  resource: environmentTemplate,
  summary: 'an environment template with a fresh name',
  prepare: async () => ({}),
  input: (_fx, name) => ({ name, displayName: 'Conformance environment template', description: 'by the conformance suite' }),
  arbitrary: (_fx, name) =>
    fc
      .record({
        name: fc.constant(name),
        displayName: maybe(displayNameArb),
        description: maybe(descriptionArb),
        encryptionKey: maybe(fc.constant(ENCRYPTION_KEY)),
        provisioning: maybe(fc.constant('CUSTOMER_MANAGED')),
        tags: randomTags,
      })
      .map((input) => compact(input)),
  parameters: [
    parameter('displayName', false, () => 'Another display name'),
    parameter('description', false, () => 'another description'),
    parameter('encryptionKey', false, () => ENCRYPTION_KEY),
    parameter('provisioning', false, () => 'CUSTOMER_MANAGED'),
    tagsParameter,
  ],
  ref: (input) => ({ name: input.name }),
};
