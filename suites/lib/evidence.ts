// Lists are evidence, not truth (docs/lists-and-evidence.md). A List taken
// page by page while others create and delete may skip an item or show one
// twice (a target that pages by offset does; the contract promises nothing
// about a List's consistency). A verdict that rests on a List (something
// created, something missing, a count) takes it through `settle`: the List
// (each item once, by identity) is compared with the prediction; where they
// differ, List is repeated until two Lists agree (within a bound), a resource
// predicted but not listed is read directly (Get), and so is one listed but
// not predicted, which is attributed by its identity and creation time (one
// that existed before the window the prediction covers is not new). Only a
// difference that survives all that is left for the verdict; the rest is
// weather, counted (sightings.ts listWeather), and the cell is inconclusive
// when the Lists never agree.
import type { CheckContext } from '../../harness/run/context.ts';
import { InconclusiveCheck } from '../../harness/types.ts';
import type { Outcome } from '../../harness/types.ts';
import type { Resource, ResourceSpec } from '../../specs/types.ts';
import { describe, identityKey } from './compare.ts';
import { listing, read } from './observe.ts';
import type { Observation } from './observe.ts';
import { existedBefore, listWeather, listWeatherOf } from './sightings.ts';
import type { Mark } from './sightings.ts';

/** Lists taken at most, in all, until two in a row agree. */
export const MAX_LISTS = 8;

/** What a List of a scope is to show. */
export interface Prediction {
  /** Must be listed (identity key: the resource, to read it again). */
  present: ReadonlyMap<string, Resource>;
  /** Must not be listed: deleted within the window. */
  absent?: ReadonlyMap<string, Resource>;
  /** When the window began: a resource that existed before it is not new. */
  since: Mark;
}

export interface Settled {
  /** What the verdict rests on: the agreed List, corrected by Get. */
  items: Map<string, Resource>;
  /** Listed, not predicted, and there before the window (an earlier List missed it). */
  old: Map<string, Resource>;
}

function differs(items: ReadonlyMap<string, Resource>, prediction: Prediction): boolean {
  if (items.size !== prediction.present.size) return true;
  for (const key of prediction.present.keys()) if (!items.has(key)) return true;
  return false;
}

function sameKeys(a: ReadonlyMap<string, Resource>, b: ReadonlyMap<string, Resource>): boolean {
  return a.size === b.size && [...a.keys()].every((key) => b.has(key));
}

/** List again until two Lists in a row agree; InconclusiveCheck when they never do within MAX_LISTS. */
async function agreed(
  ctx: CheckContext,
  spec: ResourceSpec,
  scope: Resource,
  first: Map<string, Resource>,
): Promise<Map<string, Resource>> {
  let previous = first;
  for (let lists = 2; lists <= MAX_LISTS; lists++) {
    const next = await listing(ctx, spec, scope);
    if (sameKeys(previous, next)) {
      if (lists > 2) listWeather(ctx, `${spec.list.operation} gave ${lists} different answers before two in a row agreed`);
      return next;
    }
    previous = next;
  }
  listWeather(ctx, `${spec.list.operation} never gave the same answer twice in a row in ${MAX_LISTS} Lists`);
  throw new InconclusiveCheck(
    `${spec.list.operation} never gave the same answer twice in a row in ${MAX_LISTS} Lists (others creating and deleting between ` +
      'its pages): ' +
      'a List is evidence, not truth, and what the verdict rests on could not be settled',
  );
}

/** Whether Get shows this very resource (identity and creation time). */
async function stillThere(ctx: CheckContext, spec: ResourceSpec, resource: Resource, key: string): Promise<boolean> {
  const found = await read(ctx, spec, resource);
  return found !== undefined && identityKey(spec, found) === key;
}

/**
 * The List `first` of `scope`, taken as evidence against `prediction`: what
 * the verdict may rest on. Without a difference, `first` as it is (no more
 * requests).
 */
export async function settle(
  ctx: CheckContext,
  spec: ResourceSpec,
  scope: Resource,
  first: Map<string, Resource>,
  prediction: Prediction,
): Promise<Settled> {
  const old = new Map<string, Resource>();
  if (!differs(first, prediction)) return { items: first, old };
  const items = new Map(await agreed(ctx, spec, scope, first));
  const operation = spec.list.operation;
  for (const [key, resource] of prediction.present) {
    if (items.has(key) || !(await stillThere(ctx, spec, resource, key))) continue;
    listWeather(ctx, `${operation} lacked ${describe(spec, resource)}, which Get shows`);
    items.set(key, resource);
  }
  for (const [key, resource] of [...items]) {
    if (prediction.present.has(key)) continue;
    if (!(await stillThere(ctx, spec, resource, key))) {
      listWeather(ctx, `${operation} showed ${describe(spec, resource)}, which Get does not find`);
      items.delete(key);
    } else if (!prediction.absent?.has(key) && existedBefore(ctx, spec, resource, prediction.since)) {
      listWeather(ctx, `${operation} showed ${describe(spec, resource)}, there before (an earlier List lacked it)`);
      old.set(key, resource);
    }
  }
  return { items, old };
}

/**
 * Two observations of a scope around a window, the later one settled
 * against what the earlier one showed, changed by what the window was to do
 * (`added`: what its successes named; `removed`: what it deleted). Resolves
 * with both as the verdict may compare them (listDelta): a resource there
 * before that the earlier List lacked joins the earlier one.
 */
export async function settledPair(
  ctx: CheckContext,
  spec: ResourceSpec,
  before: Observation,
  after: Observation,
  window: { added?: readonly Resource[]; removed?: readonly Resource[] } = {},
): Promise<{ before: Observation; after: Observation }> {
  const present = new Map(before.items);
  const absent = new Map<string, Resource>();
  for (const resource of window.removed ?? []) {
    const key = identityKey(spec, resource);
    present.delete(key);
    absent.set(key, resource);
  }
  for (const resource of window.added ?? []) present.set(identityKey(spec, resource), resource);
  const { items, old } = await settle(ctx, spec, after.scope, new Map(after.items), { present, absent, since: before.since });
  const earlier = new Map([...before.items, ...old]);
  return {
    before: { ...before, items: earlier, listed: new Set(earlier.keys()) },
    after: { ...after, items, listed: new Set(items.keys()) },
  };
}

/** The outcome, with a sentence counting the List weather its cell met (none: as it is). */
export function withListWeather(ctx: CheckContext, outcome: Outcome): Outcome {
  const notes = listWeatherOf(ctx);
  if (notes.length === 0) return outcome;
  const kinds = [...new Set(notes)];
  return {
    ...outcome,
    listWeather: notes.length,
    reason:
      `${outcome.reason} List weather: ${notes.length} difference${notes.length === 1 ? '' : 's'} of a List from what a repeated ` +
      'List and Get showed ' +
      `(${kinds.slice(0, 2).join('; ')}${kinds.length > 2 ? '; ...' : ''}): not violations.`,
  };
}
