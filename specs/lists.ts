// Listing a scope completely whichever way the target reads a List without
// the member that narrows it (ResourceSpec.list.narrowedBy): the API reference
// says List*TemplateVersions without majorVersion lists the major versions
// only, the reference emulator lists every version. A scope that leaves the
// member out is listed once for the values it shows, then once per value:
// what those narrower Lists show is every item, under either reading.
import type { Input, Resource, ResourceSpec } from './types.ts';

/** Every page of one List input, as the caller sends it (its client, retries, signal). */
export type ListPages = (input: Input) => Promise<Resource[]>;

/** The List inputs that together list the scope of `ref` completely, given what the List of `ref` itself showed. */
export function narrowerInputs(spec: ResourceSpec, ref: Resource, shown: readonly Resource[]): Input[] {
  const input = spec.list.input(ref);
  const by = spec.list.narrowedBy;
  if (by === undefined || input[by] !== undefined) return [];
  const values = new Set<string>();
  for (const item of shown) if (typeof item[by] === 'string') values.add(item[by]);
  return [...values].map((value) => ({ ...input, [by]: value }));
}

/**
 * Every item in the scope of `ref`: the List of its input; when that input
 * leaves out the narrowing member, the Lists of each value it showed instead
 * (items without a value kept as shown).
 */
export async function listEvery(spec: ResourceSpec, ref: Resource, pages: ListPages): Promise<Resource[]> {
  const shown = await pages(spec.list.input(ref));
  const narrower = narrowerInputs(spec, ref, shown);
  if (narrower.length === 0) return shown;
  const by = spec.list.narrowedBy!;
  const items = shown.filter((item) => typeof item[by] !== 'string');
  for (const input of narrower) items.push(...(await pages(input)));
  return items;
}
