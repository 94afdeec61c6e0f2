// Generates specs/schemas/ from the official Proton API model (botocore
// format; the copy in specs/model/, see its README for source and licence)
// plus the HTTP status codes the installed SDK carries for each error.
//
//   npm run generate:schemas [-- --model PATH] [--sdk-schemas PATH] [--out DIR]
//
// Output (deterministic: shapes, operations, errors and members sorted by
// name, enum values in model order, pretty-printed):
//   input.schema.json   shapes reachable from operation inputs; structures
//                       reject unknown members (additionalProperties: false)
//   output.schema.json  shapes reachable from outputs and errors; structures
//                       tolerate unknown members (services add members)
//   operations.json     per operation: input, output, errors, idempotent,
//                       idempotencyToken member
//   errors.json         per exception shape: HTTP status, client/server fault
// Two documents instead of two variants per shape keep every definition named
// exactly as its model shape.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// ---------- botocore model ----------

interface BotoMemberRef {
  shape: string;
  documentation?: string;
  idempotencyToken?: boolean;
  deprecated?: boolean;
  deprecatedMessage?: string;
  box?: boolean;
}

interface BotoShape {
  type: string;
  members?: Record<string, BotoMemberRef>;
  required?: string[];
  member?: BotoMemberRef;
  key?: BotoMemberRef;
  value?: BotoMemberRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
  union?: boolean;
  document?: boolean;
  exception?: boolean;
  fault?: boolean;
  retryable?: { throttling?: boolean };
}

interface BotoOperation {
  name: string;
  input?: { shape: string };
  output?: { shape: string };
  errors?: { shape: string }[];
  idempotent?: boolean;
}

export interface BotoModel {
  metadata: { uid?: string; protocol?: string; targetPrefix?: string };
  operations: Record<string, BotoOperation>;
  shapes: Record<string, BotoShape>;
}

// Member keys that change nothing on the wire for the JSON protocol. Any other
// key (locationName, jsonvalue, ...) would need handling: fail loudly instead.
const HARMLESS_MEMBER_KEYS = new Set(['shape', 'documentation', 'idempotencyToken', 'deprecated', 'deprecatedMessage', 'box']);

// ---------- generated documents ----------

export type JsonSchema = { [keyword: string]: unknown };

export interface OperationEntry {
  input: string | null;
  output: string | null;
  errors: string[];
  idempotent: boolean;
  idempotencyToken: string | null;
}

export interface ErrorEntry {
  httpStatus: number;
  fault: 'client' | 'server';
  retryable: boolean;
  throttling: boolean;
}

export const SCHEMA_FILES = ['errors.json', 'input.schema.json', 'operations.json', 'output.schema.json'] as const;
export const INPUT_SCHEMA_ID = 'https://proton-conformance.invalid/schemas/input.schema.json';
export const OUTPUT_SCHEMA_ID = 'https://proton-conformance.invalid/schemas/output.schema.json';
/** Annotation keyword marking shapes with the model's `sensitive` trait. */
export const SENSITIVE_KEYWORD = 'x-aws-sensitive';
/** Annotation keyword carrying the model type (string, integer, timestamp, list, structure, union, ...). */
export const TYPE_KEYWORD = 'x-aws-type';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

type Context = 'input' | 'output';

/** Code-unit order, independent of the locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function refTo(shape: string): JsonSchema {
  return { $ref: `#/definitions/${shape}` };
}

function childRefs(shape: BotoShape): string[] {
  const refs: string[] = [];
  for (const m of Object.values(shape.members ?? {})) refs.push(m.shape);
  for (const r of [shape.member, shape.key, shape.value]) if (r) refs.push(r.shape);
  return refs;
}

function reachable(model: BotoModel, roots: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    const shape = model.shapes[name];
    if (!shape) throw new Error(`model references unknown shape ${name}`);
    seen.add(name);
    stack.push(...childRefs(shape));
  }
  return seen;
}

function withBounds(schema: JsonSchema, minKey: string, maxKey: string, shape: BotoShape): JsonSchema {
  // A zero minimum on a length is no constraint; leave it out.
  if (shape.min !== undefined && !(shape.min === 0 && minKey !== 'minimum')) schema[minKey] = shape.min;
  if (shape.max !== undefined) schema[maxKey] = shape.max;
  return schema;
}

function checkPattern(name: string, pattern: string): void {
  // ajv compiles patterns with the `u` flag; a pattern that only compiles
  // without it needs a deliberate decision, not a silent fallback.
  try {
    new RegExp(pattern, 'u');
  } catch (err) {
    throw new Error(`pattern of ${name} does not compile with the u flag: ${(err as Error).message}`);
  }
}

function shapeSchema(name: string, shape: BotoShape, context: Context): JsonSchema {
  let schema: JsonSchema;
  switch (shape.type) {
    case 'string': {
      schema = withBounds({ type: 'string' }, 'minLength', 'maxLength', shape);
      if (shape.pattern !== undefined) {
        checkPattern(name, shape.pattern);
        schema.pattern = shape.pattern;
      }
      if (shape.enum) schema.enum = [...shape.enum];
      break;
    }
    case 'integer':
      // Integers are 32-bit in the model's type system.
      schema = { type: 'integer', minimum: shape.min ?? INT32_MIN, maximum: shape.max ?? INT32_MAX };
      break;
    case 'long':
    case 'short':
    case 'byte':
      schema = withBounds({ type: 'integer' }, 'minimum', 'maximum', shape);
      break;
    case 'float':
    case 'double':
      schema = withBounds({ type: 'number' }, 'minimum', 'maximum', shape);
      break;
    case 'boolean':
      schema = { type: 'boolean' };
      break;
    case 'timestamp':
      // AWS JSON 1.0 sends epoch seconds, possibly fractional.
      schema = { type: 'number' };
      break;
    case 'blob':
      schema = { type: 'string' }; // base64
      break;
    case 'list':
      schema = withBounds({ type: 'array', items: refTo(shape.member!.shape) }, 'minItems', 'maxItems', shape);
      break;
    case 'map':
      schema = withBounds(
        { type: 'object', propertyNames: refTo(shape.key!.shape), additionalProperties: refTo(shape.value!.shape) },
        'minProperties',
        'maxProperties',
        shape,
      );
      break;
    case 'structure': {
      if (shape.document) {
        schema = {}; // any JSON value
        break;
      }
      const properties: JsonSchema = {};
      for (const [member, ref] of Object.entries(shape.members ?? {}).sort(([a], [b]) => compare(a, b))) {
        for (const key of Object.keys(ref)) {
          if (!HARMLESS_MEMBER_KEYS.has(key)) throw new Error(`unsupported member trait ${key} on ${name}.${member}`);
        }
        properties[member] = refTo(ref.shape);
      }
      schema = { type: 'object', properties };
      if (shape.required && shape.required.length > 0) schema.required = [...shape.required].sort(compare);
      if (shape.union) {
        schema.minProperties = 1;
        schema.maxProperties = 1;
      }
      if (context === 'input') schema.additionalProperties = false;
      break;
    }
    default:
      throw new Error(`unsupported shape type ${shape.type} of ${name}`);
  }
  // The model type first: the JSON type alone cannot tell a timestamp from a
  // number, or a union from a structure, and messages name the model type.
  const modelType =
    shape.type === 'structure' && shape.union ? 'union' : shape.type === 'structure' && shape.document ? 'document' : shape.type;
  const annotated: JsonSchema = { [TYPE_KEYWORD]: modelType, ...schema };
  if (shape.sensitive) annotated[SENSITIVE_KEYWORD] = true;
  return annotated;
}

function schemaDocument(model: BotoModel, id: string, context: Context, roots: Iterable<string>): JsonSchema {
  const definitions: JsonSchema = {};
  for (const name of [...reachable(model, roots)].sort(compare)) {
    definitions[name] = shapeSchema(name, model.shapes[name]!, context);
  }
  const comment =
    context === 'input'
      ? 'Proton request shapes, generated from the API model by scripts/generate-schemas.ts. Structures reject unknown members.'
      : 'Proton response and error shapes, generated from the API model by scripts/generate-schemas.ts. Structures tolerate unknown ' +
        'members.';
  return { $schema: 'http://json-schema.org/draft-07/schema#', $id: id, $comment: comment, definitions };
}

// ---------- installed SDK schema (schemas_0.js), parsed as text ----------

export interface SdkMember {
  name: string;
  /** target schema reference as written, e.g. `() => Tag$`, `0`, `[0, 4]` */
  target: string;
  idempotencyToken: boolean;
}

export interface SdkAggregate {
  kind: 'structure' | 'error' | 'union';
  name: string;
  sensitive: boolean;
  members: SdkMember[];
  /** the SDK lists required members first; this many of them */
  requiredCount: number;
  /** for errors, from traits like `{ [_e]: _c, [_hE]: 409 }` */
  errorTraits?: { fault: string; httpStatus: number };
}

export interface SdkOperation {
  name: string;
  idempotent: boolean;
  input: string;
  output: string;
}

export interface SdkSchemas {
  aggregates: Map<string, SdkAggregate>;
  operations: Map<string, SdkOperation>;
  /** named lists: aggregate lists `[1, n0, ...]` and simple lists `64 | 0` */
  lists: Set<string>;
  /** simple shapes the SDK names, e.g. sensitive strings `[0, n0, _D, 8, 0]` */
  simple: Map<string, { sensitive: boolean }>;
}

// Trait bits of the SDK's schemas (order in @smithy/core translateTraits:
// httpLabel, idempotent, idempotencyToken, sensitive, ...).
const TRAIT_IDEMPOTENT = 2;
const TRAIT_IDEMPOTENCY_TOKEN = 4;
const TRAIT_SENSITIVE = 8;

/** Splits the top-level, comma-separated elements of an array/object literal body. */
function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{' || ch === '(') depth++;
    else if (ch === ']' || ch === '}' || ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(body.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = body.slice(start).trim();
  if (last !== '') parts.push(last);
  return parts;
}

/** Returns the text between `[` at `open` and its matching `]`. */
function bracketBody(text: string, open: number): string {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '[') depth++;
    else if (ch === ']') {
      depth--;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  throw new Error(`unbalanced bracket at offset ${open}`);
}

function traitBits(traits: string, constants: Map<string, string>): { bits: number; object: Map<string, string> } {
  const t = traits.trim();
  if (/^\d+$/.test(t)) return { bits: Number(t), object: new Map() };
  const object = new Map<string, string>();
  if (t.startsWith('{')) {
    for (const entry of splitTopLevel(t.slice(1, -1))) {
      const m = /^\[(\w+)\]\s*:\s*(.+)$/.exec(entry);
      if (!m) throw new Error(`unparsed trait entry ${entry}`);
      const key = constants.get(m[1]!) ?? m[1]!;
      const raw = m[2]!.trim();
      object.set(key, constants.get(raw) ?? raw.replace(/^"|"$/g, ''));
    }
  }
  let bits = 0;
  if (object.has('idempotent')) bits |= TRAIT_IDEMPOTENT;
  if (object.has('idempotencyToken')) bits |= TRAIT_IDEMPOTENCY_TOKEN;
  if (object.has('sensitive')) bits |= TRAIT_SENSITIVE;
  return { bits, object };
}

export function parseSdkSchemas(text: string): SdkSchemas {
  const constants = new Map<string, string>();
  for (const m of text.matchAll(/^const (\w+) = "((?:[^"\\]|\\.)*)";$/gm)) constants.set(m[1]!, m[2]!);
  const name = (token: string): string => {
    const t = token.trim();
    if (t.startsWith('"')) return t.slice(1, -1);
    const v = constants.get(t);
    if (v === undefined) throw new Error(`unknown constant ${t}`);
    return v;
  };

  const result: SdkSchemas = { aggregates: new Map(), operations: new Map(), lists: new Set(), simple: new Map() };
  for (const m of text.matchAll(/^(?:export )?var (\w+?)\$? = (64 \| \d+;|\[)/gm)) {
    const varName = m[1]!;
    if (m[2]!.startsWith('64')) {
      result.lists.add(varName);
      continue;
    }
    const parts = splitTopLevel(bracketBody(text, m.index! + m[0].length - 1));
    const kind = Number(parts[0]);
    if (parts[1] !== 'n0') continue; // the synthetic ProtonServiceException base class
    const shapeName = name(parts[2]!);
    switch (kind) {
      case 0: // simple shape with traits
        result.simple.set(shapeName, { sensitive: (traitBits(parts[3]!, constants).bits & TRAIT_SENSITIVE) !== 0 });
        break;
      case 1: // list
        result.lists.add(shapeName);
        break;
      case 3:
      case -3:
      case 4: {
        const traits = traitBits(parts[3]!, constants);
        const memberNames = splitTopLevel(parts[4]!.slice(1, -1)).map(name);
        const targets = splitTopLevel(parts[5]!.slice(1, -1));
        if (memberNames.length !== targets.length) throw new Error(`member count mismatch in ${shapeName}`);
        const members = memberNames.map((memberName, i): SdkMember => {
          const target = targets[i]!;
          let token = false;
          if (target.startsWith('[')) {
            const inner = splitTopLevel(target.slice(1, -1));
            token = (traitBits(inner[1] ?? '0', constants).bits & TRAIT_IDEMPOTENCY_TOKEN) !== 0;
          }
          return { name: memberName, target, idempotencyToken: token };
        });
        const aggregate: SdkAggregate = {
          kind: kind === 3 ? 'structure' : kind === 4 ? 'union' : 'error',
          name: shapeName,
          sensitive: (traits.bits & TRAIT_SENSITIVE) !== 0,
          members,
          requiredCount: parts[6] === undefined ? 0 : Number(parts[6]),
        };
        if (kind === -3) {
          const fault = traits.object.get('error');
          const status = Number(traits.object.get('httpError'));
          if (fault === undefined || !Number.isInteger(status)) throw new Error(`error ${shapeName} lacks error/httpError traits`);
          aggregate.errorTraits = { fault, httpStatus: status };
        }
        result.aggregates.set(shapeName, aggregate);
        break;
      }
      case 9: {
        const ref = (s: string): string => {
          const r = /^\(\) => (\w+?)\$?$/.exec(s.trim());
          if (!r) throw new Error(`unparsed operation reference ${s}`);
          return r[1]!;
        };
        result.operations.set(shapeName, {
          name: shapeName,
          idempotent: (traitBits(parts[3]!, constants).bits & TRAIT_IDEMPOTENT) !== 0,
          input: ref(parts[4]!),
          output: ref(parts[5]!),
        });
        break;
      }
      default:
        throw new Error(`unknown schema kind ${kind} for ${shapeName}`);
    }
  }
  return result;
}

// ---------- generation ----------

function operationsIndex(model: BotoModel): Record<string, OperationEntry> {
  const index: Record<string, OperationEntry> = {};
  for (const name of Object.keys(model.operations).sort(compare)) {
    const op = model.operations[name]!;
    const input = op.input?.shape ?? null;
    const tokenMembers = Object.entries((input && model.shapes[input]?.members) || {})
      .filter(([, ref]) => ref.idempotencyToken)
      .map(([member]) => member);
    if (tokenMembers.length > 1) throw new Error(`${name} has several idempotency tokens`);
    index[name] = {
      input,
      output: op.output?.shape ?? null,
      errors: [...new Set((op.errors ?? []).map((e) => e.shape))].sort(compare),
      idempotent: op.idempotent === true,
      idempotencyToken: tokenMembers[0] ?? null,
    };
  }
  return index;
}

function errorsIndex(model: BotoModel, sdk: SdkSchemas): Record<string, ErrorEntry> {
  const index: Record<string, ErrorEntry> = {};
  const names = Object.keys(model.shapes)
    .filter((n) => model.shapes[n]!.exception)
    .sort(compare);
  for (const name of names) {
    const shape = model.shapes[name]!;
    const sdkError = sdk.aggregates.get(name)?.errorTraits;
    if (!sdkError) throw new Error(`the installed SDK has no HTTP status for ${name}`);
    const fault = shape.fault ? 'server' : 'client';
    if (sdkError.fault !== fault) throw new Error(`${name}: model says ${fault} fault, SDK says ${sdkError.fault}`);
    index[name] = {
      httpStatus: sdkError.httpStatus,
      fault,
      retryable: shape.retryable !== undefined,
      throttling: shape.retryable?.throttling === true,
    };
  }
  return index;
}

/** Builds every generated file's text, keyed by file name. */
export function generate(modelText: string, sdkSchemasText: string): Map<string, string> {
  const model = JSON.parse(modelText) as BotoModel;
  const sdk = parseSdkSchemas(sdkSchemasText);
  const ops = Object.values(model.operations);
  const inputRoots = ops.flatMap((o) => (o.input ? [o.input.shape] : []));
  const outputRoots = [
    ...ops.flatMap((o) => (o.output ? [o.output.shape] : [])),
    ...ops.flatMap((o) => (o.errors ?? []).map((e) => e.shape)),
    ...Object.keys(model.shapes).filter((n) => model.shapes[n]!.exception),
  ];
  const source = { model: model.metadata.uid ?? 'unknown', generator: 'scripts/generate-schemas.ts' };
  const files = new Map<string, string>();
  const write = (file: string, value: unknown): void => {
    files.set(file, `${JSON.stringify(value, null, 2)}\n`);
  };
  write('errors.json', { source, errors: errorsIndex(model, sdk) });
  write('input.schema.json', schemaDocument(model, INPUT_SCHEMA_ID, 'input', inputRoots));
  write('operations.json', { source, operations: operationsIndex(model) });
  write('output.schema.json', schemaDocument(model, OUTPUT_SCHEMA_ID, 'output', outputRoots));
  return files;
}

// ---------- CLI ----------

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_MODEL = resolve(projectRoot, 'specs/model/proton-2020-07-20.service-2.json');
export const DEFAULT_SDK_SCHEMAS = resolve(projectRoot, 'node_modules/@aws-sdk/client-proton/dist-es/schemas/schemas_0.js');
export const DEFAULT_OUT = resolve(projectRoot, 'specs/schemas');

function parseArgs(argv: readonly string[]): { model: string; sdk: string; out: string } {
  const args = { model: DEFAULT_MODEL, sdk: DEFAULT_SDK_SCHEMAS, out: DEFAULT_OUT };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value after ${flag}`);
    if (flag === '--model') args.model = resolve(value);
    else if (flag === '--sdk-schemas') args.sdk = resolve(value);
    else if (flag === '--out') args.out = resolve(value);
    else throw new Error(`unknown argument ${flag} (expected --model, --sdk-schemas, --out)`);
    i++;
  }
  return args;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const files = generate(readFileSync(args.model, 'utf8'), readFileSync(args.sdk, 'utf8'));
  mkdirSync(args.out, { recursive: true });
  for (const [file, text] of files) writeFileSync(join(args.out, file), text);
  console.log(`wrote ${[...files.keys()].join(', ')} to ${args.out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    main();
  } catch (err) {
    console.error(`generate-schemas: ${(err as Error).message}`);
    process.exit(1);
  }
}
