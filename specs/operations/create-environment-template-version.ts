// CreateEnvironmentTemplateVersion: a new minor version of major 1 of a
// template (client token). Alternatives: another template that has majors 1
// and 2, major 2, another bundle, another description, one more tag.
import fc from 'fast-check';
import { environmentTemplateWith } from '../prerequisites.ts';
import { environmentTemplateVersion } from '../resources.ts';
import type { CreateOperationSpec, Fixture, Input } from '../types.ts';
import { compact, descriptionArb } from '../values.ts';
import { bundleFixture, fixed, maybe, parameter, randomTags, sourceArb, sourceAt, tagsParameter } from './common.ts';

const base = (fx: Fixture): Input => ({
  templateName: fixed(fx, 'template'),
  majorVersion: '1',
  source: sourceAt(fx, 'environment', 0),
  description: 'environment template version by the conformance suite',
});

export const createEnvironmentTemplateVersion: CreateOperationSpec = {
  operation: 'CreateEnvironmentTemplateVersion',
  category: 'client-token',
  kind: 'create',
  token: true,
  resource: environmentTemplateVersion,
  summary: 'a minor version of an environment template that has versions 1.0 and 2.0',
  async prepare(env, needs): Promise<Fixture> {
    const template = await environmentTemplateWith(env, 'etv', ['1.0', '2.0'], { publish: false });
    if (needs === 'base') return { template, ...bundleFixture(env, 'environment') };
    const template2 = await environmentTemplateWith(env, 'etv-alt', ['1.0', '2.0'], { publish: false });
    return { template, template2, ...bundleFixture(env, 'environment') };
  },
  input: (fx) => base(fx),
  arbitrary: (fx) =>
    fc
      .record({
        templateName: fc.constantFrom(fixed(fx, 'template'), fixed(fx, 'template2')),
        // Left out: a new major version, valid as well.
        majorVersion: maybe(fc.constantFrom('1', '2')),
        source: sourceArb(fx, 'environment'),
        description: maybe(descriptionArb),
        tags: randomTags,
      })
      .map((input) => compact(input)),
  parameters: [
    parameter('templateName', true, (fx) => fixed(fx, 'template2')),
    parameter('majorVersion', false, () => '2'),
    parameter('source', true, (fx) => sourceAt(fx, 'environment', 1)),
    parameter('description', false, () => 'another description'),
    tagsParameter,
  ],
  ref: (input) => ({ templateName: input.templateName }),
};
