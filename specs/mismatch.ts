// The mismatch marker (docs/CONTRACT.md "The mismatch marker"): how an answer
// names an idempotent parameter mismatch. The seed calls it "a
// ValidationException with an IdempotentParameterMismatch error"; the real
// service wrote it in words ("Idempotent parameter mismatch"). The marker is
// found in the message with case, white space, hyphens and underscores
// ignored; the error type is ValidationException whatever namespace preceded
// `#` in `__type` (the SDK names the error without it).

/** The error type of a mismatch. */
export const MISMATCH_ERROR = 'ValidationException';

/** The marker, as the seed spells it. */
export const MISMATCH_MARKER = 'IdempotentParameterMismatch';

/** What is ignored when the marker is looked for. */
const IGNORED = /[\s_-]+/g;

function folded(text: string): string {
  return text.toLowerCase().replace(IGNORED, '');
}

const FOLDED_MARKER = folded(MISMATCH_MARKER);

/**
 * Whether a message names the mismatch (`IdempotentParameterMismatch`, `Idempotent parameter mismatch`,
 * `idempotent_parameter_mismatch`, ...).
 */
export function namesMismatch(message: string): boolean {
  return folded(message).includes(FOLDED_MARKER);
}

/** Whether an error (its type as the SDK names it, and its message) is the contract's mismatch. */
export function isMismatchError(name: string, message: string): boolean {
  return name === MISMATCH_ERROR && namesMismatch(message);
}
