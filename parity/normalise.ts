// The normaliser of the parity comparison (issue 22, docs/parity.md): one per
// target per sequence. What two conforming targets may answer differently
// (ids, ARNs' account and region, timestamps, page tokens) becomes a reference
// that keeps identity within the sequence: the first id seen is `<uuid:1>`,
// and the same id later is `<uuid:1>` again. So an answer that returns
// another resource than it should still differs, while two fresh ids do not.
//
// The answer is walked along the API model's output shape (specs/schemas/):
// - a member of the model's `timestamp` type: `<timestamp:N>`, by value;
// - `nextToken`: `<token:N>`;
// - an ARN keeps its shape: `arn:aws:proton:<region>:<account:1>:environment/<name>` (the partition, service and
//   resource kept; the region replaced only when it is the region the requests were signed for, the account by a
//   reference); so an ARN formed another way still differs;
// - a 12-digit account id: `<account:N>` (one table with the ARNs' accounts);
// - a UUID anywhere (a whole value, inside an ARN or a message): `<uuid:N>`; a member named `id` or `...Id` that is
//   no UUID: `<id:N>`;
// - lists: a paginated output's item list (its structure has `nextToken`) is compared in no order (the model
//   promises none: its items are sorted by their masked form first); every other list keeps its order;
// - an error answer's `__type` is taken out of the body: it is the answer's errorType;
// - a whole string the sequence's own inputs hold (a role ARN, a management account id) is an echo: kept as it is,
//   so that a target whose own account happens to be the one an input names is not told apart by its numbering.
// Members the model does not know are walked the same way, without its types.
import operationsDoc from '../specs/schemas/operations.json' with { type: 'json' };
import outputDoc from '../specs/schemas/output.schema.json' with { type: 'json' };
import type { ParityAnswer } from './types.ts';

interface Definition {
  'x-aws-type': string;
  properties?: Record<string, { $ref: string }>;
  items?: { $ref: string };
}

const DEFINITIONS = (outputDoc as unknown as { definitions: Record<string, Definition> }).definitions;
const OPERATIONS = (operationsDoc as unknown as { operations: Record<string, { output: string | null }> }).operations;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const WHOLE_UUID = new RegExp(`^${UUID.source}$`, 'i');
const ARN = /^arn:([a-z0-9-]+):([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:(.+)$/;
/** An ARN inside free text (a message): up to whitespace or a quote; trailing punctuation is not part of it. */
const EMBEDDED_ARN = /arn:[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:[^\s"'`,;()[\]{}]+[^\s"'`,;()[\]{}.:]/g;
const ACCOUNT = /^\d{12}$/;
const EMBEDDED_ACCOUNT = /(?<![\d<:])\d{12}(?![\d>])/g;

export type ReferenceKind = 'uuid' | 'id' | 'account' | 'timestamp' | 'token';

function refOf(name: string | undefined): Definition | undefined {
  if (name === undefined) return undefined;
  return DEFINITIONS[name.replace('#/definitions/', '')];
}

/** The output shape of an operation's success answer, or undefined (unknown operation, no output). */
export function outputDefinition(operation: string): Definition | undefined {
  const output = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation]?.output : undefined;
  return output ? DEFINITIONS[output] : undefined;
}

/** Whether the model leaves this list's order open: a list member of a paginated output (one with `nextToken`). */
export function unorderedList(parent: Definition | undefined, member: string): boolean {
  const properties = parent?.properties;
  if (properties === undefined || !('nextToken' in properties)) return false;
  return refOf(properties[member]?.$ref)?.['x-aws-type'] === 'list';
}

/** JSON with object keys sorted: equal values, equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, sortKeys(record[key])]),
  );
}

export class Normaliser {
  private readonly seen = new Map<string, string>();
  private readonly counts = new Map<ReferenceKind, number>();

  /**
   * `region`: the region the requests were signed for (replaced by `<region>`
   * in ARNs); `numbered: false` masks without numbers (`<uuid>`), which is how
   * unordered lists are sorted before they are numbered.
   */
  constructor(
    private readonly region: string,
    private readonly numbered = true,
    private readonly literals: ReadonlySet<string> = new Set(),
  ) {}

  /** The reference of a raw value of a kind: the same value, the same reference. */
  ref(kind: ReferenceKind, raw: string): string {
    if (!this.numbered) return `<${kind}>`;
    // Ids and UUIDs share a table: an id member and the UUID in an ARN name the same thing.
    const table = kind === 'id' ? 'uuid' : kind;
    const key = `${table}\u0000${raw.toLowerCase()}`;
    const known = this.seen.get(key);
    if (known !== undefined) return known;
    const n = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, n);
    const made = `<${kind}:${n}>`;
    this.seen.set(key, made);
    return made;
  }

  /** One answer of `operation`: status as it is, the error type as it is, the body normalised. */
  answer(operation: string, answer: ParityAnswer): ParityAnswer {
    if (answer.errorType !== undefined) {
      const body = answer.body;
      const rest =
        typeof body === 'object' && body !== null && !Array.isArray(body)
          ? Object.fromEntries(Object.entries(body).filter(([key]) => key !== '__type'))
          : body;
      return { status: answer.status, errorType: answer.errorType, body: this.value(rest, undefined, undefined) };
    }
    return { status: answer.status, body: this.value(answer.body, outputDefinition(operation), undefined) };
  }

  /** A value along its shape (undefined: unknown to the model); `member`: the member name it is under. */
  value(value: unknown, shape: Definition | undefined, member: string | undefined): unknown {
    if (value === null || value === undefined) return value;
    const type = shape?.['x-aws-type'];
    if (type === 'timestamp' && typeof value === 'number') return this.ref('timestamp', String(value));
    if (typeof value === 'string') return this.string(value, member);
    if (Array.isArray(value)) return value.map((item) => this.value(item, refOf(shape?.items?.$ref), member));
    if (typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    const properties = shape?.properties;
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const inner = refOf(properties?.[key]?.$ref);
      if (Array.isArray(item) && unorderedList(shape, key)) out[key] = this.unordered(item, inner, key);
      else out[key] = this.value(item, inner, key);
    }
    return out;
  }

  /** A list in no order: sorted by each item's masked form (stable: equal forms keep their order), then numbered. */
  private unordered(items: unknown[], list: Definition | undefined, member: string): unknown[] {
    const itemShape = refOf(list?.items?.$ref);
    const masker = new Normaliser(this.region, false, this.literals);
    const keyed = items.map((item, index) => ({ item, index, key: canonical(masker.value(item, itemShape, member)) }));
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index));
    return keyed.map(({ item }) => this.value(item, itemShape, member));
  }

  private string(value: string, member: string | undefined): string {
    // An echo of the sequence's own input (a role ARN, an account id it named): both targets were sent it, as it is.
    if (this.literals.has(value)) return value;
    if (member === 'nextToken') return this.ref('token', value);
    const arn = ARN.exec(value);
    if (arn !== null) return this.arn(arn);
    if (ACCOUNT.test(value)) return this.ref('account', value);
    if (WHOLE_UUID.test(value)) return this.ref('uuid', value);
    if (member !== undefined && (member === 'id' || member.endsWith('Id'))) return this.ref('id', value);
    return this.text(value);
  }

  private arn(parts: RegExpExecArray): string {
    const [, partition, service, region, account, resource] = parts as unknown as [
      string,
      string,
      string,
      string,
      string | undefined,
      string,
    ];
    const where = region === this.region ? '<region>' : region;
    const owner = account === undefined ? '' : this.ref('account', account);
    return `arn:${partition}:${service}:${where}:${owner}:${resource.replace(UUID, (id) => this.ref('uuid', id))}`;
  }

  /** Free text (a message, a name): ARNs, UUIDs and account ids inside it replaced. */
  private text(value: string): string {
    return value
      .replace(EMBEDDED_ARN, (arn) => {
        const parts = ARN.exec(arn);
        return parts === null ? arn : this.arn(parts);
      })
      .replace(UUID, (id) => this.ref('uuid', id))
      .replace(EMBEDDED_ACCOUNT, (account) => this.ref('account', account));
  }
}

/** Timestamps without their numbers (`<timestamp>`): how answers compare where the clocks were not moved together. */
export function withoutTimestampIdentity(value: unknown): unknown {
  if (typeof value === 'string') return /^<timestamp:\d+>$/.test(value) ? '<timestamp>' : value;
  if (Array.isArray(value)) return value.map(withoutTimestampIdentity);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutTimestampIdentity(item)]));
}

/** Every string a value holds, deep (the literals of a sequence's inputs). */
export function stringsOf(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const item of value) stringsOf(item, into);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) stringsOf(item, into);
  return into;
}
