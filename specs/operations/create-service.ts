// CreateService: a service named by the run on version 1.0 of a published
// service template (idempotent by name). Alternatives need two service
// templates, each with 1.0, 1.1, 2.0 and 2.1 published (compatible with a
// published environment template), so that any combination exists.
import fc from 'fast-check';
import { environmentTemplateWith, serviceInput, serviceTemplateWith } from '../prerequisites.ts';
import type { VersionNumber } from '../prerequisites.ts';
import { service } from '../resources.ts';
import type { CreateOperationSpec, Fixture } from '../types.ts';
import { compact, descriptionArb, serviceSpec, wordArb } from '../values.ts';
import { fixed, maybe, parameter, randomTags, tagsParameter } from './common.ts';

const ALL_VERSIONS: readonly VersionNumber[] = ['1.0', '1.1', '2.0', '2.1'];

export const createService: CreateOperationSpec = {
  operation: 'CreateService',
  category: 'idempotent-create',
  kind: 'create',
  token: false,
  resource: service,
  summary: 'a service with a fresh name on a published service template version',
  async prepare(env, needs): Promise<Fixture> {
    const environmentTemplate = await environmentTemplateWith(env, 'svc-env', ['1.0']);
    const compatible = { templateName: environmentTemplate, majorVersion: '1' };
    if (needs === 'base') return { environmentTemplate, template: await serviceTemplateWith(env, 'svc', ['1.0'], compatible) };
    const template = await serviceTemplateWith(env, 'svc', ALL_VERSIONS, compatible);
    const template2 = await serviceTemplateWith(env, 'svc-alt', ALL_VERSIONS, compatible);
    return { environmentTemplate, template, template2 };
  },
  input: (fx, name) => ({ ...serviceInput(name, fixed(fx, 'template'), '1', '0'), description: 'by the conformance suite' }),
  arbitrary: (fx, name) =>
    fc
      .record({
        name: fc.constant(name),
        templateName: fc.constantFrom(fixed(fx, 'template'), fixed(fx, 'template2')),
        templateMajorVersion: fc.constantFrom('1', '2'),
        templateMinorVersion: maybe(fc.constantFrom('0', '1')),
        spec: wordArb.map(serviceSpec),
        description: maybe(descriptionArb),
        tags: randomTags,
      })
      .map((input) => compact(input)),
  parameters: [
    parameter('templateName', true, (fx) => fixed(fx, 'template2')),
    parameter('templateMajorVersion', true, () => '2'),
    parameter('templateMinorVersion', false, () => '1'),
    parameter('spec', true, () => serviceSpec('large')),
    parameter('description', false, () => 'another description'),
    tagsParameter,
  ],
  ref: (input) => ({ name: input.name }),
};
