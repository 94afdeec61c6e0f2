// DeleteServiceTemplate: deletes a template without versions; the pairing
// creates one with CreateServiceTemplate.
import { serviceTemplate } from '../resources.ts';
import type { DeleteOperationSpec } from '../types.ts';

export const deleteServiceTemplate: DeleteOperationSpec = {
  operation: 'DeleteServiceTemplate',
  category: 'idempotent-delete',
  kind: 'delete',
  resource: serviceTemplate,
  summary: 'a service template without versions',
  prepare: async () => ({}),
  create: { operation: 'CreateServiceTemplate', input: (_fx, name) => ({ name, description: 'to be deleted' }) },
  absent: (_fx, name) => ({ name }),
};
