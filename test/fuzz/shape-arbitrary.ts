// fast-check arbitraries over the model's input shapes (the JSON Schemas in
// specs/schemas/): `conforming` builds values that follow a shape (mostly
// valid: a pattern and a length limit are drawn separately), `violating`
// builds values that break it at one chosen place (a missing required member,
// an unknown member, a wrong JSON type, a length, pattern, enum or range out
// of bounds). Whether a request is valid is decided afterwards by the model's
// own validator (specs/model.ts), never assumed from the generator.
import fc from 'fast-check';
import { definition, shapeOf } from './shapes.ts';
import type { Definition, Ref } from './shapes.ts';

/** Preferred values per shape name (e.g. names of resources that exist), mixed into generation. */
export type Hints = Readonly<Record<string, readonly string[]>>;

/** Longest string drawn for a shape without a tighter limit: keeps bodies small. */
const SHORT = 24;
/** The model is not recursive; a guard all the same. */
const MAX_DEPTH = 6;

/** Free-form text: mostly ASCII, sometimes any code point (NUL, astral, right-to-left, ...). */
function freeText(minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength, maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength, maxLength }) },
  );
}

function ascii(minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: 'binary-ascii', minLength, maxLength });
}

/** A JSON value of another kind than the shape's. */
function wrongType(def: Definition): fc.Arbitrary<unknown> {
  const word = fc.string({ unit: 'grapheme-ascii', maxLength: 8 });
  const candidates: fc.Arbitrary<unknown>[] = [];
  if (def.type !== 'string') candidates.push(word);
  if (def.type !== 'integer' && def.type !== 'number') candidates.push(fc.integer());
  if (def.type === 'integer') candidates.push(fc.constantFrom(1.5, -0.25, 1e300));
  if (def.type !== 'boolean') candidates.push(fc.boolean());
  if (def.type !== 'array') candidates.push(fc.array(fc.integer(), { maxLength: 3 }));
  if (def.type !== 'object') candidates.push(fc.dictionary(word, fc.integer(), { maxKeys: 2 }));
  return fc.oneof(...candidates);
}

/** Arbitraries of one generation setup (its hints), built once per shape and depth. */
export class ShapeArbitraries {
  private readonly cache = new Map<string, fc.Arbitrary<unknown>>();

  constructor(private readonly hints: Hints = {}) {}

  /** A value that follows the shape (mostly valid). */
  conforming(shape: string, depth = 0): fc.Arbitrary<unknown> {
    return this.cached(`${shape}@${depth}`, () => {
      const base = this.buildConforming(shape, depth);
      const hinted = this.hints[shape];
      return hinted && hinted.length > 0 ? fc.oneof(fc.constantFrom(...hinted), base) : base;
    });
  }

  /** A value that breaks the shape at one place. */
  violating(shape: string, depth = 0): fc.Arbitrary<unknown> {
    return this.cached(`!${shape}@${depth}`, () => fc.oneof(wrongType(definition(shape)), ...this.outOfBounds(shape, depth)));
  }

  private cached(key: string, build: () => fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
    let arbitrary = this.cache.get(key);
    if (!arbitrary) {
      arbitrary = build();
      this.cache.set(key, arbitrary);
    }
    return arbitrary;
  }

  private buildConforming(shape: string, depth: number): fc.Arbitrary<unknown> {
    const def = definition(shape);
    switch (def.type) {
      case 'string': {
        if (def.enum) return fc.constantFrom(...def.enum);
        const minLength = def.minLength ?? 0;
        if (def.pattern) {
          // Fixed-width parts of a pattern (\d{12}) may need more than SHORT.
          const limit = def.maxLength === undefined ? {} : { maxLength: def.maxLength };
          return fc.stringMatching(new RegExp(def.pattern, 'u'), limit).filter((s) => s.length >= minLength);
        }
        return freeText(minLength, Math.min(def.maxLength ?? SHORT, Math.max(SHORT, minLength)));
      }
      case 'integer':
        return fc.integer({ min: def.minimum ?? -(2 ** 31), max: def.maximum ?? 2 ** 31 - 1 });
      case 'number':
        return fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 4e9 });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(this.conforming(shapeOf(def.items as Ref), depth + 1), {
          minLength: def.minItems ?? 0,
          maxLength: Math.min(def.maxItems ?? 3, 3),
        });
      case 'object': {
        const properties = Object.entries(def.properties ?? {});
        if (def['x-aws-type'] === 'union') {
          // Exactly one member set.
          return fc.oneof(...properties.map(([name, ref]) => this.conforming(shapeOf(ref), depth + 1).map((v) => ({ [name]: v }))));
        }
        const required = def.required ?? [];
        const members = Object.fromEntries(
          properties
            .filter(([name]) => depth < MAX_DEPTH || required.includes(name))
            .map(([name, ref]) => [name, this.conforming(shapeOf(ref), depth + 1)]),
        );
        return fc.record(members, { requiredKeys: required.filter((name) => name in members) });
      }
    }
  }

  /** Values of the shape's own kind outside one of its constraints. */
  private outOfBounds(shape: string, depth: number): fc.Arbitrary<unknown>[] {
    const def = definition(shape);
    const out: fc.Arbitrary<unknown>[] = [];
    switch (def.type) {
      case 'string':
        if (def.maxLength !== undefined) {
          const max = def.maxLength;
          out.push(fc.integer({ min: max + 1, max: max + 40 }).chain((n) => ascii(n, n)));
        }
        if ((def.minLength ?? 0) > 0) out.push(fc.constant(''));
        if (def.pattern) {
          const re = new RegExp(def.pattern, 'u');
          const maxLength = Math.min(def.maxLength ?? SHORT, SHORT);
          const minLength = Math.min(Math.max(def.minLength ?? 0, 1), maxLength);
          out.push(fc.string({ unit: 'binary', minLength, maxLength }).filter((s) => !re.test(s)));
        }
        if (def.enum) {
          const allowed = new Set(def.enum);
          out.push(
            fc
              .oneof(fc.constantFrom(...def.enum.map((v) => v.toLowerCase()), ...def.enum.map((v) => ` ${v}`)), ascii(0, 12))
              .filter((s) => !allowed.has(s)),
          );
        }
        break;
      case 'integer':
        if (def.minimum !== undefined) out.push(fc.integer({ min: def.minimum - 1000, max: def.minimum - 1 }));
        if (def.maximum !== undefined) out.push(fc.integer({ min: def.maximum + 1, max: def.maximum + 1000 }), fc.constant(2 ** 53));
        break;
      case 'array': {
        const itemShape = shapeOf(def.items as Ref);
        const items = this.conforming(itemShape, depth + 1);
        if (def.maxItems !== undefined) {
          const n = def.maxItems + 1;
          out.push(fc.array(items, { minLength: n, maxLength: n }));
        }
        if ((def.minItems ?? 0) > 0) out.push(fc.constant([]));
        if (depth < MAX_DEPTH) {
          out.push(fc.tuple(fc.array(items, { maxLength: 2 }), this.violating(itemShape, depth + 1)).map(([good, bad]) => [...good, bad]));
        }
        break;
      }
      case 'object':
        out.push(...this.structureViolations(shape, depth));
        break;
      default:
        break;
    }
    return out;
  }

  private structureViolations(shape: string, depth: number): fc.Arbitrary<unknown>[] {
    const def = definition(shape);
    const valid = this.conforming(shape, depth) as fc.Arbitrary<Record<string, unknown>>;
    const out: fc.Arbitrary<unknown>[] = [];
    // An unknown member: not a model name (odd keys included: '', '__proto__', a case change).
    const unknownName = fc
      .oneof(
        fc.constantFrom('__proto__', 'constructor', 'Name', 'clienttoken', ''),
        fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }).map((s) => `_${s}`),
      )
      .filter((name) => !(def.properties && Object.hasOwn(def.properties, name)));
    out.push(
      fc
        .tuple(
          valid,
          unknownName,
          fc.jsonValue({ maxDepth: 2 }).filter((v) => v !== null),
        )
        .map(([value, name, extra]) => {
          const copy: Record<string, unknown> = { ...value };
          // defineProperty: a plain assignment to '__proto__' would not make a member.
          Object.defineProperty(copy, name, { value: extra, enumerable: true, writable: true, configurable: true });
          return copy;
        }),
    );
    if (def['x-aws-type'] === 'union') out.push(fc.constant({}));
    for (const name of def.required ?? []) {
      out.push(
        valid.map((value) => {
          const { [name]: _dropped, ...rest } = value;
          return rest;
        }),
      );
    }
    if (depth < MAX_DEPTH) {
      for (const [name, ref] of Object.entries(def.properties ?? {})) {
        out.push(fc.tuple(valid, this.violating(shapeOf(ref), depth + 1)).map(([value, bad]) => ({ ...value, [name]: bad })));
      }
    }
    return out;
  }
}
