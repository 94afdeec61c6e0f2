// Faults of the client-token category (CreateEnvironmentTemplateVersion,
// CreateServiceTemplateVersion, CreateEnvironmentAccountConnection): each a
// deviation from one rule, as real implementations get them wrong.
import type { Fault } from '../policy.ts';
import { conflict, notFound, validation } from '../protocol.ts';
import {
  CLIENT_TOKEN_OPERATIONS as TOKEN_OPS,
  HOUR_MS,
  TOKEN_LIFETIME_MS,
  checkThenInsertRaceFault,
  fault,
  inFlightMismatchFault,
  mintedIdentity,
  mismatchFaults,
  sdkAttempt,
} from './support.ts';

const SAME = 'client-token/same-token-same-params';
const DIFFERENT = 'client-token/same-token-different-params';
const EXPIRY = 'client-token/expiry';
const AFTER_DELETE = 'client-token/retry-after-delete';
const CASE = 'client-token/case-sensitive';
const FORMAT = 'client-token/format';
const SDK_DEFAULT = 'client-token/sdk-default';
const CONCURRENT = 'client-token/concurrent-retries';

/** The members the model requires, by operation: what a lazy comparison looks at. */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  CreateEnvironmentTemplateVersion: ['templateName', 'source'],
  CreateServiceTemplateVersion: ['templateName', 'source', 'compatibleEnvironmentTemplates'],
  CreateEnvironmentAccountConnection: ['managementAccountId', 'environmentName'],
};

/** Object members sorted, so that equal parameters print alike. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) =>
    member !== null && typeof member === 'object' && !Array.isArray(member)
      ? Object.fromEntries(Object.entries(member as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : member,
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const clientTokenFaults: Record<string, Fault> = {
  // --- same-token-same-params
  'token-retry-new-identity': fault(
    SAME,
    "A retry with the same token and parameters answers the original's details under a freshly minted identity (the next minor " +
      'version, a new connection id), though it creates nothing.',
    (base) => ({ retry: (facts) => (TOKEN_OPS.has(facts.operation) ? mintedIdentity(base.retry(facts)) : base.retry(facts)) }),
  ),
  'token-retry-duplicates': fault(
    SAME,
    'A retry with the same token and parameters answers the original, but runs the create again behind it: a second resource the ' +
      'token does not name.',
    (base) => ({
      retry: (facts) => {
        if (TOKEN_OPS.has(facts.operation)) facts.again();
        return base.retry(facts);
      },
    }),
  ),

  // --- same-token-different-params
  ...mismatchFaults('token', DIFFERENT, TOKEN_OPS, REQUIRED, 'template name and source; management account and environment name'),
  'token-params-in-key': fault(
    DIFFERENT,
    'The token is stored under the token and a hash of the parameters: a retry with different parameters is a new request and ' +
      'creates a new resource.',
    { tokenKey: (token, { params }) => `${token}\u0000${stable(params)}` },
  ),

  // --- expiry
  'token-expires-hour-early': fault(EXPIRY, 'Tokens expire seven hours after the original request instead of eight.', {
    tokenExpiresAt: (record) => record.issuedAt + TOKEN_LIFETIME_MS - HOUR_MS,
  }),
  'token-expires-hour-late': fault(EXPIRY, 'Tokens expire nine hours after the original request instead of eight.', {
    tokenExpiresAt: (record) => record.issuedAt + TOKEN_LIFETIME_MS + HOUR_MS,
  }),
  'token-expiry-from-latest-retry': fault(
    EXPIRY,
    'Expiry is counted from the latest retry answered with the original instead of the original request: every retry pushes it back.',
    { tokenExpiresAt: (record) => record.lastUsedAt + TOKEN_LIFETIME_MS },
  ),
  'token-never-expires': fault(EXPIRY, 'Tokens never expire: a retry at or after eight hours still returns the original.', {
    tokenExpiresAt: () => Number.POSITIVE_INFINITY,
  }),
  'token-expired-refused': fault(
    EXPIRY,
    'A retry with an expired token is refused with ValidationException instead of creating a new resource.',
    {
      tokenExpired: () => {
        throw validation('The client token has expired: use a new client token');
      },
    },
  ),

  // --- retry-after-delete
  'token-deleted-answers-original': fault(
    AFTER_DELETE,
    "A retry after the original was deleted answers the deleted original's details (the stored answer) instead of creating a new resource.",
    { originalGone: (_operation, record) => record.answer },
  ),
  'token-deleted-not-found': fault(
    AFTER_DELETE,
    'A retry after the original was deleted answers ResourceNotFoundException instead of creating a new resource.',
    {
      originalGone: () => {
        throw notFound('The resource this client token created no longer exists');
      },
    },
  ),
  'token-deleted-conflict': fault(
    AFTER_DELETE,
    'A retry after the original was deleted answers ConflictException instead of creating a new resource.',
    {
      originalGone: () => {
        throw conflict('The resource this client token created was deleted');
      },
    },
  ),

  // --- case-sensitive
  'token-case-insensitive': fault(
    CASE,
    'Tokens are compared without regard to case: a token that differs only in case returns the original.',
    {
      tokenKey: (token) => token.toLowerCase(),
    },
  ),
  'token-uuid-case-insensitive': fault(
    CASE,
    'UUID-shaped tokens (the SDK default) are folded to lower case, others are not: a UUID that differs only in case returns the original.',
    { tokenKey: (token) => (UUID.test(token) ? token.toLowerCase() : token) },
  ),

  // --- format
  'token-max-36-characters': fault(
    FORMAT,
    'Tokens longer than 36 characters (a UUID) are refused with ValidationException, though up to 64 are valid.',
    { tokenRefused: (token) => (token.length > 36 ? `clientToken must be at most 36 characters long` : undefined) },
  ),
  'token-symbols-refused': fault(
    FORMAT,
    'Tokens with characters other than letters, digits, "-" and "_" are refused with ValidationException, though every printable ' +
      'ASCII character is valid.',
    { tokenRefused: (token) => (/[^A-Za-z0-9_-]/.test(token) ? 'clientToken may hold letters, digits, "-" and "_" only' : undefined) },
  ),
  'token-short-refused': fault(
    FORMAT,
    'Tokens shorter than 8 characters are refused with ValidationException, though one character is valid.',
    { tokenRefused: (token) => (token.length < 8 ? 'clientToken must be at least 8 characters long' : undefined) },
  ),
  'token-long-accepted': fault(FORMAT, 'Tokens longer than 64 characters are accepted (the length constraint is not checked).', (base) => ({
    tolerates: (operation, violation) =>
      (violation.path === 'clientToken' && violation.constraint === 'length') || base.tolerates(operation, violation),
  })),
  'token-any-character-accepted': fault(
    FORMAT,
    'Tokens with characters outside printable ASCII (spaces, control characters, non-ASCII letters) are accepted.',
    (base) => ({
      tolerates: (operation, violation) =>
        (violation.path === 'clientToken' && violation.constraint === 'pattern') || base.tolerates(operation, violation),
    }),
  ),

  // --- sdk-default
  'sdk-attempt-in-token-key': fault(
    SDK_DEFAULT,
    "Idempotency is keyed by the token and the SDK's attempt header (amz-sdk-request): the SDK's own retry of a call whose " +
      'response was lost creates a second resource.',
    { tokenKey: (token, { headers }) => `${token}\u0000${sdkAttempt(headers)}` },
  ),
  'sdk-retry-refused': fault(
    SDK_DEFAULT,
    "The SDK's own retry (attempt 2 or later) of a request whose token is known is refused as a duplicate with ConflictException " +
      'instead of answered with the original.',
    (base) => ({
      retry: (facts) => {
        if (TOKEN_OPS.has(facts.operation) && sdkAttempt(facts.headers) > 1)
          throw conflict('Duplicate request: this request was already processed');
        return base.retry(facts);
      },
    }),
  ),
  'sdk-retry-empty': fault(
    SDK_DEFAULT,
    "The SDK's own retry (attempt 2 or later) of a request whose token is known is answered with an empty success, without the resource.",
    (base) => ({ retry: (facts) => (TOKEN_OPS.has(facts.operation) && sdkAttempt(facts.headers) > 1 ? {} : base.retry(facts)) }),
  ),

  // --- concurrent-retries
  'token-check-then-insert-race': checkThenInsertRaceFault(
    CONCURRENT,
    TOKEN_OPS,
    'The token lookup and the insert are separated by a round trip to the store (an await): identical requests sent at once all ' +
      'miss the token and each creates a resource.',
  ),
  'token-in-flight-mismatch': inFlightMismatchFault(
    CONCURRENT,
    TOKEN_OPS,
    'The token is reserved before its parameters are stored: an identical request arriving while the first is being created is ' +
      'answered with IdempotentParameterMismatch.',
    'the client token',
  ),
};
