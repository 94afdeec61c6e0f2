// general/exact-resource-count on the delete operations: a fixed sequence of
// creates, deletes, delete retries and a delete of what never existed, with
// List (exact identities) and Get checked against the prediction after every
// step. (The create operations are checked by the model-based property.)
import type { CheckContext } from '../../harness/run/context.ts';
import type { Outcome } from '../../harness/types.ts';
import { attempt } from '../../specs/commands.ts';
import type { DeleteOperationSpec, Resource } from '../../specs/types.ts';
import { describe, identityKey } from '../lib/compare.ts';
import { answerText, createToDelete } from '../lib/create.ts';
import { settle } from '../lib/evidence.ts';
import { listing, read } from '../lib/observe.ts';
import { mark } from '../lib/sightings.ts';
import { expect, pass } from '../lib/verdict.ts';
import { prepare } from '../lib/world.ts';

const RULE = 'general/exact-resource-count';

export async function exactCountForDelete(ctx: CheckContext, spec: DeleteOperationSpec): Promise<Outcome> {
  const fx = await prepare(ctx, spec, 'base');
  const first = await createToDelete(ctx, spec, fx, 'a');
  const scope = first;
  const key = (resource: Resource): string => identityKey(spec.resource, resource);
  const expected = await listing(ctx, spec.resource, scope);
  const since = mark(ctx, spec.resource);
  const gone: Resource[] = [];
  let steps = 0;

  const verify = async (after: string): Promise<void> => {
    steps++;
    // List is evidence (evidence.ts): settled against the prediction first.
    const absent = new Map(gone.map((resource) => [key(resource), resource] as const));
    const { items, old } = await settle(ctx, spec.resource, scope, await listing(ctx, spec.resource, scope), {
      present: expected,
      absent,
      since,
    });
    for (const [identity, resource] of old) expected.set(identity, resource);
    const listed = new Set(items.keys());
    const extra = [...listed].filter((identity) => !expected.has(identity));
    const missing = [...expected.keys()].filter((identity) => !listed.has(identity));
    const unexpectedNote = extra.length ? `; unexpected: ${extra.slice(0, 2).join(', ')}` : '';
    const missingNote = missing.length ? `; missing: ${missing.slice(0, 2).join(', ')}` : '';
    expect(
      extra.length === 0 && missing.length === 0,
      () =>
        `After ${after}, ${spec.resource.list.operation} lists ${listed.size} resources, ` +
        `the contract predicts ${expected.size}${unexpectedNote}${missingNote}.`,
    );
    for (const resource of gone) {
      const found = await read(ctx, spec.resource, resource);
      expect(found === undefined, () => `After ${after}, Get still finds ${describe(spec.resource, found)}, which was deleted.`);
    }
  };
  const remove = async (target: Resource, what: string): Promise<void> => {
    ctx.step(`[${RULE}] ${what}`);
    const result = await attempt(ctx.client, spec.operation, spec.resource.remove.input(target), ctx.signal);
    expect(result.ok, () => `${what} failed: ${answerText(spec.resource, result)}.`);
    if (spec.resource.asyncDeletion) {
      await ctx.waitFor(
        `${describe(spec.resource, target)} deleted`,
        () => read(ctx, spec.resource, target),
        (current) => current === undefined,
      );
    }
    expected.delete(key(target));
    if (!gone.some((resource) => key(resource) === key(target))) gone.push(target);
    // "After the step "retry that delete"", not "After retry that delete".
    await verify(`the step "${what}"`);
  };

  const second = await createToDelete(ctx, spec, fx, 'b');
  expected.set(key(second), second);
  await verify('creating a second resource');
  await remove(first, `delete ${describe(spec.resource, first)}`);
  await remove(first, `retry that delete`);
  await remove(first, `retry that delete again`);
  const third = await createToDelete(ctx, spec, fx, 'c');
  expected.set(key(third), third);
  await verify('creating a third resource');
  await remove(third, `delete ${describe(spec.resource, third)}`);
  await remove(third, `retry that delete`);
  // Deleting what never existed: success or ResourceNotFoundException alike leave everything as it was.
  const absent = spec.absent(fx, ctx.uniqueName('never'));
  ctx.step(`[${RULE}] delete a resource that never existed`);
  const result = await attempt(ctx.client, spec.operation, spec.resource.remove.input(absent), ctx.signal);
  expect(
    result.ok || result.error.name === 'ResourceNotFoundException',
    () => `Deleting what never existed answered ${answerText(spec.resource, result)}.`,
  );
  await verify('deleting a resource that never existed');
  return pass(
    `After each of ${steps} steps (creates, deletes, delete retries, a delete of nothing) List and Get showed exactly the ` +
      'predicted resources.',
  );
}
