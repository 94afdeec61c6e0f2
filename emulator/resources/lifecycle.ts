// Resources that take time to go away (environments, services): a deletion
// has an end, and once the clock passes it the resource is gone. Nothing runs
// at that instant; the first lookup after it drops the record.

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

/** Every resource that still exists (being deleted or not), in creation order. */
export function liveValues<R extends Deletable>(table: Map<string, R>, now: number): R[] {
  const values: R[] = [];
  for (const [name, resource] of table) {
    if (isGone(resource, now)) table.delete(name);
    else values.push(resource);
  }
  return values;
}
