// DeleteEnvironmentAccountConnection: deletes a pending connection request;
// the pairing requests one with CreateEnvironmentAccountConnection.
import { environmentAccountConnection } from '../resources.ts';
import type { DeleteOperationSpec } from '../types.ts';
import { MANAGEMENT_ACCOUNTS, roleArn } from '../values.ts';

export const deleteEnvironmentAccountConnection: DeleteOperationSpec = {
  operation: 'DeleteEnvironmentAccountConnection',
  category: 'idempotent-delete',
  kind: 'delete',
  resource: environmentAccountConnection,
  summary: 'a pending environment account connection',
  prepare: async () => ({}),
  create: {
    operation: 'CreateEnvironmentAccountConnection',
    input: (_fx, name) => ({
      managementAccountId: MANAGEMENT_ACCOUNTS[0],
      environmentName: name,
      roleArn: roleArn('environment-account-connection'),
    }),
  },
  // An id of the right form that no connection carries.
  absent: () => ({ id: '00000000-0000-4000-8000-00000000dead' }),
};
