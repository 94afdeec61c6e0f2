// DeleteEnvironment (asynchronous): deletes an environment deployed on a
// published environment template version.
import { environmentInput, environmentTemplateWith } from '../prerequisites.ts';
import { environment } from '../resources.ts';
import type { DeleteOperationSpec } from '../types.ts';
import { fixed } from './common.ts';

export const deleteEnvironment: DeleteOperationSpec = {
  operation: 'DeleteEnvironment',
  category: 'async-delete',
  kind: 'delete',
  resource: environment,
  summary: 'a deployed environment on a published environment template version',
  prepare: async (env) => ({ template: await environmentTemplateWith(env, 'del-env', ['1.0']) }),
  create: { operation: 'CreateEnvironment', input: (fx, name) => environmentInput(name, fixed(fx, 'template'), '1', '0') },
  absent: (_fx, name) => ({ name }),
};
