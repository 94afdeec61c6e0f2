// DeleteServiceTemplateVersion: deletes a draft minor version of major 1 of a
// service template that keeps version 1.0 (a sibling that must survive).
import { environmentTemplateWith, serviceTemplateWith } from '../prerequisites.ts';
import { serviceTemplateVersion } from '../resources.ts';
import type { DeleteOperationSpec } from '../types.ts';
import { bundleFixture, fixed, sourceAt } from './common.ts';

export const deleteServiceTemplateVersion: DeleteOperationSpec = {
  operation: 'DeleteServiceTemplateVersion',
  category: 'idempotent-delete',
  kind: 'delete',
  resource: serviceTemplateVersion,
  summary: 'a draft minor version of a service template that also has version 1.0',
  async prepare(env) {
    const environmentTemplate = await environmentTemplateWith(env, 'del-stv-env', ['1.0']);
    const compatible = { templateName: environmentTemplate, majorVersion: '1' };
    return {
      environmentTemplate,
      template: await serviceTemplateWith(env, 'del-stv', ['1.0'], compatible, { publish: false }),
      ...bundleFixture(env, 'service'),
    };
  },
  create: {
    operation: 'CreateServiceTemplateVersion',
    input: (fx) => ({
      templateName: fixed(fx, 'template'),
      majorVersion: '1',
      source: sourceAt(fx, 'service', 0),
      compatibleEnvironmentTemplates: [{ templateName: fixed(fx, 'environmentTemplate'), majorVersion: '1' }],
    }),
  },
  absent: (fx) => ({ templateName: fixed(fx, 'template'), majorVersion: '1', minorVersion: '999' }),
};
