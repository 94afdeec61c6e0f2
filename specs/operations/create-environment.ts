// CreateEnvironment: an environment named by the run on version 1.0 of a
// published environment template (idempotent by name). Alternatives need two
// templates, each with 1.0, 1.1, 2.0 and 2.1 published, so that any
// combination of template, major and minor exists.
import fc from 'fast-check';
import { environmentInput, environmentTemplateWith } from '../prerequisites.ts';
import type { VersionNumber } from '../prerequisites.ts';
import { environment } from '../resources.ts';
import type { CreateOperationSpec, Fixture } from '../types.ts';
import { compact, descriptionArb, environmentSpec, roleArn, roleArnArb, wordArb } from '../values.ts';
import { fixed, maybe, parameter, randomTags, tagsParameter } from './common.ts';

const ALL_VERSIONS: readonly VersionNumber[] = ['1.0', '1.1', '2.0', '2.1'];

export const createEnvironment: CreateOperationSpec = {
  operation: 'CreateEnvironment',
  category: 'idempotent-create',
  kind: 'create',
  token: false,
  resource: environment,
  summary: 'an environment with a fresh name on a published environment template version',
  async prepare(env, needs): Promise<Fixture> {
    if (needs === 'base') return { template: await environmentTemplateWith(env, 'env', ['1.0']) };
    const template = await environmentTemplateWith(env, 'env', ALL_VERSIONS);
    const template2 = await environmentTemplateWith(env, 'env-alt', ALL_VERSIONS);
    return { template, template2 };
  },
  input: (fx, name) => ({ ...environmentInput(name, fixed(fx, 'template'), '1', '0'), description: 'by the conformance suite' }),
  arbitrary: (fx, name) =>
    fc
      .record({
        name: fc.constant(name),
        templateName: fc.constantFrom(fixed(fx, 'template'), fixed(fx, 'template2')),
        templateMajorVersion: fc.constantFrom('1', '2'),
        templateMinorVersion: maybe(fc.constantFrom('0', '1')),
        spec: wordArb.map(environmentSpec),
        description: maybe(descriptionArb),
        protonServiceRoleArn: roleArnArb,
        codebuildRoleArn: maybe(roleArnArb),
        componentRoleArn: maybe(roleArnArb),
        tags: randomTags,
      })
      .map((input) => compact(input)),
  parameters: [
    parameter('templateName', true, (fx) => fixed(fx, 'template2')),
    parameter('templateMajorVersion', true, () => '2'),
    parameter('templateMinorVersion', false, () => '1'),
    parameter('spec', true, () => environmentSpec('large')),
    parameter('description', false, () => 'another description'),
    parameter('protonServiceRoleArn', false, () => roleArn('proton-service-other')),
    parameter('codebuildRoleArn', false, () => roleArn('codebuild')),
    parameter('componentRoleArn', false, () => roleArn('component')),
    tagsParameter,
  ],
  ref: (input) => ({ name: input.name }),
};
