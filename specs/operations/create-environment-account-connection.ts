// CreateEnvironmentAccountConnection: a connection request from the caller
// (the environment account) to a management account, for an environment name
// (client token). Nothing to prepare. Alternatives: another management
// account, another environment name, other role ARNs, one more tag.
import fc from 'fast-check';
import { environmentAccountConnection } from '../resources.ts';
import type { CreateOperationSpec, Input } from '../types.ts';
import { MANAGEMENT_ACCOUNTS, compact, roleArn, roleArnArb } from '../values.ts';
import { maybe, parameter, randomTags, tagsParameter } from './common.ts';

const base = (name: string): Input => ({
  managementAccountId: MANAGEMENT_ACCOUNTS[0],
  environmentName: name,
  roleArn: roleArn('environment-account-connection'),
  codebuildRoleArn: roleArn('codebuild'),
  componentRoleArn: roleArn('component'),
});

export const createEnvironmentAccountConnection: CreateOperationSpec = {
  operation: 'CreateEnvironmentAccountConnection',
  category: 'client-token',
  kind: 'create',
  token: true,
  resource: environmentAccountConnection,
  summary: 'a connection to a management account for a fresh environment name, with role ARNs',
  prepare: async () => ({}),
  input: (_fx, name) => base(name),
  arbitrary: (_fx, name) =>
    fc
      .record({
        managementAccountId: fc.constantFrom(...MANAGEMENT_ACCOUNTS),
        environmentName: fc.constant(name),
        roleArn: roleArnArb,
        codebuildRoleArn: maybe(roleArnArb),
        componentRoleArn: maybe(roleArnArb),
        tags: randomTags,
      })
      .map((input) => compact(input)),
  parameters: [
    parameter('managementAccountId', true, () => MANAGEMENT_ACCOUNTS[1]),
    // Any valid name will do: the environment is created later, by the management account.
    parameter('environmentName', true, (_fx, input) => `${String(input.environmentName).slice(0, 90)}-alt`),
    parameter('roleArn', false, () => roleArn('environment-account-connection-other')),
    parameter('codebuildRoleArn', false, () => roleArn('codebuild-other')),
    parameter('componentRoleArn', false, () => undefined),
    tagsParameter,
  ],
  ref: () => ({}),
};
