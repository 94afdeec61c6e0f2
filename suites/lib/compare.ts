// Comparing resources the way the contract does: identity on the spec's
// identity fields, "changes nothing" on every field but the progress ones.
import type { Input, Resource, ResourceSpec } from '../../specs/types.ts';

/** JSON-comparable form: Dates as ISO strings, object keys sorted. */
export function normalize(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, member]) => [key, normalize(member)]));
  }
  return value;
}

export function canonical(value: unknown): string {
  return JSON.stringify(normalize(value));
}

const fingerprints = new WeakMap<Input, string>();

/** The parameters of a request as the contract compares them: everything but the token. (Inputs are never mutated: cached.) */
export function fingerprint(input: Input): string {
  let print = fingerprints.get(input);
  if (print === undefined) {
    const { clientToken: _token, ...parameters } = input;
    print = canonical(parameters);
    fingerprints.set(input, print);
  }
  return print;
}

/** The naming fields and the creation time: one resource, told from one re-created under the same name. */
export function identityOf(spec: ResourceSpec, resource: Resource): Record<string, unknown> {
  return Object.fromEntries([...spec.identity, spec.created].map((field) => [field, normalize(resource[field])]));
}

/** Same naming fields (the contract's identity), whatever the creation time. */
export function sameName(spec: ResourceSpec, a: Resource, b: Resource): boolean {
  return spec.identity.every((field) => canonical(a[field]) === canonical(b[field]));
}

const identityKeys = new WeakMap<Resource, { spec: ResourceSpec; key: string }>();

/** One string per resource, for sets and messages. (Resources as answered are never mutated: cached.) */
export function identityKey(spec: ResourceSpec, resource: Resource): string {
  const cached = identityKeys.get(resource);
  if (cached?.spec === spec) return cached.key;
  const key = canonical(identityOf(spec, resource));
  identityKeys.set(resource, { spec, key });
  return key;
}

export function sameIdentity(spec: ResourceSpec, a: Resource, b: Resource): boolean {
  return identityKey(spec, a) === identityKey(spec, b);
}

/** Short text naming a resource in a reason (the arn left out when other fields name it). */
export function describe(spec: ResourceSpec, resource: Resource | undefined): string {
  if (!resource) return 'nothing';
  const fields = spec.identity.length > 1 ? spec.identity.filter((field) => field !== 'arn') : spec.identity;
  return fields.map((field) => `${field}=${String(normalize(resource[field]))}`).join(' ');
}

/** Top-level fields, progress fields excepted, whose values differ. */
export function changedFields(spec: ResourceSpec, before: Resource, after: Resource): string[] {
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...fields]
    .filter((field) => !spec.progress.includes(field))
    .filter((field) => canonical(before[field]) !== canonical(after[field]))
    .sort();
}
