// The fourteen operation entries, by name; and the input a create sends,
// with the run's tags.
import type { CreateOperationSpec, Input, OperationName, OperationSpec, Tag } from '../types.ts';
import { tagsOf } from './common.ts';
import { createEnvironmentAccountConnection } from './create-environment-account-connection.ts';
import { createEnvironmentTemplateVersion } from './create-environment-template-version.ts';
import { createEnvironmentTemplate } from './create-environment-template.ts';
import { createEnvironment } from './create-environment.ts';
import { createServiceTemplateVersion } from './create-service-template-version.ts';
import { createServiceTemplate } from './create-service-template.ts';
import { createService } from './create-service.ts';
import { deleteEnvironmentAccountConnection } from './delete-environment-account-connection.ts';
import { deleteEnvironmentTemplateVersion } from './delete-environment-template-version.ts';
import { deleteEnvironmentTemplate } from './delete-environment-template.ts';
import { deleteEnvironment } from './delete-environment.ts';
import { deleteServiceTemplateVersion } from './delete-service-template-version.ts';
import { deleteServiceTemplate } from './delete-service-template.ts';
import { deleteService } from './delete-service.ts';

export const OPERATIONS: Record<OperationName, OperationSpec> = {
  CreateEnvironmentTemplateVersion: createEnvironmentTemplateVersion,
  CreateServiceTemplateVersion: createServiceTemplateVersion,
  CreateEnvironmentAccountConnection: createEnvironmentAccountConnection,
  CreateEnvironmentTemplate: createEnvironmentTemplate,
  CreateServiceTemplate: createServiceTemplate,
  CreateEnvironment: createEnvironment,
  CreateService: createService,
  DeleteEnvironmentTemplate: deleteEnvironmentTemplate,
  DeleteEnvironmentTemplateVersion: deleteEnvironmentTemplateVersion,
  DeleteServiceTemplate: deleteServiceTemplate,
  DeleteServiceTemplateVersion: deleteServiceTemplateVersion,
  DeleteEnvironmentAccountConnection: deleteEnvironmentAccountConnection,
  DeleteEnvironment: deleteEnvironment,
  DeleteService: deleteService,
};

export function operationSpec(name: string): OperationSpec | undefined {
  return (OPERATIONS as Record<string, OperationSpec | undefined>)[name];
}

/** The create entry that makes what `spec` creates or deletes (a delete's pairing). */
export function creatorOf(spec: OperationSpec): CreateOperationSpec {
  const creator = spec.kind === 'create' ? spec : OPERATIONS[spec.create.operation];
  if (creator.kind !== 'create') throw new Error(`${spec.operation}: its pairing is not a create`);
  return creator;
}

/** A create input as sent: the run's tags first, then the input's own. */
export function withRunTags(input: Input, runTags: readonly Tag[]): Input {
  return { ...input, tags: [...runTags, ...tagsOf(input)] };
}
