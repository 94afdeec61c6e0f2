// What every check does first: a SpecEnv over its CheckContext, fast
// asynchronous transitions where the target lets us set them, and the
// operation's prerequisites, built once per check.
import type { CheckContext } from '../../harness/run/context.ts';
import { attempt, send } from '../../specs/commands.ts';
import type { ProtonOperation } from '../../specs/commands.ts';
import { RESOURCES } from '../../specs/resources.ts';
import { TRANSITION_NAMES } from '../../specs/transitions.ts';
import type { TransitionName } from '../../specs/transitions.ts';
import type { Fixture, Input, Needs, OperationSpec, Resource, ResourceSpec, SpecEnv } from '../../specs/types.ts';
import { listAll } from './observe.ts';
import { sighted } from './sightings.ts';
import { describeError } from '../../harness/errors.ts';
import { InconclusiveCheck, SkipCheck } from '../../specs/vocabulary.ts';

/** Kinds that live inside another (a template's versions). */
const RESOURCE_INSIDE = new Set(Object.values(RESOURCES).flatMap((spec) => (spec.contains ? [spec.contains.kind] : [])));

/** What a check made in --phase record, in creation order: kept for --phase verify, which removes it. */
const kept = new WeakMap<CheckContext, Array<{ spec: ResourceSpec; resource: Resource }>>();

/**
 * On a target that cannot be reset (a real service), what a check creates is
 * deleted after it, last created first; an emulator's accounts are left as
 * they are. Asynchronous deletions are waited for, so that a template's
 * versions can go after the environments and services on them. In --phase
 * record nothing is deleted: what the check made is kept (keptBy) for verify.
 */
export function track(ctx: CheckContext, spec: ResourceSpec, resource: Resource): void {
  sighted(ctx, spec, [resource]);
  if (ctx.phase?.kind === 'record') {
    let list = kept.get(ctx);
    if (!list) {
      list = [];
      kept.set(ctx, list);
    }
    list.push({ spec, resource });
    return;
  }
  if (ctx.capabilities.has('reset')) return;
  // One group per kind: a cell's services (its environments, ...) are deleted, and waited for, at once.
  ctx.onCleanup(() => remove(ctx, spec, resource), spec.kind);
}

/** What the check made so far in --phase record (track), in creation order. */
export function keptBy(ctx: CheckContext): ReadonlyArray<{ spec: ResourceSpec; resource: Resource }> {
  return kept.get(ctx) ?? [];
}

/** Deletes a resource (a template with what is left inside it), waiting for an asynchronous deletion; gone already is fine. */
export async function remove(ctx: CheckContext, spec: ResourceSpec, resource: Resource): Promise<void> {
  if (spec.contains) await removeContents(ctx, RESOURCES[spec.contains.kind], spec.contains.ref(resource));
  const result = await attempt(ctx.client, spec.remove.operation, spec.remove.input(resource));
  // Gone already, or (a template's version) refused while others remain: the template's cleanup removes them all.
  if (
    !result.ok &&
    result.error.name !== 'ResourceNotFoundException' &&
    !(RESOURCE_INSIDE.has(spec.kind) && result.error.name === 'ConflictException')
  ) {
    throw new Error(`${spec.remove.operation}: ${result.error.name}: ${result.error.message}`);
  }
  if (spec.asyncDeletion) {
    await ctx.waitFor(
      `${spec.kind} deleted`,
      () => attempt(ctx.client, spec.get.operation, spec.get.input(resource)),
      (probe) => !probe.ok && probe.error.name === 'ResourceNotFoundException',
    );
  }
}

/**
 * Removes what is left inside a resource (a template's versions), in passes:
 * a target may refuse some until others are gone (the recommended version
 * last), so what is refused is tried again while a pass makes progress.
 */
async function removeContents(ctx: CheckContext, spec: ResourceSpec, scope: Resource): Promise<void> {
  let left: Resource[];
  try {
    left = await listAll(ctx, spec, scope);
  } catch (error) {
    // The resource itself is gone already: nothing is left inside it.
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return;
    throw error;
  }
  let refusals: string[] = [];
  while (left.length > 0) {
    const refused: Resource[] = [];
    refusals = [];
    for (const item of left) {
      const result = await attempt(ctx.client, spec.remove.operation, spec.remove.input(item));
      if (result.ok || result.error.name === 'ResourceNotFoundException') continue;
      refused.push(item);
      refusals.push(`${result.error.name}: ${result.error.message}`);
    }
    if (refused.length === left.length) throw new Error(`${spec.remove.operation}: ${refusals.slice(0, 2).join('; ')}`);
    left = refused;
  }
}

/** Tracks the resource a Create* output carries. */
function trackOutput(ctx: CheckContext, operation: ProtonOperation, output: Input): void {
  if (!operation.startsWith('Create')) return;
  for (const spec of Object.values(RESOURCES)) {
    const value = output[spec.member];
    if (value !== null && typeof value === 'object') track(ctx, spec, value as Resource);
  }
}

export function specEnv(ctx: CheckContext): SpecEnv {
  return {
    call: async (operation: ProtonOperation, input: Input) => {
      const output = await send(ctx.client, operation, input, ctx.signal);
      trackOutput(ctx, operation, output);
      return output;
    },
    uniqueName: (hint) => ctx.uniqueName(hint),
    tags: ctx.tags,
    waitFor: (description, probe, done, options) => ctx.waitFor(description, probe, done, options),
    step: (description) => ctx.step(description),
    bundles: ctx.bundles,
  };
}

/**
 * With the durations capability: every transition instant, except those in
 * `keep` (virtual milliseconds). Returns whether durations were set.
 */
export async function setDurations(ctx: CheckContext, keep: Partial<Record<TransitionName, number>> = {}): Promise<boolean> {
  if (!ctx.hooks || !ctx.capabilities.has('durations')) return false;
  // The transitions a check does not observe: made instant.
  const durations: Record<string, number> = Object.fromEntries(TRANSITION_NAMES.map((name) => [name, 0]));
  await ctx.hooks.setDurations({ ...durations, ...keep });
  return true;
}

/** Prerequisites already built in a cell, by what was asked (scenario and property of one rule share them). */
const prepared = new WeakMap<CheckContext, Map<string, Promise<Fixture>>>();

/**
 * Durations set (when possible), then the operation's prerequisites, built
 * once per cell: a later call with the same needs (or `base` after
 * `alternatives`, which builds more) gets the same fixture.
 */
export function prepare(
  ctx: CheckContext,
  spec: OperationSpec,
  needs: Needs,
  keep: Partial<Record<TransitionName, number>> = {},
): Promise<Fixture> {
  let cell = prepared.get(ctx);
  if (!cell) {
    cell = new Map();
    prepared.set(ctx, cell);
  }
  const key = (what: Needs): string => `${spec.operation} ${what} ${JSON.stringify(keep)}`;
  const existing = cell.get(key(needs)) ?? (needs === 'base' ? cell.get(key('alternatives')) : undefined);
  if (existing) return existing;
  const building = setDurations(ctx, keep)
    .then(() => spec.prepare(specEnv(ctx), needs))
    .catch((error: unknown) => {
      throw prerequisiteProblem(spec, error);
    });
  cell.set(key(needs), building);
  return building;
}

/**
 * What a prerequisite that could not be set up means for the cell: the
 * operation under test was never reached, so the contract cannot be judged
 * (`inconclusive`, with the target's answer), never a contract failure.
 * Skips, inconclusive waits and interruptions pass through as they are.
 */
function prerequisiteProblem(spec: OperationSpec, error: unknown): unknown {
  if (error instanceof SkipCheck || error instanceof InconclusiveCheck) return error;
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'SkipCheck' || error.name === 'InconclusiveCheck'))
    return error;
  // A slip of the suite's own code is not the target's doing: it stays visible.
  if (error instanceof TypeError || error instanceof ReferenceError || error instanceof SyntaxError || error instanceof RangeError)
    return error;
  return new InconclusiveCheck(`the prerequisites of ${spec.operation} could not be set up: ${describeError(error)}`);
}
