// Invalid inputs, read from the model (specs/schemas/): for each operation a
// valid input, and for each kind of constraint the operation's input has
// (too long, too short, pattern, required, enum, range), one sequence whose
// single step breaks exactly that constraint on one member the seed picks
// among those where it can be broken alone: a member of the input, or one
// inside its structures (a list's first element). Every other member stays
// valid, so the answer can only be about that one constraint.
import inputDoc from '../../specs/schemas/input.schema.json' with { type: 'json' };
import operationsDoc from '../../specs/schemas/operations.json' with { type: 'json' };
import { validateInput } from '../../specs/model.ts';
import { environmentInput, serviceInput } from '../../specs/prerequisites.ts';
import type { Input } from '../../specs/types.ts';
import { MANAGEMENT_ACCOUNTS, PLACEHOLDER_BUNDLES, bundle, roleArn } from '../../specs/values.ts';
import type { ParitySequence } from '../types.ts';
import { type CorpusContext, createSpec, SequenceBuilder } from './builder.ts';
import { INVALID_CONSTRAINT, INVALID_KINDS, type InvalidKind, invalidIntent } from './intents.ts';

interface Definition {
  type?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  items?: { $ref: string };
  properties?: Record<string, { $ref: string }>;
  required?: string[];
}

const definitions = (inputDoc as unknown as { definitions: Record<string, Definition> }).definitions;
const operationShapes = (operationsDoc as unknown as { operations: Record<string, { input: string | null }> }).operations;

const refName = (ref: { $ref: string }): string => ref.$ref.slice('#/definitions/'.length);

/** The input shape of an operation: its members (by name, with their definitions) and the required ones. */
export function inputShape(operation: string): { members: Record<string, Definition>; required: string[] } {
  const shape = operationShapes[operation]?.input;
  const definition = shape ? definitions[shape] : undefined;
  if (definition === undefined) throw new Error(`no input shape for ${operation}`);
  const members = Object.fromEntries(Object.entries(definition.properties ?? {}).map(([name, ref]) => [name, definitions[refName(ref)]!]));
  return { members, required: definition.required ?? [] };
}

/** A valid example of a member the valid input leaves out (what an invalid value is made from). */
function sample(member: string, definition: Definition): unknown {
  if (definition.type === 'integer') return definition.minimum ?? 1;
  if (definition.enum !== undefined) return definition.enum[0];
  if (definition.type === 'array') {
    const items = definitions[refName(definition.items!)]!;
    return [itemSample(member, items, 0)];
  }
  const samples: Record<string, string> = {
    nextToken: 'AAAA',
    clientToken: 'parity-token',
    description: 'by the parity corpus',
    displayName: 'Parity',
    branchName: 'main',
    repositoryId: 'owner/repository',
    repositoryConnectionArn: 'arn:aws:codestar-connections:us-east-1:123456789012:connection/parity',
    encryptionKey: 'arn:aws:kms:us-east-1:123456789012:key/parity',
    codebuildRoleArn: roleArn('codebuild'),
    componentRoleArn: roleArn('component'),
    protonServiceRoleArn: roleArn('proton-service'),
    roleArn: roleArn('environment-account-connection'),
    majorVersion: '1',
    templateMinorVersion: '0',
    environmentName: 'parity',
    spec: 'proton: EnvironmentSpec\n',
  };
  return samples[member] ?? 'a';
}

function itemSample(member: string, items: Definition, index: number): unknown {
  if (items.enum !== undefined) return items.enum[0];
  switch (member) {
    case 'tags':
      return { key: `x-parity-${index}`, value: 'v' };
    case 'tagKeys':
      return `x-parity-${index}`;
    default:
      // CompatibleEnvironmentTemplateInput, EnvironmentTemplateFilter.
      return { templateName: 'parity', majorVersion: '1' };
  }
}

function lengthen(value: string, limit: number, filler: string, at: 'end' | 'start' | 'slash'): string {
  const count = Math.ceil((limit + 1 - value.length) / filler.length);
  const padding = filler.repeat(Math.max(count, 1));
  const slash = value.lastIndexOf('/') + 1;
  if (at === 'start') return padding + value;
  if (at === 'slash' && slash > 0) return value.slice(0, slash) + padding + value.slice(slash);
  return value + padding;
}

/** Values of `member` that may break the kind's constraint alone (each is then checked against the model). */
function candidates(kind: InvalidKind, member: string, definition: Definition, base: unknown): unknown[] {
  const value = base ?? sample(member, definition);
  if (definition.type === 'array') {
    const items = definitions[refName(definition.items!)]!;
    if (kind === 'too long' && definition.maxItems !== undefined) {
      return [Array.from({ length: definition.maxItems + 1 }, (_, i) => itemSample(member, items, i))];
    }
    if (kind === 'too short' && (definition.minItems ?? 0) > 0) return [[]];
    if (kind === 'enum' && items.enum !== undefined) return [['NOT_IN_THE_ENUM']];
    return [];
  }
  if (definition.type === 'integer') {
    if (kind !== 'out of range') return [];
    return [
      definition.maximum === undefined ? [] : [definition.maximum + 1],
      definition.minimum === undefined ? [] : [definition.minimum - 1],
    ].flat();
  }
  if (typeof value !== 'string') return [];
  switch (kind) {
    case 'too long':
      if (definition.maxLength === undefined) return [];
      return ['a', '0', 'a/'].flatMap((filler) =>
        (['end', 'slash', 'start'] as const).map((at) => lengthen(value, definition.maxLength!, filler, at)),
      );
    case 'too short':
      return (definition.minLength ?? 0) > 0 ? [''] : [];
    case 'pattern':
      return definition.pattern === undefined ? [] : [`${value}!`, `!${value}`, `${value} `, ` ${value}`, `${value}\u00e9`];
    case 'enum':
      return definition.enum === undefined ? [] : ['NOT_IN_THE_ENUM'];
    default:
      return [];
  }
}

/** Whether `input` breaks exactly one constraint: the kind's, on `member` (or inside it). */
export function breaksExactly(operation: string, input: Input, kind: InvalidKind, member: string): boolean {
  const violations = validateInput(operation, input);
  if (violations.length !== 1) return false;
  const [only] = violations;
  return only!.constraint === INVALID_CONSTRAINT[kind] && (only!.path === member || only!.path.startsWith(`${member}.`));
}

/** The inputs breaking the kind's constraint alone, one per member where that is possible. */
export function invalidInputs(operation: string, valid: Input, kind: InvalidKind): { member: string; input: Input }[] {
  const { members, required } = inputShape(operation);
  const found: { member: string; input: Input }[] = [];
  for (const [member, definition] of Object.entries(members)) {
    if (kind === 'missing required') {
      if (!required.includes(member)) continue;
      const { [member]: _left, ...input } = valid;
      if (breaksExactly(operation, input, kind, member)) found.push({ member, input });
      continue;
    }
    for (const value of candidates(kind, member, definition, valid[member])) {
      const input = { ...valid, [member]: value };
      if (breaksExactly(operation, input, kind, member)) {
        found.push({ member, input });
        break;
      }
    }
  }
  for (const target of nestedTargets(operation, valid)) {
    const changed = nestedInputs(kind, target).find((input) => breaksExactly(operation, input, kind, target.label));
    if (changed !== undefined) found.push({ member: target.label, input: changed });
  }
  return found;
}

/** Valid values of the structures a valid input may leave out (an invalid member inside one is made from them). */
const STRUCTURE_SAMPLES: Record<string, unknown> = {
  RepositoryBranchInput: { provider: 'GITHUB', name: 'parity/infrastructure', branch: 'main' },
  TemplateVersionSourceInput: { s3: { bucket: 'parity-bundles', key: 'parity/bundle.tar.gz' } },
  S3ObjectSource: { bucket: 'parity-bundles', key: 'parity/bundle.tar.gz' },
  Tag: { key: 'x-parity', value: 'v' },
  CompatibleEnvironmentTemplateInput: { templateName: 'parity', majorVersion: '1' },
  EnvironmentTemplateFilter: { templateName: 'parity', majorVersion: '1' },
};

/** A member inside a structure of the input (in a list: its first element). */
interface NestedTarget {
  /** What the intent names: the path of members (`source.s3.key`), or the list (`tags`). */
  label: string;
  /** The valid input, with the structure in place (a sample where the valid input leaves it out). */
  base: Input;
  path: (string | number)[];
  definition: Definition;
  required: boolean;
}

function structureOf(shape: string, given: unknown): Record<string, unknown> | undefined {
  const value = given ?? STRUCTURE_SAMPLES[shape];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The members inside the input's structures (and its lists' first structures), with where they are. */
export function nestedTargets(operation: string, valid: Input): NestedTarget[] {
  const shape = operationShapes[operation]?.input;
  const top = shape ? definitions[shape] : undefined;
  const found: NestedTarget[] = [];
  const walk = (shapeName: string, value: Record<string, unknown>, base: Input, path: (string | number)[], label?: string) => {
    const definition = definitions[shapeName]!;
    for (const [member, ref] of Object.entries(definition.properties ?? {})) {
      const inner = definitions[refName(ref)]!;
      const at = [...path, member];
      if (inner.properties !== undefined) {
        const nested = structureOf(refName(ref), value[member]);
        if (nested !== undefined) walk(refName(ref), nested, setAt(base, at, nested), at, label);
        continue;
      }
      const required = (definition.required ?? []).includes(member);
      found.push({ label: label ?? at.join('.'), base, path: at, definition: inner, required });
    }
  };
  for (const [member, ref] of Object.entries(top?.properties ?? {})) {
    const definition = definitions[refName(ref)]!;
    if (definition.type === 'array' && definition.items !== undefined) {
      const itemShape = refName(definition.items);
      const given = Array.isArray(valid[member]) ? (valid[member] as unknown[])[0] : undefined;
      const item = definitions[itemShape]?.properties === undefined ? undefined : structureOf(itemShape, given);
      if (item !== undefined)
        walk(itemShape, item, setAt(valid, [member], [item, ...((valid[member] as unknown[]) ?? []).slice(1)]), [member, 0], member);
    } else if (definition.properties !== undefined) {
      const structure = structureOf(refName(ref), valid[member]);
      if (structure !== undefined) walk(refName(ref), structure, setAt(valid, [member], structure), [member]);
    }
  }
  return found;
}

/** A copy of `input` with the value at `path` set (or removed, for undefined). */
function setAt(input: Input, path: readonly (string | number)[], value: unknown): Input {
  const copy = structuredClone(input);
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return copy;
}

function valueAt(input: Input, path: readonly (string | number)[]): unknown {
  let at: unknown = input;
  for (const key of path) at = (at as Record<string | number, unknown> | undefined)?.[key];
  return at;
}

/** The inputs that may break the kind's constraint on a nested member alone. */
function nestedInputs(kind: InvalidKind, target: NestedTarget): Input[] {
  if (kind === 'missing required') return target.required ? [setAt(target.base, target.path, undefined)] : [];
  const leaf = String(target.path[target.path.length - 1]);
  return candidates(kind, leaf, target.definition, valueAt(target.base, target.path)).map((value) =>
    setAt(target.base, target.path, value),
  );
}

/** A version-5 looking UUID from the seed's random numbers (a connection id nothing carries). */
export function seededUuid(ctx: CorpusContext): string {
  const hex = Array.from({ length: 32 }, () => ctx.random.below(16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A valid input of each operation the corpus covers, naming resources that do
 * not exist (the invalid sequences never get past validation on a
 * conforming target).
 */
export function validInputs(ctx: CorpusContext): Record<string, Input> {
  const name = ctx.names.name('invalid');
  const template = ctx.names.name('invalid-template');
  const version = { templateName: template, majorVersion: '1', minorVersion: '0' };
  const environmentSource = PLACEHOLDER_BUNDLES.environment[0]!;
  const serviceSource = PLACEHOLDER_BUNDLES.service[0]!;
  const arn = `arn:aws:proton:us-east-1:123456789012:environment-template/${name}`;
  const id = seededUuid(ctx);
  const inputs: Record<string, Input> = {
    CreateEnvironment: environmentInput(name, template, '1', '0'),
    CreateService: serviceInput(name, template, '1', '0'),
    GetEnvironment: { name },
    GetService: { name },
    UpdateEnvironment: { name, deploymentType: 'NONE', description: 'by the parity corpus' },
    UpdateService: { name, description: 'by the parity corpus' },
    DeleteEnvironment: { name },
    DeleteService: { name },
    ListEnvironments: {},
    ListServices: {},
    CreateEnvironmentAccountConnection: {
      ...createSpec('CreateEnvironmentAccountConnection').input({}, name),
      managementAccountId: MANAGEMENT_ACCOUNTS[0],
      clientToken: ctx.names.token('invalid'),
    },
    GetEnvironmentAccountConnection: { id },
    UpdateEnvironmentAccountConnection: { id, roleArn: roleArn('environment-account-connection') },
    AcceptEnvironmentAccountConnection: { id },
    RejectEnvironmentAccountConnection: { id },
    DeleteEnvironmentAccountConnection: { id },
    ListEnvironmentAccountConnections: { requestedBy: 'ENVIRONMENT_ACCOUNT' },
    ListTagsForResource: { resourceArn: arn },
    TagResource: { resourceArn: arn, tags: [{ key: 'x-parity', value: 'v' }] },
    UntagResource: { resourceArn: arn, tagKeys: ['x-parity'] },
  };
  for (const family of ['Environment', 'Service'] as const) {
    const prefix = `${family}Template`;
    const source = family === 'Environment' ? environmentSource : serviceSource;
    inputs[`Create${prefix}`] = createSpec(`Create${prefix}`).input({}, name);
    inputs[`Get${prefix}`] = { name };
    inputs[`Update${prefix}`] = { name, description: 'by the parity corpus' };
    inputs[`Delete${prefix}`] = { name };
    inputs[`List${prefix}s`] = {};
    inputs[`Create${prefix}Version`] = {
      templateName: template,
      source: bundle(source.bucket, source.key),
      clientToken: ctx.names.token('invalid'),
      ...(family === 'Service' ? { compatibleEnvironmentTemplates: [{ templateName: template, majorVersion: '1' }] } : {}),
    };
    inputs[`Get${prefix}Version`] = version;
    inputs[`Update${prefix}Version`] = { ...version, description: 'by the parity corpus' };
    inputs[`Delete${prefix}Version`] = version;
    inputs[`List${prefix}Versions`] = { templateName: template };
  }
  return inputs;
}

/** The delete that removes what a create would have made had the target let the invalid input through. */
function cleanupOf(builder: SequenceBuilder, operation: string, valid: Input): void {
  if (operation === 'CreateEnvironmentTemplate') builder.made('environmentTemplate', 'DeleteEnvironmentTemplate', { name: valid.name });
  if (operation === 'CreateServiceTemplate') builder.made('serviceTemplate', 'DeleteServiceTemplate', { name: valid.name });
  if (operation === 'CreateEnvironmentAccountConnection') {
    builder.made(
      'environmentAccountConnection',
      'DeleteEnvironmentAccountConnection',
      {},
      {
        from: { id: { step: 0, path: 'environmentAccountConnection.id' } },
      },
    );
  }
}

const slug = (text: string): string =>
  text
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .replace(/[^a-z0-9]+/gi, '-')
    .toLowerCase();

/** One sequence per operation per kind of invalid input its model has. */
export function invalidSequences(ctx: CorpusContext, operations: readonly string[]): ParitySequence[] {
  const valid = validInputs(ctx);
  const sequences: ParitySequence[] = [];
  for (const operation of operations) {
    const base = valid[operation];
    if (base === undefined) throw new Error(`the parity corpus has no valid input of ${operation}`);
    const problems = validateInput(operation, base);
    if (problems.length > 0) throw new Error(`the parity corpus's valid input of ${operation} is not: ${problems[0]!.message}`);
    for (const kind of INVALID_KINDS) {
      const options = invalidInputs(operation, base, kind);
      if (options.length === 0) continue;
      const chosen = ctx.random.pick(options);
      const builder = new SequenceBuilder(`invalid/${slug(operation)}/${slug(kind)}`);
      builder.step(operation, chosen.input, invalidIntent(kind, chosen.member));
      cleanupOf(builder, operation, base);
      sequences.push(builder.build());
    }
  }
  return sequences;
}
