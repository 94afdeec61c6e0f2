// DeleteEnvironmentTemplate: deletes a template without versions; the
// pairing creates one with CreateEnvironmentTemplate.
import { environmentTemplate } from '../resources.ts';
import type { DeleteOperationSpec } from '../types.ts';

export const deleteEnvironmentTemplate: DeleteOperationSpec = {
  operation: 'DeleteEnvironmentTemplate',
  category: 'idempotent-delete',
  kind: 'delete',
  resource: environmentTemplate,
  summary: 'an environment template without versions',
  prepare: async () => ({}),
  create: { operation: 'CreateEnvironmentTemplate', input: (_fx, name) => ({ name, description: 'to be deleted' }) },
  absent: (_fx, name) => ({ name }),
};
