// What a cell has seen of each kind of resource, and when in its own order
// of events: every resource a List, a Get or a create's answer showed it. A
// List is evidence, not truth (evidence.ts): when a later List shows a
// resource an earlier one lacked, whether it is new is told from this record.
// A resource the cell saw before a moment existed before it; so did any
// created (by the target's clock) before one it saw then.
import type { CheckContext } from '../../harness/run/context.ts';
import type { Resource, ResourceSpec } from '../../specs/types.ts';
import { identityKey } from './compare.ts';

/** A moment in a cell's sightings of one kind: what had been seen by then. */
export interface Mark {
  /** Sightings made before it have a lower sequence number. */
  readonly seq: number;
  /** The latest creation time (ms, the target's clock) among them; undefined: none had one. */
  readonly latest: number | undefined;
}

interface Record {
  seq: number;
  latest: number | undefined;
  /** Identity key: the sequence number of its first sighting. */
  first: Map<string, number>;
}

const records = new WeakMap<CheckContext, Map<string, Record>>();

function recordOf(ctx: CheckContext, spec: ResourceSpec): Record {
  let kinds = records.get(ctx);
  if (!kinds) {
    kinds = new Map();
    records.set(ctx, kinds);
  }
  let record = kinds.get(spec.kind);
  if (!record) {
    record = { seq: 0, latest: undefined, first: new Map() };
    kinds.set(spec.kind, record);
  }
  return record;
}

/** A resource's creation time in milliseconds, when it carries one. */
export function createdMs(spec: ResourceSpec, resource: Resource): number | undefined {
  const value = resource[spec.created];
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'number'
        ? value * 1000
        : typeof value === 'string'
          ? Date.parse(value)
          : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The cell saw these resources (its own, whose identity it keeps), and
 * `others` (anyone's in the account: only their creation times count).
 */
export function sighted(ctx: CheckContext, spec: ResourceSpec, own: readonly Resource[], others: readonly Resource[] = []): void {
  const record = recordOf(ctx, spec);
  const seq = ++record.seq;
  for (const resource of [...own, ...others]) {
    const ms = createdMs(spec, resource);
    if (ms !== undefined && (record.latest === undefined || ms > record.latest)) record.latest = ms;
  }
  for (const resource of own) {
    const key = identityKey(spec, resource);
    if (!record.first.has(key)) record.first.set(key, seq);
  }
}

/** Now, in the cell's sightings of a kind. */
export function mark(ctx: CheckContext, spec: ResourceSpec): Mark {
  const record = recordOf(ctx, spec);
  // Sightings from here on get a higher number.
  record.seq++;
  return { seq: record.seq, latest: record.latest };
}

/**
 * Whether `resource` existed before `since`: the cell saw it (this very
 * resource: identity and creation time) before then, or it was created
 * strictly before a resource seen before then (the target's clock is one
 * clock; strictly, so that a coarse clock cannot make a new one look old).
 */
export function existedBefore(ctx: CheckContext, spec: ResourceSpec, resource: Resource, since: Mark): boolean {
  const first = recordOf(ctx, spec).first.get(identityKey(spec, resource));
  if (first !== undefined && first < since.seq) return true;
  const ms = createdMs(spec, resource);
  return ms !== undefined && since.latest !== undefined && ms < since.latest;
}

const weather = new WeakMap<CheckContext, string[]>();

/**
 * A List differed from what a repeated List and Get showed (an item skipped
 * or repeated between pages, one shown that Get does not find): weather, not
 * a violation. Counted per cell, with a line in its trail.
 */
export function listWeather(ctx: CheckContext, what: string): void {
  let notes = weather.get(ctx);
  if (!notes) {
    notes = [];
    weather.set(ctx, notes);
  }
  notes.push(what);
  ctx.step(`list weather: ${what}`);
}

/** The List weather a cell met so far. */
export function listWeatherOf(ctx: CheckContext): readonly string[] {
  return weather.get(ctx) ?? [];
}
