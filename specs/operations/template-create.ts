// The two template creates (environment and service) are one spec that
// differs only by data: the operation, its resource, and the name of the
// provisioning member. Nothing to prepare. Alternatives: another display
// name, description, encryption key, provisioning, one more tag.
import fc from 'fast-check';
import type { CreateOperationSpec, ResourceSpec } from '../types.ts';
import { compact, descriptionArb, displayNameArb } from '../values.ts';
import { maybe, parameter, randomTags, tagsParameter } from './common.ts';

const ENCRYPTION_KEY = 'arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-conformance';

export interface TemplateCreate {
  operation: 'CreateEnvironmentTemplate' | 'CreateServiceTemplate';
  resource: ResourceSpec;
  /** "environment template", "service template". */
  noun: string;
  /** `provisioning` (environment), `pipelineProvisioning` (service). */
  provisioningMember: string;
}

export function templateCreateSpec({ operation, resource, noun, provisioningMember }: TemplateCreate): CreateOperationSpec {
  return {
    operation,
    category: 'idempotent-create',
    kind: 'create',
    token: false,
    resource,
    summary: `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun} with a fresh name`,
    prepare: async () => ({}),
    input: (_fx, name) => ({ name, displayName: `Conformance ${noun}`, description: 'by the conformance suite' }),
    arbitrary: (_fx, name) =>
      fc
        .record({
          name: fc.constant(name),
          displayName: maybe(displayNameArb),
          description: maybe(descriptionArb),
          encryptionKey: maybe(fc.constant(ENCRYPTION_KEY)),
          [provisioningMember]: maybe(fc.constant('CUSTOMER_MANAGED')),
          tags: randomTags,
        })
        .map((input) => compact(input)),
    parameters: [
      parameter('displayName', false, () => 'Another display name'),
      parameter('description', false, () => 'another description'),
      parameter('encryptionKey', false, () => ENCRYPTION_KEY),
      parameter(provisioningMember, false, () => 'CUSTOMER_MANAGED'),
      tagsParameter,
    ],
    ref: (input) => ({ name: input.name }),
  };
}
