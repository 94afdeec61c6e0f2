// Requests checked against the model (specs/model.ts): a body that can't be
// read as the operation's input (a wrong JSON type, an unknown member, a
// union with other than one member) answers SerializationException, as AWS
// JSON services do; a readable one that breaks a constraint (required,
// length, pattern, enum, range) answers ValidationException in AWS wording.
import { formatValidationMessage, validateInput } from '../specs/model.ts';
import type { Params, Policy } from './policy.ts';
import { serialization, validation } from './protocol.ts';

const UNREADABLE = new Set(['type', 'unknown-member', 'union']);

/** The input, checked, with members set to null removed (null means absent in AWS JSON). */
export function checkedInput(operation: string, input: Params, mayHoldNull: boolean, policy?: Pick<Policy, 'tolerates'>): Params {
  const found = validateInput(operation, input);
  // A fault of the catalogue may let some violations through (policy.ts).
  const violations = policy === undefined || found.length === 0 ? found : found.filter((v) => !policy.tolerates(operation, v));
  if (violations.length > 0) {
    const unreadable = violations.filter((v) => UNREADABLE.has(v.constraint));
    if (unreadable.length > 0) {
      throw serialization(`Can't read the ${operation} input: ${unreadable.map((v) => v.message).join('; ')}`);
    }
    throw validation(formatValidationMessage(violations));
  }
  return mayHoldNull ? (withoutNulls(input) as Params) : input;
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) if (member !== null) out[key] = withoutNulls(member);
  return out;
}
