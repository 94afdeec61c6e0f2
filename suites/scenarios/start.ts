// The opening every create scenario shares: prerequisites, a fresh name, the
// base input with the run's tags, a fresh token where the operation has one,
// and the first request (which must succeed: it is valid on its own).
import type { CheckContext } from '../../harness/run/context.ts';
import type { CreateOperationSpec, Fixture, Input, Needs, Resource } from '../../specs/types.ts';
import { baseInput, created, freshToken, sendCreate } from '../lib/create.ts';
import { prepare } from '../lib/world.ts';

export interface Opening {
  fx: Fixture;
  input: Input;
  /** The List scope of the base input. */
  scope: Resource;
  /** The token of the original request (client-token category), else undefined. */
  token: string | undefined;
}

export async function open(ctx: CheckContext, spec: CreateOperationSpec, needs: Needs, keep?: Record<string, number>): Promise<Opening> {
  const fx = await prepare(ctx, spec, needs, keep);
  const input = baseInput(ctx, spec, fx, ctx.uniqueName(spec.operation.replace(/^Create/, '').toLowerCase()));
  return { fx, input, scope: spec.ref(input), token: spec.token ? freshToken() : undefined };
}

/** The original request of a scenario; a Violation if this valid first request fails. */
export async function original(ctx: CheckContext, spec: CreateOperationSpec, opening: Opening, rule: string): Promise<Resource> {
  const withToken = opening.token === undefined ? '' : ` with token ${opening.token}`;
  ctx.step(`[${rule}] ${spec.operation}${withToken}: the original request`);
  const result = await sendCreate(ctx, spec.operation, opening.input, opening.token);
  return created(ctx, spec.resource, result, `the original ${spec.operation} (a valid first request)`);
}
