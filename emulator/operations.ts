// Which operations of the model the emulator answers, and how. Any other
// operation of the model answers ValidationException naming it as
// unsupported (see README "Operations"); names outside the model
// answer UnknownOperationException (server.ts).
import { operationNames } from '../specs/model.ts';
import type { Handler } from './context.ts';
import { connectionOperations } from './resources/connections.ts';
import { environmentOperations } from './resources/environments.ts';
import { serviceOperations } from './resources/services.ts';
import { tagOperations } from './resources/tags.ts';
import { templateOperations } from './resources/template-operations.ts';
import { ENVIRONMENT_TEMPLATES, SERVICE_TEMPLATES } from './resources/template-kinds.ts';

export const OPERATIONS: ReadonlyMap<string, Handler> = new Map(
  Object.entries({
    ...templateOperations(ENVIRONMENT_TEMPLATES),
    ...templateOperations(SERVICE_TEMPLATES),
    ...environmentOperations,
    ...serviceOperations,
    ...connectionOperations,
    ...tagOperations,
  }),
);

const MODEL_OPERATIONS: ReadonlySet<string> = new Set(operationNames);

for (const name of OPERATIONS.keys()) {
  if (!MODEL_OPERATIONS.has(name)) throw new Error(`emulator operation ${name} is not in the Proton model`);
}

export const isModelOperation = (name: string): boolean => MODEL_OPERATIONS.has(name);
