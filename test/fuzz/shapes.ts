// The model's input shapes, read from the generated JSON Schemas
// (specs/schemas/), for generating inputs and for a cheap length pre-check.
import inputDoc from '../../specs/schemas/input.schema.json' with { type: 'json' };
import operationsDoc from '../../specs/schemas/operations.json' with { type: 'json' };

export interface Ref {
  $ref: string;
}

export interface Definition {
  type: 'object' | 'string' | 'integer' | 'boolean' | 'array' | 'number';
  'x-aws-type': string;
  properties?: Record<string, Ref>;
  required?: string[];
  items?: Ref;
  enum?: string[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
}

const definitions = (inputDoc as unknown as { definitions: Record<string, Definition> }).definitions;
const operations = (operationsDoc as unknown as { operations: Record<string, { input: string | null }> }).operations;

export function shapeOf(ref: Ref): string {
  return ref.$ref.slice('#/definitions/'.length);
}

export function definition(shape: string): Definition {
  const found = Object.hasOwn(definitions, shape) ? definitions[shape] : undefined;
  if (!found) throw new Error(`no input definition ${shape}`);
  return found;
}

/** The input shape of an operation (undefined: the operation takes none). */
export function inputShape(operation: string): string | undefined {
  return (Object.hasOwn(operations, operation) ? operations[operation]?.input : undefined) ?? undefined;
}

/**
 * The first string longer than its shape's maxLength, as "path (n > max)".
 * Checked before the full validator: a pattern test on a megabyte-long string
 * can backtrack for minutes (see the report), and a value that is too long is
 * invalid whatever else it is.
 */
export function overLength(shape: string, value: unknown, path = ''): string | undefined {
  const def = definition(shape);
  if (def.type === 'string' && typeof value === 'string' && def.maxLength !== undefined && value.length > def.maxLength) {
    return `${path || '(input)'} (${value.length} > ${def.maxLength})`;
  }
  if (def.type === 'array' && Array.isArray(value) && def.items) {
    for (const [i, item] of value.entries()) {
      const found = overLength(shapeOf(def.items), item, `${path}[${i}]`);
      if (found) return found;
    }
  }
  if (def.type === 'object' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [name, member] of Object.entries(value)) {
      const ref = def.properties && Object.hasOwn(def.properties, name) ? def.properties[name] : undefined;
      const found = ref ? overLength(shapeOf(ref), member, path ? `${path}.${name}` : name) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}
