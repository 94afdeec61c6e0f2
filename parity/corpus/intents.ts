// Why a step is in the corpus, and what the model, the API reference and the
// contract say it must get. An intent is `<kind>` or `<kind>: <detail>`
// (`invalid: too long: name`, `missing resource`). The comparison does not
// need the expectation (it compares two targets); the reference's own check
// does (test/parity/reference.test.ts).

export const INTENT_KINDS = [
  // A valid request on resources in the state the sequence built: success.
  'valid',
  // A List page (maxResults small, nextToken of the page before): success.
  'paging',
  // An identical retry of a create or a delete: success (the original, or the deleted resource's metadata).
  'retry',
  // A delete of a name nothing ever carried: success with an empty answer (idempotent-delete/absent-is-empty,
  // async-delete/retry-after-complete).
  'absent',
  // An input breaking one constraint of the model: ValidationException.
  'invalid',
  // Get, Update, List, a create under a parent, tags: of something that does not exist: ResourceNotFoundException.
  'missing resource',
  // A create retried with other parameters (same name, or same client token): ValidationException naming the
  // idempotent parameter mismatch (CONTRACT.md).
  'mismatch',
  // A request the resource's state forbids (a create retried after an Update, a version still registering):
  // ConflictException.
  'conflict',
  // A delete of something another resource depends on (a template with versions, a version in use):
  // ConflictException.
  'dependency',
  // A request only another account may make (accepting one's own connection request): AccessDeniedException.
  'denied',
  // A readable, valid input the service refuses for what it names (deploying a version that is not published):
  // ValidationException.
  'refused',
  // A request the model and the documentation leave open (an update while a deployment runs, a filter naming no
  // template): compared between targets, not judged against an expectation.
  'open',
  // A cleanup step: its answer is not compared.
  'cleanup',
] as const;

export type IntentKind = (typeof INTENT_KINDS)[number];

/** What a step must get: success (`empty`: an empty body), or this error type. */
export type Expected = { ok: true; empty?: boolean } | { ok: false; error: string } | undefined;

const EXPECTED: Record<IntentKind, Expected> = {
  valid: { ok: true },
  paging: { ok: true },
  retry: { ok: true },
  absent: { ok: true, empty: true },
  invalid: { ok: false, error: 'ValidationException' },
  'missing resource': { ok: false, error: 'ResourceNotFoundException' },
  mismatch: { ok: false, error: 'ValidationException' },
  conflict: { ok: false, error: 'ConflictException' },
  dependency: { ok: false, error: 'ConflictException' },
  denied: { ok: false, error: 'AccessDeniedException' },
  refused: { ok: false, error: 'ValidationException' },
  open: undefined,
  cleanup: undefined,
};

/** The kind of an intent (`invalid: too long: name` -> `invalid`); throws for an unknown one. */
export function intentKind(intent: string): IntentKind {
  const colon = intent.indexOf(':');
  const kind = (colon === -1 ? intent : intent.slice(0, colon)).trim();
  if (!(INTENT_KINDS as readonly string[]).includes(kind)) throw new Error(`unknown parity intent kind '${kind}' in '${intent}'`);
  return kind as IntentKind;
}

/** What the step's intent says it must get (undefined for `open` and `cleanup`). */
export function expectedOutcome(intent: string): Expected {
  return EXPECTED[intentKind(intent)];
}

/** The kinds of invalid input the corpus sends, one sequence per kind per operation where the model has it. */
export const INVALID_KINDS = ['too long', 'too short', 'pattern', 'missing required', 'enum', 'out of range'] as const;

export type InvalidKind = (typeof INVALID_KINDS)[number];

/** The model's constraint (specs/model.ts ModelViolation.constraint) each kind breaks. */
export const INVALID_CONSTRAINT: Record<InvalidKind, string> = {
  'too long': 'length',
  'too short': 'length',
  pattern: 'pattern',
  'missing required': 'required',
  enum: 'enum',
  'out of range': 'range',
};

/** `invalid: <kind>: <member>`. */
export function invalidIntent(kind: InvalidKind, member: string): string {
  return `invalid: ${kind}: ${member}`;
}

/** The kind and member of an `invalid: ...` intent. */
export function parseInvalidIntent(intent: string): { kind: InvalidKind; member: string } | undefined {
  const match = /^invalid: ([a-z ]+): (.+)$/.exec(intent);
  if (match === null || !(INVALID_KINDS as readonly string[]).includes(match[1]!)) return undefined;
  return { kind: match[1] as InvalidKind, member: match[2]! };
}
