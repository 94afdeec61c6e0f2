// CreateServiceTemplateVersion: a new minor version of major 1 of a service
// template, compatible with a published major of an environment template
// (client token). Alternatives: another service template with majors 1 and 2,
// major 2, another compatible major, another bundle, another description,
// without component sources, one more tag.
import fc from 'fast-check';
import { environmentTemplateWith, serviceTemplateWith } from '../prerequisites.ts';
import { serviceTemplateVersion } from '../resources.ts';
import type { CreateOperationSpec, Fixture, Input } from '../types.ts';
import { compact, descriptionArb } from '../values.ts';
import { bundleFixture, fixed, maybe, parameter, randomTags, sourceArb, sourceAt, tagsParameter } from './common.ts';

const compatible = (fx: Fixture, major: string) => [{ templateName: fixed(fx, 'environmentTemplate'), majorVersion: major }];

const base = (fx: Fixture): Input => ({
  templateName: fixed(fx, 'template'),
  majorVersion: '1',
  source: sourceAt(fx, 'service', 0),
  compatibleEnvironmentTemplates: compatible(fx, '1'),
  supportedComponentSources: ['DIRECTLY_DEFINED'],
  description: 'service template version by the conformance suite',
});

export const createServiceTemplateVersion: CreateOperationSpec = {
  operation: 'CreateServiceTemplateVersion',
  category: 'client-token',
  kind: 'create',
  token: true,
  resource: serviceTemplateVersion,
  summary: 'a minor version of a service template (versions 1.0 and 2.0) compatible with a published environment template (1.0 and 2.0)',
  async prepare(env, needs): Promise<Fixture> {
    const environmentTemplate = await environmentTemplateWith(env, 'stv-env', needs === 'base' ? ['1.0'] : ['1.0', '2.0']);
    const compatibleWith = { templateName: environmentTemplate, majorVersion: '1' };
    const template = await serviceTemplateWith(env, 'stv', ['1.0', '2.0'], compatibleWith, { publish: false });
    if (needs === 'base') return { environmentTemplate, template, ...bundleFixture(env, 'service') };
    const template2 = await serviceTemplateWith(env, 'stv-alt', ['1.0', '2.0'], compatibleWith, { publish: false });
    return { environmentTemplate, template, template2, ...bundleFixture(env, 'service') };
  },
  input: (fx) => base(fx),
  arbitrary: (fx) =>
    fc
      .record({
        templateName: fc.constantFrom(fixed(fx, 'template'), fixed(fx, 'template2')),
        majorVersion: maybe(fc.constantFrom('1', '2')),
        source: sourceArb(fx, 'service'),
        compatibleEnvironmentTemplates: fc.constantFrom('1', '2').map((major) => compatible(fx, major)),
        supportedComponentSources: maybe(fc.constant(['DIRECTLY_DEFINED'])),
        description: maybe(descriptionArb),
        tags: randomTags,
      })
      .map((input) => compact(input)),
  parameters: [
    parameter('templateName', true, (fx) => fixed(fx, 'template2')),
    parameter('majorVersion', false, () => '2'),
    parameter('source', true, (fx) => sourceAt(fx, 'service', 1)),
    parameter('compatibleEnvironmentTemplates', true, (fx) => compatible(fx, '2')),
    parameter('supportedComponentSources', false, () => undefined),
    parameter('description', false, () => 'another description'),
    tagsParameter,
  ],
  ref: (input) => ({ templateName: input.templateName }),
};
