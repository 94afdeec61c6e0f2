// DeleteEnvironmentTemplateVersion: deletes a draft minor version of major 1
// of a template that keeps version 1.0 (a sibling that must survive).
import { environmentTemplateWith } from '../prerequisites.ts';
import { environmentTemplateVersion } from '../resources.ts';
import type { DeleteOperationSpec } from '../types.ts';
import { bundleFixture, fixed, sourceAt } from './common.ts';

export const deleteEnvironmentTemplateVersion: DeleteOperationSpec = {
  operation: 'DeleteEnvironmentTemplateVersion',
  category: 'idempotent-delete',
  kind: 'delete',
  resource: environmentTemplateVersion,
  summary: 'a draft minor version of an environment template that also has version 1.0',
  prepare: async (env) => ({
    template: await environmentTemplateWith(env, 'del-etv', ['1.0'], { publish: false }),
    ...bundleFixture(env, 'environment'),
  }),
  create: {
    operation: 'CreateEnvironmentTemplateVersion',
    input: (fx) => ({ templateName: fixed(fx, 'template'), majorVersion: '1', source: sourceAt(fx, 'environment', 0) }),
  },
  // A minor version the template never had.
  absent: (fx) => ({ templateName: fixed(fx, 'template'), majorVersion: '1', minorVersion: '999' }),
};
