// The parity corpus (issue 22): deterministic from its seed, over every
// operation the reference emulator implements, each kind of invalid input
// the model constrains present where it applies, valid inputs valid against
// the model, invalid ones breaking exactly their constraint, cleanups in the
// deletion order.
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../emulator/operations.ts';
import { buildCorpus, corpusOperations, describeCorpus, intentKind, PARITY_NAME_PREFIX, parseInvalidIntent } from '../../parity/corpus.ts';
import { inputShape } from '../../parity/corpus/invalid.ts';
import { INVALID_CONSTRAINT, INVALID_KINDS, type InvalidKind } from '../../parity/corpus/intents.ts';
import type { ParitySequence, ParityStep } from '../../parity/types.ts';
import { validateInput } from '../../specs/model.ts';
import inputDoc from '../../specs/schemas/input.schema.json' with { type: 'json' };
import operationsDoc from '../../specs/schemas/operations.json' with { type: 'json' };
import { DELETION_ORDER } from '../../specs/resources.ts';
import type { ResourceKind } from '../../specs/types.ts';

const SEED = 20261207;
const corpus = buildCorpus({ seed: SEED });
const allSteps = (sequences: readonly ParitySequence[]): ParityStep[] => sequences.flatMap((s) => [...s.steps, ...s.cleanup]);

/** Valid stand-ins for the members a step takes from earlier answers (what a target would have answered). */
const STAND_INS: Record<string, unknown> = {
  id: '0f0e0d0c-0b0a-4908-a706-050403020100',
  environmentAccountConnectionId: '0f0e0d0c-0b0a-4908-a706-050403020100',
  resourceArn: 'arn:aws:proton:us-east-1:123456789012:environment-template/parity',
  nextToken: 'AAAA',
};

function withStandIns(step: ParityStep): Record<string, unknown> {
  const input = { ...step.input };
  for (const member of Object.keys(step.from ?? {})) {
    if (!(member in STAND_INS)) throw new Error(`no stand-in for ${member}`);
    input[member] = STAND_INS[member];
  }
  return input;
}

type Definition = ReturnType<typeof inputShape>['members'][string];

const definitions = (inputDoc as unknown as { definitions: Record<string, Definition & { properties?: Record<string, { $ref: string }> }> })
  .definitions;
const byRef = (ref: { $ref: string }) => definitions[ref.$ref.slice('#/definitions/'.length)]!;

/**
 * The constrained values of an operation's input, read from the model: its
 * members and, inside structures and the structures of lists, theirs; each
 * with whether its structure requires it.
 */
function leaves(operation: string): { definition: Definition; required: boolean }[] {
  const found: { definition: Definition; required: boolean }[] = [];
  const walk = (definition: Definition & { properties?: Record<string, { $ref: string }> }, depth: number) => {
    for (const [member, ref] of Object.entries(definition.properties ?? {})) {
      const inner = byRef(ref) as Definition & { properties?: Record<string, { $ref: string }> };
      found.push({ definition: inner, required: (definition.required ?? []).includes(member) });
      const item = inner.items === undefined ? undefined : (byRef(inner.items) as typeof inner);
      if (depth < 3 && inner.properties !== undefined) walk(inner, depth + 1);
      if (depth < 3 && item?.properties !== undefined) walk(item, depth + 1);
    }
  };
  const { members, required } = inputShape(operation);
  walk(
    { properties: Object.fromEntries(Object.keys(members).map((m) => [m, { $ref: `#/definitions/${shapeOf(operation, m)}` }])), required },
    0,
  );
  return found;
}

function shapeOf(operation: string, member: string): string {
  const input = (operationsDoc as unknown as { operations: Record<string, { input: string }> }).operations[operation]!.input;
  return definitions[input]!.properties![member]!.$ref.slice('#/definitions/'.length);
}

/** Whether the operation's input has a value whose constraint the kind breaks (read from the model). */
function constrains(operation: string, kind: InvalidKind): boolean {
  const all = leaves(operation);
  const itemsHaveEnum = (d: Definition) => d.items !== undefined && byRef(d.items).enum !== undefined;
  switch (kind) {
    case 'too long':
      return all.some(({ definition: d }) => d.maxLength !== undefined || d.maxItems !== undefined);
    case 'too short':
      // An empty string that also breaks a pattern breaks two constraints: not this kind alone.
      return all.some(({ definition: d }) => ((d.minLength ?? 0) > 0 && d.pattern === undefined) || (d.minItems ?? 0) > 0);
    case 'pattern':
      return all.some(({ definition: d }) => d.pattern !== undefined);
    case 'missing required':
      // A union's only member is not "required": leaving it out breaks the union.
      return all.some(({ required, definition: d }) => required && d.properties === undefined) || inputShape(operation).required.length > 0;
    case 'enum':
      return all.some(({ definition: d }) => d.enum !== undefined || itemsHaveEnum(d));
    case 'out of range':
      return all.some(({ definition: d }) => d.minimum !== undefined || d.maximum !== undefined);
  }
}

const slug = (text: string) =>
  text
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .replace(/[^a-z0-9]+/gi, '-')
    .toLowerCase();

describe('the parity corpus', () => {
  it('is the same for the same seed, and names things after its seed', () => {
    expect(buildCorpus({ seed: SEED })).toEqual(corpus);
    const other = buildCorpus({ seed: SEED + 1 });
    expect(other.map((s) => s.id)).toEqual(corpus.map((s) => s.id));
    expect(JSON.stringify(other)).not.toEqual(JSON.stringify(corpus));
    const names = allSteps(corpus)
      .filter((step) => intentKind(step.intent) !== 'invalid')
      .flatMap((step) => ['name', 'templateName', 'environmentName'].map((member) => step.input[member]))
      .filter((value): value is string => typeof value === 'string' && value !== 'parity');
    expect(names.length).toBeGreaterThan(50);
    const prefixes = new Set(names.map((name) => name.split('-')[0]));
    expect([...prefixes]).toEqual([expect.stringMatching(new RegExp(`^${PARITY_NAME_PREFIX}[0-9a-z]{4}$`))]);
  });

  it('sends every operation the reference emulator implements', () => {
    const implemented = [...OPERATIONS.keys()].sort();
    expect(implemented).toHaveLength(40);
    expect(corpusOperations()).toEqual(implemented);
    const sent = new Set(corpus.flatMap((s) => s.steps.map((step) => step.operation)));
    expect(implemented.filter((operation) => !sent.has(operation))).toEqual([]);
    // Each operation also gets a valid request, not only invalid ones.
    const validlySent = new Set(
      corpus.flatMap((s) => s.steps.filter((step) => intentKind(step.intent) === 'valid').map((step) => step.operation)),
    );
    expect(implemented.filter((operation) => !validlySent.has(operation))).toEqual([]);
    expect(describeCorpus(corpus)).toEqual({
      operations: 40,
      sequences: corpus.length,
      requests: allSteps(corpus).length,
    });
  });

  it('has one invalid-input sequence per operation per kind the model constrains, and none where it does not', () => {
    const missing: string[] = [];
    const extra: string[] = [];
    const ids = new Set(corpus.map((s) => s.id));
    for (const operation of OPERATIONS.keys()) {
      for (const kind of INVALID_KINDS) {
        const id = `invalid/${slug(operation)}/${slug(kind)}`;
        if (constrains(operation, kind) && !ids.has(id)) missing.push(id);
        if (!constrains(operation, kind) && ids.has(id)) extra.push(id);
      }
    }
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    // Every kind occurs somewhere.
    const kinds = new Set(allSteps(corpus).map((step) => parseInvalidIntent(step.intent)?.kind));
    expect(INVALID_KINDS.filter((kind) => !kinds.has(kind))).toEqual([]);
  });

  it('sends inputs valid against the model, but for the invalid ones', () => {
    const problems = corpus.flatMap((sequence) =>
      [...sequence.steps, ...sequence.cleanup]
        .filter((step) => intentKind(step.intent) !== 'invalid')
        .flatMap((step) => validateInput(step.operation, withStandIns(step)).map((v) => `${sequence.id} ${step.operation}: ${v.message}`)),
    );
    expect(problems).toEqual([]);
  });

  it('breaks exactly the constraint an invalid step names, on the member it names', () => {
    const invalid = allSteps(corpus).filter((step) => intentKind(step.intent) === 'invalid');
    expect(invalid.length).toBeGreaterThan(100);
    for (const step of invalid) {
      const parsed = parseInvalidIntent(step.intent);
      expect(parsed, step.intent).toBeDefined();
      const violations = validateInput(step.operation, step.input);
      expect(
        violations.map((v) => v.constraint),
        `${step.operation} ${step.intent}`,
      ).toEqual([INVALID_CONSTRAINT[parsed!.kind]]);
      expect(violations[0]!.path === parsed!.member || violations[0]!.path.startsWith(`${parsed!.member}.`), step.intent).toBe(true);
    }
  });

  it('cleans up in the deletion order, waiting after each asynchronous deletion, from steps that exist', () => {
    const kindOf = (operation: string): ResourceKind => {
      const noun = operation.replace(/^Delete/, '');
      return (noun[0]!.toLowerCase() + noun.slice(1)) as ResourceKind;
    };
    for (const sequence of corpus) {
      const ranks = sequence.cleanup.map((step) => DELETION_ORDER.indexOf(kindOf(step.operation)));
      expect(
        ranks.every((rank) => rank >= 0),
        sequence.id,
      ).toBe(true);
      expect(ranks, sequence.id).toEqual([...ranks].sort((a, b) => a - b));
      sequence.cleanup.forEach((step, index) => {
        const before = sequence.cleanup[index - 1];
        if (before && ['DeleteEnvironment', 'DeleteService'].includes(before.operation)) expect(step.settle, sequence.id).toBe(true);
      });
      for (const step of allSteps([sequence])) {
        for (const ref of Object.values(step.from ?? {}))
          expect(ref.step, sequence.id).toBeLessThan(
            sequence.steps.indexOf(step) === -1 ? sequence.steps.length : sequence.steps.indexOf(step),
          );
      }
    }
  });

  it('refuses a seed that is not an integer', () => {
    expect(() => buildCorpus({ seed: 1.5 })).toThrow(/integer seed/);
  });
});
