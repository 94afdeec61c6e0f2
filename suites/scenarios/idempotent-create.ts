// The scenario only the idempotent-create category has: a retry after the
// resource was modified.
import type { CheckContext } from '../../harness/run/context.ts';
import type { Outcome } from '../../harness/types.ts';
import { InconclusiveCheck } from '../../harness/types.ts';
import { attempt } from '../../specs/commands.ts';
import { settle } from '../../specs/prerequisites.ts';
import type { CreateOperationSpec, ModifySpec } from '../../specs/types.ts';
import { describe } from '../lib/compare.ts';
import { answerText, sendCreate } from '../lib/create.ts';
import { expectNothingCreated, expectUnchanged } from '../lib/expectations.ts';
import { observe } from '../lib/observe.ts';
import { expect, pass } from '../lib/verdict.ts';
import { specEnv } from '../lib/world.ts';
import { open, original } from './start.ts';

const MODIFIED = 'idempotent-create/modified-retry';
const NEW_VALUE = 'modified by the conformance suite';

/** Create, modify with one Update, retry identically: ConflictException, nothing changed. */
async function retryAfter(ctx: CheckContext, spec: CreateOperationSpec, modify: ModifySpec): Promise<string> {
  const opening = await open(ctx, spec, 'base');
  const first = await settle(specEnv(ctx), spec.resource, await original(ctx, spec, opening, MODIFIED));
  ctx.step(`[${MODIFIED}] modify the resource: ${modify.operation} sets ${modify.field}`);
  const update = await attempt(ctx.client, modify.operation, modify.input(first, NEW_VALUE), ctx.signal);
  if (!update.ok)
    throw new InconclusiveCheck(
      `the resource could not be modified: ${modify.operation} answered ${update.error.name}: ${update.error.message}`,
    );
  const before = await observe(ctx, spec.resource, opening.scope, first);
  if (before.resource?.[modify.field] !== NEW_VALUE) {
    throw new InconclusiveCheck(`${modify.operation} succeeded but Get does not show the new ${modify.field}`);
  }
  ctx.step(`[${MODIFIED}] retry the original create, identical`);
  const retry = await sendCreate(ctx, spec.operation, opening.input);
  expect(
    !retry.ok && retry.error.name === 'ConflictException',
    () =>
      `After ${modify.operation} changed ${modify.field}, the identical retry was to fail with ConflictException; it ` +
      `answered ${answerText(spec.resource, retry)}.`,
  );
  const after = await observe(ctx, spec.resource, opening.scope, first);
  await expectNothingCreated(ctx, spec.resource, before, after, 'The retry of a modified resource');
  expectUnchanged(spec.resource, before.resource, after.resource, 'The retry of a modified resource');
  return (
    `after ${modify.operation} changed ${modify.field}, the identical retry failed with ConflictException ` +
    `and ${describe(spec.resource, first)} is unchanged`
  );
}

/** Every Update the contract names as a modification, each on a resource of its own. */
export async function modifiedRetry(ctx: CheckContext, spec: CreateOperationSpec): Promise<Outcome> {
  const modify = spec.resource.modify;
  if (!modify) throw new Error(`${spec.operation}: the spec names no Update for ${spec.resource.kind}`);
  const observed: string[] = [];
  for (const modification of [modify, ...(spec.resource.modifyAlso ?? [])]) observed.push(await retryAfter(ctx, spec, modification));
  return pass(`${observed.map((text) => text.charAt(0).toUpperCase() + text.slice(1)).join('; ')}.`);
}
