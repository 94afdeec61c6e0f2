// The operation entries as data: every input they build (base, each
// alternative, all alternatives at once, random ones, the pairing, the
// observation calls) passes the model's validation, and every alternative
// really differs from the base.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateInput } from '../../specs/model.ts';
import { OPERATIONS, creatorOf, withRunTags } from '../../specs/operations/index.ts';
import { DELETION_ORDER, KIND_WORDS, RESOURCES } from '../../specs/resources.ts';
import type { CreateOperationSpec, DeleteOperationSpec, Fixture, Input } from '../../specs/types.ts';
import { fingerprint } from '../../suites/lib/compare.ts';
import { change } from '../../suites/lib/expectations.ts';

/** What prepare() would return, with names of the right form. */
const FIXTURE: Fixture = {
  template: 'pc-fixture-template-1',
  template2: 'pc-fixture-template-2',
  environmentTemplate: 'pc-fixture-env-template-3',
};
const RUN_TAGS = [
  { key: 'proton-conformance:run', value: 'abc123' },
  { key: 'proton-conformance:cell', value: 'client-token/expiry CreateEnvironmentTemplateVersion' },
];
const NAME = 'pc-abc123-7-name-1';

const creates = Object.values(OPERATIONS).filter((spec): spec is CreateOperationSpec => spec.kind === 'create');
const deletes = Object.values(OPERATIONS).filter((spec): spec is DeleteOperationSpec => spec.kind === 'delete');

function violations(operation: string, input: Input): string[] {
  return validateInput(operation, input).map((violation) => `${violation.path}: ${violation.message}`);
}

describe('operation entries', () => {
  it('validates against the model (a bad name is caught)', () => {
    expect(violations('CreateEnvironmentTemplate', { name: '-not-a-name' })).not.toEqual([]);
  });

  it('has fourteen entries, each named by its key', () => {
    expect(Object.keys(OPERATIONS)).toHaveLength(14);
    for (const [name, spec] of Object.entries(OPERATIONS)) expect(spec.operation).toBe(name);
  });

  describe.each(creates.map((spec) => [spec.operation, spec] as const))('%s', (_name, spec) => {
    const base = withRunTags(spec.input(FIXTURE, NAME), RUN_TAGS);

    it('builds a valid base input', () => {
      expect(violations(spec.operation, base)).toEqual([]);
      expect(spec.token ? spec.category === 'client-token' : spec.category === 'idempotent-create').toBe(true);
    });

    it.each(spec.parameters.map((parameter) => [parameter.name, parameter] as const))(
      'varies %s to another valid value',
      (_parameter, parameter) => {
        const changed = change(FIXTURE, base, [parameter]);
        expect(fingerprint(changed)).not.toBe(fingerprint(base));
        expect(violations(spec.operation, changed)).toEqual([]);
        if (parameter.required) expect(changed[parameter.name]).toBeDefined();
      },
    );

    it('stays valid with every parameter changed at once', () => {
      expect(violations(spec.operation, change(FIXTURE, base, spec.parameters))).toEqual([]);
    });

    it('generates random valid inputs, and alternatives of them stay valid', () => {
      const samples = fc.sample(fc.tuple(spec.arbitrary(FIXTURE, NAME), fc.subarray([...spec.parameters])), { numRuns: 200, seed: 7 });
      for (const [generated, changedParameters] of samples) {
        const input = withRunTags(generated, RUN_TAGS);
        expect(violations(spec.operation, input), JSON.stringify(input)).toEqual([]);
        expect(violations(spec.operation, change(FIXTURE, input, changedParameters))).toEqual([]);
      }
    });

    it('marks a parameter required exactly when the model does', () => {
      for (const parameter of spec.parameters) {
        const without = { ...base };
        delete without[parameter.name];
        expect(violations(spec.operation, without).length > 0, parameter.name).toBe(parameter.required);
      }
    });

    it('knows how to observe, modify and remove what it creates', () => {
      const ref = { ...spec.ref(base), ...sampleResource(spec.resource.kind) };
      expect(violations(spec.resource.get.operation, spec.resource.get.input(ref))).toEqual([]);
      expect(violations(spec.resource.list.operation, spec.resource.list.input(ref))).toEqual([]);
      expect(violations(spec.resource.remove.operation, spec.resource.remove.input(ref))).toEqual([]);
      for (const modify of [...(spec.resource.modify ? [spec.resource.modify] : []), ...(spec.resource.modifyAlso ?? [])]) {
        expect(violations(modify.operation, modify.input(ref, 'changed')), modify.field).toEqual([]);
      }
      expect(spec.category === 'idempotent-create' ? spec.resource.modify : true).toBeTruthy();
    });
  });

  describe.each(deletes.map((spec) => [spec.operation, spec] as const))('%s', (_name, spec) => {
    it('pairs with the create of the same kind, whose input it builds validly', () => {
      expect(creatorOf(spec).resource).toBe(spec.resource);
      expect(spec.resource.remove.operation).toBe(spec.operation);
      expect(violations(spec.create.operation, withRunTags(spec.create.input(FIXTURE, NAME), RUN_TAGS))).toEqual([]);
    });

    it('names an absent resource with a valid delete input', () => {
      expect(violations(spec.operation, spec.resource.remove.input(spec.absent(FIXTURE, NAME)))).toEqual([]);
    });

    it('is asynchronous exactly in the async-delete category', () => {
      expect(spec.resource.asyncDeletion !== undefined).toBe(spec.category === 'async-delete');
    });
  });
});

/** Identity fields a created resource would carry, for the observation inputs. */
function sampleResource(kind: string): Record<string, string> {
  switch (kind) {
    case 'environmentTemplateVersion':
    case 'serviceTemplateVersion':
      return { templateName: FIXTURE.template!, majorVersion: '1', minorVersion: '3' };
    case 'environmentAccountConnection':
      return { id: '0f1e2d3c-4b5a-4697-8877-665544332211' };
    default:
      return { name: NAME };
  }
}

describe('resources', () => {
  it('name seven kinds, each with identity fields and a List of its own', () => {
    expect(Object.keys(RESOURCES)).toHaveLength(7);
    for (const spec of Object.values(RESOURCES)) {
      expect(spec.identity.length).toBeGreaterThan(0);
      expect(spec.identity.some((field) => spec.progress.includes(field))).toBe(false);
    }
  });

  it('attribute every List item by owner fields and tell re-created resources apart by a creation time, all required by the model', () => {
    const schema = JSON.parse(readFileSync(new URL('../../specs/schemas/output.schema.json', import.meta.url), 'utf8')) as {
      definitions: Record<
        string,
        { properties?: Record<string, { $ref?: string; items?: { $ref?: string } }>; items?: { $ref?: string }; required?: string[] }
      >;
    };
    const definition = (ref: string | undefined) => schema.definitions[String(ref).replace('#/definitions/', '')]!;
    for (const spec of Object.values(RESOURCES)) {
      const list = definition(`${spec.list.operation}Output`);
      const items = definition(list.properties![spec.list.items]!.$ref);
      const item = definition(items.items!.$ref);
      expect(spec.owner.length, spec.kind).toBeGreaterThan(0);
      for (const field of [...spec.owner, spec.created]) expect(item.required, `${spec.kind} ${field}`).toContain(field);
      const resource = definition(definition(`${spec.get.operation}Output`).properties![spec.member]!.$ref);
      expect(resource.required, `${spec.kind} ${spec.created}`).toContain(spec.created);
      expect(spec.progress).not.toContain(spec.created);
    }
  });

  it('are removed in an order that names each kind once, what a kind contains before it, and each has its words', () => {
    expect([...DELETION_ORDER].sort()).toEqual(Object.keys(RESOURCES).sort());
    for (const spec of Object.values(RESOURCES)) {
      if (spec.contains) expect(DELETION_ORDER.indexOf(spec.contains.kind), spec.kind).toBeLessThan(DELETION_ORDER.indexOf(spec.kind));
    }
    expect(Object.keys(KIND_WORDS).sort()).toEqual(Object.keys(RESOURCES).sort());
    expect(new Set(Object.values(KIND_WORDS)).size).toBe(7);
  });
});
