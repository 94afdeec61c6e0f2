// Services: idempotent create (identity = name), asynchronous idempotent
// delete; creation and spec updates take `serviceCreation` / `serviceUpdate`.
import type { CreateServiceInput, ListServicesInput, UpdateServiceInput } from '@aws-sdk/client-proton';
import { arnOf } from '../arn.ts';
import { seconds, type Handler, type Valid } from '../context.ts';
import { nameCreate, recordUpdate, type CreatedByName } from '../idempotency.ts';
import { paginate } from '../pagination.ts';
import type { Output } from '../policy.ts';
import { conflict, validation } from '../protocol.ts';
import { deletableKind, isDeleting, live, liveValues, type Deletable } from './lifecycle.ts';
import { tagsOf, type Tags } from './tag-list.ts';
import { SERVICE_TEMPLATES } from './template-kinds.ts';
import { publishedVersion, templateNamed, type VersionRecord } from './templates.ts';

export interface ServiceRecord extends CreatedByName, Deletable {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  lastModifiedAt: number;
  /** The service template version its instances are deployed to. */
  readonly version: VersionRecord;
  description?: string;
  spec: string;
  readonly branchName?: string;
  readonly repositoryConnectionArn?: string;
  readonly repositoryId?: string;
  /** The latest create or update, ACTIVE once it ends. */
  operation: { kind: 'CREATE' | 'UPDATE'; endsAt: number };
  readonly tags: Tags;
}

function status(service: ServiceRecord, now: number): string {
  if (isDeleting(service)) return 'DELETE_IN_PROGRESS';
  return now < service.operation.endsAt ? `${service.operation.kind}_IN_PROGRESS` : 'ACTIVE';
}

function view(service: ServiceRecord, now: number, summary = false): Record<string, unknown> {
  // An operation still running when the deletion started never finishes.
  const until = service.deletion?.startedAt ?? now;
  const finished = until >= service.operation.endsAt ? service.operation.endsAt : 0;
  return {
    arn: service.arn,
    name: service.name,
    createdAt: seconds(service.createdAt),
    lastModifiedAt: seconds(Math.max(service.lastModifiedAt, finished)),
    templateName: service.version.template.name,
    status: status(service, now),
    description: service.description,
    ...(summary
      ? {}
      : {
          spec: service.spec,
          branchName: service.branchName,
          repositoryConnectionArn: service.repositoryConnectionArn,
          repositoryId: service.repositoryId,
        }),
  };
}

const answer = (service: ServiceRecord, now: number): Output => ({ service: view(service, now) });

const services = deletableKind<ServiceRecord>({
  kind: 'service',
  operations: 'Service',
  table: (ctx) => ctx.account.services,
  deletionMs: (ctx) => ctx.account.durations.serviceDeletion,
  answer,
});
const serviceNamed = services.named;

/** The members CreateService's documentation says to leave out when the template has no Proton pipeline. */
const PIPELINE_REPOSITORY = ['branchName', 'repositoryConnectionArn', 'repositoryId'] as const;

/**
 * A template whose pipelineProvisioning is CUSTOMER_MANAGED provides no
 * Proton pipeline, and then the pipeline's repository members are to be left
 * out (ValidationException). Whether another template's bundle has a
 * pipeline is not known without reading it: those take them or not.
 */
function checkPipelineRepository(pipelineProvisioning: string | undefined, input: Valid<CreateServiceInput>): void {
  if (pipelineProvisioning !== 'CUSTOMER_MANAGED') return;
  const given = PIPELINE_REPOSITORY.filter((member) => input[member] !== undefined);
  if (given.length > 0) {
    throw validation(`The service template provides no Proton pipeline (pipelineProvisioning CUSTOMER_MANAGED): omit ${given.join(', ')}`);
  }
}

const createService: Handler = (ctx, params) => {
  const input = params as Valid<CreateServiceInput>;
  const table = ctx.account.services;
  return nameCreate<ServiceRecord>(ctx, {
    operation: 'CreateService',
    input: params,
    label: `The service '${input.name}'`,
    find: () => live(table, input.name, ctx.now),
    deleting: isDeleting,
    create: (createParams) => {
      const template = templateNamed(SERVICE_TEMPLATES, ctx.account, input.templateName);
      const version = publishedVersion(template, input.templateMajorVersion, input.templateMinorVersion, ctx.now);
      checkPipelineRepository(template.provisioning, input);
      const service: ServiceRecord = {
        name: input.name,
        arn: arnOf(ctx.region, ctx.account.id, 'service', input.name),
        createdAt: ctx.now,
        lastModifiedAt: ctx.now,
        version,
        description: input.description,
        spec: input.spec,
        branchName: input.branchName,
        repositoryConnectionArn: input.repositoryConnectionArn,
        repositoryId: input.repositoryId,
        operation: { kind: 'CREATE', endsAt: ctx.now + ctx.account.durations.serviceCreation },
        tags: tagsOf(input.tags),
        createParams,
        updateCount: 0,
      };
      table.set(service.name, service);
      return service;
    },
    answer: (service) => answer(service, ctx.now),
  });
};

const updateService: Handler = (ctx, params) => {
  const input = params as Valid<UpdateServiceInput>;
  const service = serviceNamed(ctx, input.name);
  if (isDeleting(service)) throw conflict(`The service '${service.name}' is being deleted`);
  if (input.description !== undefined) service.description = input.description;
  if (input.spec !== undefined) {
    // A new spec is deployed to the service's instances.
    service.spec = input.spec;
    service.operation = { kind: 'UPDATE', endsAt: ctx.now + ctx.account.durations.serviceUpdate };
  }
  service.lastModifiedAt = ctx.now;
  recordUpdate(ctx, 'UpdateService', service, params);
  return answer(service, ctx.now);
};

const listServices: Handler = (ctx, params) => {
  const page = paginate(
    liveValues(ctx.account.services, ctx.now),
    params as Valid<ListServicesInput>,
    (service) => service.name,
    ctx.policy.paging('ListServices'),
  );
  return { services: page.items.map((s) => view(s, ctx.now, true)), nextToken: page.nextToken };
};

export const serviceOperations: Record<string, Handler> = {
  CreateService: createService,
  GetService: services.get,
  ListServices: listServices,
  UpdateService: updateService,
  DeleteService: services.delete,
};
