// Resources that take time to go away (environments, services): a deletion
// has an end, and once the clock passes it the resource is gone. Nothing runs
// at that instant; the first lookup after it drops the record.
import type { Handler, RequestContext } from '../context.ts';
import { asyncDelete } from '../idempotency.ts';
import type { Output } from '../policy.ts';
import { notFound } from '../protocol.ts';

export interface Deletable {
  deletion?: { startedAt: number; endsAt: number };
}

export function isDeleting(resource: Deletable): boolean {
  return resource.deletion !== undefined;
}

function isGone(resource: Deletable, now: number): boolean {
  return resource.deletion !== undefined && now >= resource.deletion.endsAt;
}

/** The resource of this name, unless its deletion is complete (then it is dropped). */
export function live<R extends Deletable>(table: Map<string, R>, name: string, now: number): R | undefined {
  const resource = table.get(name);
  if (resource === undefined) return undefined;
  if (isGone(resource, now)) {
    table.delete(name);
    return undefined;
  }
  return resource;
}

/** A kind of resource, by name, that takes time to go away (environments, services). */
export interface DeletableKind<R extends Deletable> {
  /** 'environment': in "The environment 'x' was not found". */
  kind: string;
  /** 'Environment': of GetEnvironment and DeleteEnvironment. */
  operations: string;
  table: (ctx: RequestContext) => Map<string, R>;
  /** How long a deletion takes, in ms. */
  deletionMs: (ctx: RequestContext) => number;
  answer: (resource: R, now: number) => Output;
}

/** The kind's lookup (ResourceNotFoundException when gone), and its Get and Delete handlers. */
export function deletableKind<R extends Deletable>(
  spec: DeletableKind<R>,
): {
  named: (ctx: RequestContext, name: string) => R;
  get: Handler;
  delete: Handler;
} {
  const named = (ctx: RequestContext, name: string): R => {
    const resource = live(spec.table(ctx), name, ctx.now);
    if (resource === undefined) throw notFound(`The ${spec.kind} '${name}' was not found`);
    return resource;
  };
  return {
    named,
    get: (ctx, params) => spec.answer(named(ctx, (params as { name: string }).name), ctx.now),
    // A deletion starts; the retries of a delete are the policy's (emulator/idempotency.ts).
    delete: (ctx, params) =>
      asyncDelete<R>(ctx, {
        operation: `Delete${spec.operations}`,
        find: () => live(spec.table(ctx), (params as { name: string }).name, ctx.now),
        deleting: isDeleting,
        start: (resource) => {
          resource.deletion = { startedAt: ctx.now, endsAt: ctx.now + spec.deletionMs(ctx) };
        },
        answer: (resource) => spec.answer(resource, ctx.now),
      }),
  };
}

/** Every resource that still exists (being deleted or not), in creation order. */
export function liveValues<R extends Deletable>(table: Map<string, R>, now: number): R[] {
  const values: R[] = [];
  for (const [name, resource] of table) {
    if (isGone(resource, now)) table.delete(name);
    else values.push(resource);
  }
  return values;
}
