// Observation with Get and List (and the hooks' counts when the target has
// them): what "creates nothing" and "changes nothing" are checked with.
import type { CheckContext } from '../../harness/run/context.ts';
import { attempt, send } from '../../specs/commands.ts';
import { listEvery } from '../../specs/lists.ts';
import type { Input, Resource, ResourceSpec } from '../../specs/types.ts';
import { identityKey } from './compare.ts';
import { listWeather, mark, sighted } from './sightings.ts';
import type { Mark } from './sightings.ts';

function resourceOf(output: Input, member: string): Resource | undefined {
  const value = output[member];
  return value !== null && typeof value === 'object' ? (value as Resource) : undefined;
}

/** The resource a response carries, if any (an empty response carries none). */
export function carried(spec: ResourceSpec, output: Input): Resource | undefined {
  return resourceOf(output, spec.member);
}

/** Get: the resource, or undefined when the target answers ResourceNotFoundException. */
export async function read(ctx: CheckContext, spec: ResourceSpec, ref: Resource): Promise<Resource | undefined> {
  const result = await attempt(ctx.client, spec.get.operation, spec.get.input(ref), ctx.signal);
  if (result.ok) {
    const resource = carried(spec, result.output);
    if (resource) sighted(ctx, spec, [resource]);
    return resource;
  }
  if (result.error.name === 'ResourceNotFoundException') return undefined;
  throw new Error(`${spec.get.operation} failed unexpectedly: ${result.error.name}: ${result.error.message}`);
}

const prefixes = new WeakMap<CheckContext, string>();

/** What every name this cell makes starts with (the common start of two of its unique names). */
function cellPrefix(ctx: CheckContext): string {
  let prefix = prefixes.get(ctx);
  if (prefix === undefined) {
    const [a, b] = [ctx.uniqueName('a'), ctx.uniqueName('b')];
    let length = 0;
    while (length < a.length && a[length] === b[length]) length++;
    prefix = a.slice(0, length);
    prefixes.set(ctx, prefix);
  }
  return prefix;
}

/**
 * Whether a listed resource is this cell's: one of its owner fields (its
 * name, its template's, its environment's: specs/resources.ts) carries the
 * cell's prefix. On a target where cells share an account, counts then see
 * only the cell's own resources. An item that carries none of them cannot be
 * attributed: that is an error, never a silent "not mine" (which would make
 * "creates nothing" hold unobserved).
 */
function mine(ctx: CheckContext, spec: ResourceSpec, item: Resource): boolean {
  const owners = spec.owner.map((field) => item[field]).filter((value): value is string => typeof value === 'string');
  if (owners.length === 0) {
    throw new Error(
      `${spec.list.operation} listed an item without any of ${spec.owner.join(', ')} (specs/resources.ts owner fields): ` +
        `it cannot be attributed to a cell (${JSON.stringify(item).slice(0, 200)})`,
    );
  }
  const prefix = cellPrefix(ctx);
  if (prefix.length < 4) return true;
  return owners.some((value) => value.startsWith(prefix));
}

/**
 * List, every page, in the scope of `ref`: the cell's own resources, each
 * once. A List is evidence, not truth (evidence.ts): pages taken while others
 * create and delete may repeat an item (removed here by identity, and counted
 * as weather) or skip one.
 */
export async function listAll(ctx: CheckContext, spec: ResourceSpec, ref: Resource): Promise<Resource[]> {
  return [...(await listing(ctx, spec, ref)).values()];
}

/** listAll by identity key. */
export async function listing(ctx: CheckContext, spec: ResourceSpec, ref: Resource): Promise<Map<string, Resource>> {
  const all = await listPages(ctx, spec, ref);
  const own = all.filter((item) => mine(ctx, spec, item));
  const byKey = new Map<string, Resource>();
  for (const item of own) byKey.set(identityKey(spec, item), item);
  if (byKey.size < own.length) {
    listWeather(
      ctx,
      `${spec.list.operation} showed ${own.length - byKey.size} of the cell's resources twice (pages taken while others created ` +
        'or deleted); each counted once',
    );
  }
  sighted(ctx, spec, [...byKey.values()], all);
  return byKey;
}

/** Every page of the List of `ref`'s scope, completely (listEvery: a template's versions major by major). */
function listPages(ctx: CheckContext, spec: ResourceSpec, ref: Resource): Promise<Resource[]> {
  return listEvery(spec, ref, (input) => pagesOf(ctx, spec, input));
}

async function pagesOf(ctx: CheckContext, spec: ResourceSpec, first: Input): Promise<Resource[]> {
  const items: Resource[] = [];
  let nextToken: string | undefined;
  do {
    const input: Input = { ...first, maxResults: 100, ...(nextToken ? { nextToken } : {}) };
    const output = await send(ctx.client, spec.list.operation, input, ctx.signal);
    const page = output[spec.list.items];
    if (Array.isArray(page)) items.push(...(page as Resource[]));
    nextToken = typeof output.nextToken === 'string' ? output.nextToken : undefined;
  } while (nextToken);
  return items;
}

export interface Observation {
  /** Get of the resource (undefined: not found, or not asked). */
  resource: Resource | undefined;
  /** Identity keys of the resources List shows in the scope. */
  listed: Set<string>;
  /** The same, with the resources (evidence.ts reads them again with Get). */
  items: ReadonlyMap<string, Resource>;
  /** The cell's sightings when the observation ended: what existed before what follows it. */
  since: Mark;
  /** The List's scope (evidence.ts lists it again). */
  scope: Resource;
  /**
   * The hooks' count of this kind in the account, when the target has counts
   * and the cell runs alone in its account (else other cells' doings are in it).
   */
  hookCount: number | undefined;
}

/** The hooks' count of this kind, when it speaks of this cell alone (CheckContext.runsAlone); else undefined. */
export async function hookCount(ctx: CheckContext, spec: ResourceSpec): Promise<number | undefined> {
  if (!ctx.hooks || !ctx.capabilities.has('counts') || !ctx.runsAlone()) return undefined;
  return (await ctx.hooks.counts())[spec.countKey];
}

/** Whether two observations' hook counts can be compared (both taken while the cell ran alone). */
export function countsComparable(before: Observation, after: Observation): boolean {
  return before.hookCount !== undefined && after.hookCount !== undefined;
}

/** Get of `target` (when it names one) and List of the scope of `scope`, at once. */
export async function observe(ctx: CheckContext, spec: ResourceSpec, scope: Resource, target?: Resource): Promise<Observation> {
  const [resource, items, count] = await Promise.all([
    target ? read(ctx, spec, target) : Promise.resolve(undefined),
    listing(ctx, spec, scope),
    hookCount(ctx, spec),
  ]);
  return { resource, listed: new Set(items.keys()), items, since: mark(ctx, spec), scope, hookCount: count };
}

/** Identity keys in `after` that were not in `before`, and the reverse. */
export function listDelta(before: Observation, after: Observation): { added: string[]; removed: string[] } {
  return {
    added: [...after.listed].filter((key) => !before.listed.has(key)),
    removed: [...before.listed].filter((key) => !after.listed.has(key)),
  };
}
