// Scenarios of the idempotent-delete category: the retry succeeds with the
// deleted resource's metadata or nothing; deleting what never existed is
// empty; a retry deletes nothing else.
import type { CheckContext } from '../../harness/run/context.ts';
import type { Outcome } from '../../harness/types.ts';
import { attempt } from '../../specs/commands.ts';
import type { CallResult } from '../../specs/commands.ts';
import type { DeleteOperationSpec, Resource } from '../../specs/types.ts';
import { describe, identityKey, sameIdentity } from '../lib/compare.ts';
import { answerText, createToDelete, pairingInput, sendCreate } from '../lib/create.ts';
import { expectUnchanged } from '../lib/expectations.ts';
import { settledPair } from '../lib/evidence.ts';
import { carried, listDelta, observe, read } from '../lib/observe.ts';
import { expect, pass } from '../lib/verdict.ts';
import { prepare, track } from '../lib/world.ts';

const SUCCEEDS = 'idempotent-delete/retry-succeeds';
const METADATA = 'idempotent-delete/retry-returns-metadata';
const ABSENT = 'idempotent-delete/absent-is-empty';
const NO_FURTHER = 'idempotent-delete/no-further-action';

function remove(ctx: CheckContext, spec: DeleteOperationSpec, target: Resource): Promise<CallResult> {
  return attempt(ctx.client, spec.operation, spec.resource.remove.input(target), ctx.signal);
}

/** The first delete, which must succeed; returns what it answered. */
async function deleteOnce(ctx: CheckContext, spec: DeleteOperationSpec, target: Resource, rule: string): Promise<Resource | undefined> {
  ctx.step(`[${rule}] ${spec.operation} ${describe(spec.resource, target)}: the original delete`);
  const first = await remove(ctx, spec, target);
  expect(first.ok, () => `The original delete of ${describe(spec.resource, target)} failed: ${answerText(spec.resource, first)}.`);
  const gone = await read(ctx, spec.resource, target);
  expect(gone === undefined, () => `After the delete succeeded, Get still finds ${describe(spec.resource, target)}.`);
  return carried(spec.resource, first.output);
}

/** A retry's answer is the deleted resource's metadata or empty, never another resource. */
function expectRetryAnswer(spec: DeleteOperationSpec, result: CallResult, target: Resource, what: string): Resource | undefined {
  expect(result.ok, () => `${what} was to succeed; it answered ${answerText(spec.resource, result)}.`);
  const returned = carried(spec.resource, result.output);
  expect(
    returned === undefined || sameIdentity(spec.resource, returned, target),
    () =>
      `${what} returned ${describe(spec.resource, returned)}, not the deleted ${describe(spec.resource, target)} nor an empty response.`,
  );
  return returned;
}

/**
 * Delete the target, then another resource of its kind (so that another
 * deletion is the latest), with a third still there; both retries of the
 * target's delete succeed and name the target or nothing: never the other
 * deleted resource, never the one still there.
 */
export async function retrySucceeds(ctx: CheckContext, spec: DeleteOperationSpec): Promise<Outcome> {
  const fx = await prepare(ctx, spec, 'base');
  const target = await createToDelete(ctx, spec, fx, 'target');
  const other = await createToDelete(ctx, spec, fx, 'other');
  const bystander = await createToDelete(ctx, spec, fx, 'bystander');
  const answered = await deleteOnce(ctx, spec, target, SUCCEEDS);
  if (answered)
    expect(
      sameIdentity(spec.resource, answered, target),
      () => `The delete returned ${describe(spec.resource, answered)}, not the resource it deleted.`,
    );
  await deleteOnce(ctx, spec, other, SUCCEEDS);
  const kinds: string[] = [];
  for (const label of ['the first retry', 'the second retry']) {
    ctx.step(`[${SUCCEEDS}] ${label} of the delete of ${describe(spec.resource, target)}`);
    const returned = expectRetryAnswer(spec, await remove(ctx, spec, target), target, `The delete's ${label.replace('the ', '')}`);
    kinds.push(returned ? 'the metadata' : 'an empty response');
  }
  return pass(
    `Both retries of the delete of ${describe(spec.resource, target)} succeeded, with ${kinds.join(' then ')}, ` +
      `after another resource (${describe(spec.resource, other)}) was deleted and with a ` +
      `third (${describe(spec.resource, bystander)}) still there.`,
  );
}

export async function retryReturnsMetadata(ctx: CheckContext, spec: DeleteOperationSpec): Promise<Outcome> {
  const fx = await prepare(ctx, spec, 'base');
  const target = await createToDelete(ctx, spec, fx, 'target');
  await deleteOnce(ctx, spec, target, METADATA);
  ctx.step(`[${METADATA}] retry the delete at once`);
  const retry = await remove(ctx, spec, target);
  const returned = expectRetryAnswer(spec, retry, target, 'The immediate retry');
  expect(
    returned !== undefined,
    () =>
      `The immediate retry answered an empty response; the deleted resource's metadata (${describe(spec.resource, target)}) was expected.`,
  );
  return pass(`The immediate retry returned the deleted ${describe(spec.resource, returned)}.`);
}

export async function absentIsEmpty(ctx: CheckContext, spec: DeleteOperationSpec): Promise<Outcome> {
  const fx = await prepare(ctx, spec, 'base');
  const absent = spec.absent(fx, ctx.uniqueName('never'));
  const existing = await read(ctx, spec.resource, absent);
  expect(existing === undefined, () => `The resource meant to be absent exists: ${describe(spec.resource, existing)}.`);
  ctx.step(`[${ABSENT}] ${spec.operation} of ${JSON.stringify(spec.resource.remove.input(absent))}, which never existed`);
  const result = await remove(ctx, spec, absent);
  expect(
    result.ok,
    () =>
      `Deleting a resource that does not exist was to succeed with an empty response; it answered ${answerText(spec.resource, result)}.`,
  );
  const returned = carried(spec.resource, result.output);
  expect(returned === undefined, () => `Deleting a resource that does not exist returned ${describe(spec.resource, returned)}.`);
  return pass('Deleting a resource that never existed succeeded with an empty response.');
}

/** Names a re-created resource can carry again (templates): the seed is silent on a late retry there. */
function reusesName(spec: DeleteOperationSpec): boolean {
  return spec.resource.identity.includes('name');
}

export async function noFurtherAction(ctx: CheckContext, spec: DeleteOperationSpec): Promise<Outcome> {
  const fx = await prepare(ctx, spec, 'base');
  const target = await createToDelete(ctx, spec, fx, 'target');
  const siblings = [await createToDelete(ctx, spec, fx, 'sibling'), await createToDelete(ctx, spec, fx, 'sibling')];
  const scope = target;
  const before = await Promise.all(siblings.map((sibling) => read(ctx, spec.resource, sibling)));
  const listedBefore = await observe(ctx, spec.resource, scope);
  await deleteOnce(ctx, spec, target, NO_FURTHER);
  for (const label of ['first', 'second']) {
    ctx.step(`[${NO_FURTHER}] the ${label} retry of the delete`);
    expectRetryAnswer(spec, await remove(ctx, spec, target), target, `The ${label} retry`);
  }
  const after = await Promise.all(siblings.map((sibling) => read(ctx, spec.resource, sibling)));
  siblings.forEach((sibling, index) => {
    expectUnchanged(
      spec.resource,
      before[index],
      after[index],
      `A retry of the delete of ${describe(spec.resource, target)} (sibling ${describe(spec.resource, sibling)})`,
    );
  });
  // List is evidence (evidence.ts): settled against what was listed before, less the deleted resource.
  const settled = await settledPair(ctx, spec.resource, listedBefore, await observe(ctx, spec.resource, scope), { removed: [target] });
  const { added: gained, removed } = listDelta(settled.before, settled.after);
  const lost = removed.filter((key) => key !== identityKey(spec.resource, target));
  expect(
    lost.length === 0 && gained.length === 0,
    () =>
      `Around the delete and its retries ${spec.resource.list.operation} lost ${lost.length} other resources and ` +
      `gained ${gained.length}: ${[...lost, ...gained].slice(0, 3).join(', ')}.`,
  );
  const note = reusesName(spec) ? await lateRetryOnRecreated(ctx, spec, fx, target) : '';
  return pass(
    `Two retries of the delete of ${describe(spec.resource, target)} left its ${siblings.length} siblings and every other listed ` +
      `resource untouched.${note}`,
  );
}

/** Where the seed is silent: a late retry after the name was re-created. Observed and reported, never failed. */
async function lateRetryOnRecreated(
  ctx: CheckContext,
  spec: DeleteOperationSpec,
  fx: Parameters<DeleteOperationSpec['absent']>[0],
  target: Resource,
): Promise<string> {
  const name = String(target.name);
  ctx.step(`[${NO_FURTHER}] (the seed is silent) re-create ${name}, then retry the old delete`);
  const again = await sendCreate(ctx, spec.create.operation, pairingInput(ctx, spec, fx, name));
  if (!again.ok) return ` (Re-creating ${name} failed: ${again.error.name}; the late-retry observation was not made.)`;
  const recreated = carried(spec.resource, again.output);
  // Removed after the check on a target without reset (if the late retry did not remove it already).
  if (recreated) track(ctx, spec.resource, recreated);
  const retry = await remove(ctx, spec, target);
  const survived = (await observe(ctx, spec.resource, target, target)).resource !== undefined;
  return (
    ` Where the seed is silent: after ${name} was re-created, a late retry of the old delete ` +
    `answered ${answerText(spec.resource, retry)} and the new ${name} ${survived ? 'survived' : 'was deleted'}.`
  );
}
