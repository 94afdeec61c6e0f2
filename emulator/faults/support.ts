// What the faults of the catalogue share: which operations belong to which
// category, the SDK's attempt header, a real pause (a database round trip),
// identities minted afresh, and the helper that declares a fault.
import { randomUUID } from 'node:crypto';
import type { Fault, Headers, Output, Params, PolicyOverride } from '../policy.ts';
import { conflict, validation } from '../protocol.ts';
import { CATEGORY_OPERATIONS } from '../../specs/rules.ts';

export const CLIENT_TOKEN_OPERATIONS: ReadonlySet<string> = new Set(CATEGORY_OPERATIONS['client-token']);

export const NAME_OPERATIONS: ReadonlySet<string> = new Set(CATEGORY_OPERATIONS['idempotent-create']);

export const HOUR_MS = 60 * 60 * 1000;
/** The contract's token lifetime, from specs/ (faults must not import values from policy.ts: it imports them). */
export { TOKEN_LIFETIME_MS } from '../../specs/rules.ts';

/** A racy fault's round trip to its store between a lookup and an insert, when no identical request comes meanwhile (real ms). */
export const ROUND_TRIP_MS = 15;

/**
 * Where a racy fault holds a create between its lookup and its insert: until
 * an identical request (the same check-then-insert key) has reached its own
 * lookup, which is the race the fault needs, however late a busy machine
 * delivers it; or, when none comes, for one round trip to the store
 * (ROUND_TRIP_MS, then whatever had been sent by then is read). A create
 * that nothing races pays the round trip, as it would at such a target.
 */
export class TwinGate {
  private readonly held = new Map<string, Set<() => void>>();

  /** A request has reached its lookup: the identical ones held under its key go on (after its own lookup, which runs first). */
  arrived(key: string): void {
    const waiting = this.held.get(key);
    if (waiting === undefined) return;
    this.held.delete(key);
    for (const release of [...waiting]) release();
  }

  /** Holds a request that passed its lookup, until a twin reaches its own or the round trip is over. */
  hold(key: string): Promise<void> {
    return new Promise((resolve) => {
      let waiting = this.held.get(key);
      if (waiting === undefined) {
        waiting = new Set();
        this.held.set(key, waiting);
      }
      const own = waiting;
      const release = (): void => {
        clearTimeout(timer);
        own.delete(release);
        if (own.size === 0 && this.held.get(key) === own) this.held.delete(key);
        resolve();
      };
      const timer = setTimeout(() => void ioTurn().then(release), ROUND_TRIP_MS);
      own.add(release);
    });
  }
}

/**
 * A round trip measured in events, not milliseconds: resolves once the event
 * loop has been through a poll phase since the call, so whatever the kernel
 * already held for this process (a connection its client closed or reset,
 * a request already sent) has been read. However slow the machine, what
 * happened before the call is seen; nothing waits for what may never come.
 */
export function ioTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** The SDK's attempt number (`amz-sdk-request: attempt=2; max=3`); 1 when absent. */
export function sdkAttempt(headers: Headers): number {
  const raw = headers['amz-sdk-request'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  const match = value === undefined ? null : /attempt=(\d+)/.exec(value);
  return match ? Number(match[1]) : 1;
}

/** The operation a checkThenInsert key names (`account \0 operation \0 ...`, idempotency.ts). */
export function operationOfKey(key: string): string {
  return key.split('\u0000')[1] ?? '';
}

/** Declares a fault of the catalogue. */
export function fault(rule: string, description: string, policy: PolicyOverride): Fault {
  return { rule, description, policy };
}

/** The input restricted to these members. */
export function only(input: Params, members: readonly string[]): Params {
  return Object.fromEntries(members.filter((m) => input[m] !== undefined).map((m) => [m, input[m]]));
}

/**
 * The four ways a parameter comparison goes wrong, alike in both create
 * categories (client token and name): only the required members compared,
 * tags left out, the wrong exception, the marker missing. `prefix` names
 * them (`token-...`, `name-...`), `operations` is the category's.
 */
export function mismatchFaults(
  prefix: string,
  rule: string,
  operations: ReadonlySet<string>,
  required: Readonly<Record<string, readonly string[]>>,
  requiredText: string,
): Record<string, Fault> {
  return {
    [`${prefix}-compares-required-only`]: fault(
      rule,
      `Only the required members are compared (${requiredText}): a retry that changes an optional one returns the original.`,
      (base) => ({
        comparedParameters: (operation, input) =>
          operations.has(operation) ? only(input, required[operation] ?? []) : base.comparedParameters(operation, input),
      }),
    ),
    [`${prefix}-tags-not-compared`]: fault(
      rule,
      'Tags are left out of the comparison: a retry that changes only the tags returns the original.',
      (base) => ({
        comparedParameters: (operation, input) => {
          const compared = base.comparedParameters(operation, input);
          if (!operations.has(operation)) return compared;
          const { tags: _tags, ...rest } = compared;
          return rest;
        },
      }),
    ),
    [`${prefix}-mismatch-conflict`]: fault(
      rule,
      'A retry with different parameters is answered with ConflictException (its message names IdempotentParameterMismatch) ' +
        'instead of ValidationException.',
      (base) => ({
        mismatchError: (operation, detail) =>
          operations.has(operation) ? conflict(`IdempotentParameterMismatch: ${detail}`) : base.mismatchError(operation, detail),
      }),
    ),
    [`${prefix}-mismatch-unmarked`]: fault(
      rule,
      'A retry with different parameters is answered with a ValidationException whose message lacks the ' +
        'IdempotentParameterMismatch marker.',
      (base) => ({
        mismatchError: (operation, detail) =>
          operations.has(operation)
            ? validation(`The request does not match the original request: ${detail}`)
            : base.mismatchError(operation, detail),
      }),
    ),
  };
}

const VERSION_MEMBERS = ['environmentTemplateVersion', 'serviceTemplateVersion'] as const;
const NAMED_MEMBERS = ['environmentTemplate', 'serviceTemplate', 'environment', 'service'] as const;

/**
 * The answer with the resource's identity minted afresh, as an
 * implementation that builds its answer from a new record would: the next
 * minor version, a new connection id, a new ARN and creation time for a
 * resource named by its name. Nothing is created.
 */
export function mintedIdentity(answer: Output): Output {
  const out: Output = { ...answer };
  for (const member of VERSION_MEMBERS) {
    const version = answer[member] as Record<string, unknown> | undefined;
    if (version === undefined) continue;
    const minor = (BigInt(String(version['minorVersion'])) + 1n).toString();
    out[member] = {
      ...version,
      minorVersion: minor,
      arn: String(version['arn']).replace(/\.\d+$/, `.${minor}`),
    };
  }
  const connection = answer['environmentAccountConnection'] as Record<string, unknown> | undefined;
  if (connection !== undefined) {
    const id = randomUUID();
    out['environmentAccountConnection'] = { ...connection, id, arn: String(connection['arn']).replace(/[^/]+$/, id) };
  }
  for (const member of NAMED_MEMBERS) {
    const resource = answer[member] as Record<string, unknown> | undefined;
    if (resource === undefined) continue;
    out[member] = {
      ...resource,
      arn: `${String(resource['arn'])}-${randomUUID().slice(0, 8)}`,
      createdAt: Date.now() / 1000,
    };
  }
  return out;
}

/**
 * The lookup and the insert separated by a round trip to the store: identical
 * creates sent at once all miss the key, and each goes on to insert. With
 * `storeRefusal`, the store itself then refuses a twin (a unique name) with a
 * ValidationException of that message; without it, each creates a resource.
 */
export function checkThenInsertRaceFault(rule: string, operations: ReadonlySet<string>, description: string, storeRefusal?: string): Fault {
  return fault(rule, description, (base) => {
    const gate = new TwinGate();
    return {
      checkThenInsert: async (key, check, insert) => {
        if (!operations.has(operationOfKey(key))) return base.checkThenInsert(key, check, insert);
        gate.arrived(key);
        const found = check();
        if (found !== undefined) return found;
        await gate.hold(key);
        if (storeRefusal !== undefined && check() !== undefined) throw validation(storeRefusal);
        return insert();
      },
    };
  });
}

/**
 * An idempotency key reserved before its parameters are stored: an identical
 * request arriving while the first is being created is told its parameters
 * differ. Both create categories get it wrong alike; `holder` says what holds
 * the key ("the client token", "the name") in the error.
 */
export function inFlightMismatchFault(rule: string, operations: ReadonlySet<string>, description: string, holder: string): Fault {
  return fault(rule, description, (base) => {
    const inFlight = new Set<string>();
    const gate = new TwinGate();
    return {
      checkThenInsert: async (key, check, insert) => {
        if (!operations.has(operationOfKey(key))) return base.checkThenInsert(key, check, insert);
        if (inFlight.has(key)) {
          gate.arrived(key);
          throw validation(`IdempotentParameterMismatch: ${holder} is held by a request with other parameters`);
        }
        const found = check();
        if (found !== undefined) return found;
        inFlight.add(key);
        try {
          await gate.hold(key);
          return insert();
        } finally {
          inFlight.delete(key);
        }
      },
    };
  });
}
