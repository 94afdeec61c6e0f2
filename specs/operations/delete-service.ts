// DeleteService (asynchronous): deletes an active service on a published
// service template version.
import { environmentTemplateWith, serviceInput, serviceTemplateWith } from '../prerequisites.ts';
import { service } from '../resources.ts';
import type { DeleteOperationSpec } from '../types.ts';
import { fixed } from './common.ts';

export const deleteService: DeleteOperationSpec = {
  operation: 'DeleteService',
  category: 'async-delete',
  kind: 'delete',
  resource: service,
  summary: 'an active service on a published service template version',
  async prepare(env) {
    const environmentTemplate = await environmentTemplateWith(env, 'del-svc-env', ['1.0']);
    const compatible = { templateName: environmentTemplate, majorVersion: '1' };
    return { environmentTemplate, template: await serviceTemplateWith(env, 'del-svc', ['1.0'], compatible) };
  },
  create: { operation: 'CreateService', input: (fx, name) => serviceInput(name, fixed(fx, 'template'), '1', '0') },
  absent: (_fx, name) => ({ name }),
};
