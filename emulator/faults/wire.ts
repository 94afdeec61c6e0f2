// Faults of the wire category (CONTRACT.md "Wire faults"): idempotency that
// holds while the network behaves and breaks when it does not. Each shows only
// when a request's answer is lost, a request arrives twice or late, or the
// target's own error path runs: the suite catches them through its wire
// proxy (harness/wire/proxy.ts), never through a calm wire.
import type { ActedFacts, Fault, Output, Params, Policy } from '../policy.ts';
import { conflict, internalError, notFound, throttling, validation, type ApiError } from '../protocol.ts';
import { CLIENT_TOKEN_OPERATIONS as TOKEN_OPS, NAME_OPERATIONS, fault, ioTurn, sdkAttempt } from './support.ts';

const LOST = 'wire/lost-response-retry';
const DUPLICATE = 'wire/duplicate-delivery';
const SERVER_ERROR = 'wire/server-error-retry';
const INTERLEAVED = 'wire/interleaved-retries';

const MUTATION = /^(Create|Delete)[A-Za-z]+$/;

/** The ARN of the resource an answer carries (its first member that has one). */
function arnOf(answer: Output | undefined): string | undefined {
  for (const value of Object.values(answer ?? {})) {
    if (value !== null && typeof value === 'object' && typeof (value as Record<string, unknown>)['arn'] === 'string')
      return (value as Record<string, string>)['arn'];
  }
  return undefined;
}

/** What a request's idempotency record is found by: its token, else its whole input (a name, a delete's identity). */
function recordKey(account: string, operation: string, input: Params): string {
  const token = tokenOf(input);
  return `${account}\u0000${operation}\u0000${token ?? JSON.stringify(input)}`;
}

function tokenOf(input: Params): string | undefined {
  const token = input['clientToken'];
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/** The signature of a signed request (SigV4 Authorization), which a copy of the request carries too. */
function signatureOf(headers: ActedFacts['headers']): string | undefined {
  const authorization = headers['authorization'];
  return /Signature=([0-9a-f]+)/.exec(Array.isArray(authorization) ? (authorization[0] ?? '') : (authorization ?? ''))?.[1];
}

/** A replay cache of the signatures of creates and deletes: a signature seen before is answered `replayed()`. */
function replayCache(replayed: () => ApiError | Output): (base: Policy) => Partial<Policy> {
  return (base) => {
    const seen = new Set<string>();
    return {
      answersDelivery: (facts) => {
        const signature = signatureOf(facts.headers);
        if (MUTATION.test(facts.operation) && signature !== undefined) {
          if (seen.has(signature)) return replayed();
          seen.add(signature);
        }
        return base.answersDelivery(facts);
      },
    };
  };
}

/** Every fourth mutation fails after acting with `error`, its error path rolling the record back. */
function failingAfterActing(error: (operation: string) => Error): (base: Policy) => Partial<Policy> {
  return (base) => {
    const records = forgetting(base);
    let acted = 0;
    return {
      ...records.overrides,
      afterActing: (facts) => {
        if (MUTATION.test(facts.operation) && ++acted % 4 === 0) {
          records.forget(facts);
          throw error(facts.operation);
        }
        return base.afterActing(facts);
      },
    };
  };
}

/**
 * What a rolled-back idempotency record looks like afterwards: a forgotten
 * token is looked up under a fresh key (its retry creates anew), a resource
 * created by name is in doubt (its identical retry answers ConflictException,
 * as if modified), a forgotten deletion is not remembered (its retry answers
 * ResourceNotFoundException; an asynchronous one ConflictException while in
 * progress). The resource, created or deleted, stays so.
 */
function forgetting(base: Policy): { forget(facts: Pick<ActedFacts, 'operation' | 'input' | 'output'>): void; overrides: Partial<Policy> } {
  const generations = new Map<string, number>();
  const inDoubt = new Set<string>();
  return {
    forget(facts) {
      const token = tokenOf(facts.input);
      if (token !== undefined && TOKEN_OPS.has(facts.operation)) {
        const slot = `${facts.operation}\u0000${token}`;
        generations.set(slot, (generations.get(slot) ?? 0) + 1);
        return;
      }
      const arn = arnOf(facts.output);
      if (arn !== undefined) inDoubt.add(arn);
    },
    overrides: {
      tokenKey: (token, facts) => {
        const key = base.tokenKey(token, facts);
        const generation = generations.get(`${facts.operation}\u0000${token}`);
        return key === undefined || generation === undefined ? key : `${key}\u0000forgotten ${generation}`;
      },
      isModified: (facts) => inDoubt.has(arnOf(facts.created) ?? '') || base.isModified(facts),
      deleteRetry: (facts) => {
        if (inDoubt.has(arnOf(facts.remembered) ?? '')) throw notFound(`${facts.operation}: the resource does not exist`);
        return base.deleteRetry(facts);
      },
      asyncDeleteRetry: (deletion) => {
        if (inDoubt.has(arnOf(deletion.view()) ?? ''))
          throw conflict(`${deletion.operation}: a deletion of this resource is already in progress`);
        return base.asyncDeleteRetry(deletion);
      },
    },
  };
}

/** How long a target takes to notice a connection that broke with an answer unread (real ms; in-flight-conflict). */
const NOTICED_MS = 10_000;

/** An answered mutation as a fault keeps it: what rolling its record back needs, and whether its answer was lost. */
interface Answered {
  facts: Pick<ActedFacts, 'operation' | 'account' | 'input' | 'output' | 'headers'>;
  lost: () => boolean;
  /** performance.now() when it was answered. */
  at: number;
}

function answered(facts: ActedFacts): Answered {
  const { operation, account, input, output, headers } = facts;
  return { facts: { operation, account, input, output, headers }, lost: facts.clientLost, at: performance.now() };
}

/** A map that keeps its latest entries only (a long-lived emulator answers without end). */
class Bounded<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly limit = 10_000) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Removes the entry if it is still `value`; whether it was. */
  take(key: string, value: V): boolean {
    if (this.entries.get(key) !== value) return false;
    this.entries.delete(key);
    return true;
  }
}

/**
 * How long a target keeps the idempotency record of a request whose answer was
 * lost, once the request finished (real ms): longer than the immediate retries
 * of the suite take to come, shorter than the SDK's standard backoff.
 */
const ORPHAN_KEPT_MS = 150;

/**
 * The record of a request of `applies` whose answer never reached its client
 * (its connection closed before the answer was written, or reset with it
 * unread) is taken for an orphan and evicted ORPHAN_KEPT_MS after the request
 * finished: a retry that comes sooner gets the original, a later one finds no
 * record (forgetting). A client that got its answer keeps the record.
 */
function orphanEvicted(applies: (operation: string) => boolean): (base: Policy) => Partial<Policy> {
  return (base) => {
    const records = forgetting(base);
    /** The first request of each record key that finished, until its record is evicted. */
    const finished = new Bounded<Answered>();
    return {
      ...records.overrides,
      answersDelivery: (facts) => {
        if (applies(facts.operation)) {
          const key = recordKey(facts.account, facts.operation, facts.input);
          const original = finished.get(key);
          if (original?.lost() && performance.now() - original.at >= ORPHAN_KEPT_MS) {
            finished.take(key, original);
            records.forget(original.facts);
          }
        }
        return base.answersDelivery(facts);
      },
      afterActing: async (facts) => {
        if (applies(facts.operation)) {
          // The round trip that commits the work: a close the client already sent is read before the answer is written.
          await ioTurn();
          const key = recordKey(facts.account, facts.operation, facts.input);
          if (finished.get(key) === undefined) finished.set(key, answered(facts));
        }
        return base.afterActing(facts);
      },
    };
  };
}

export const wireFaults: Record<string, Fault> = {
  'record-written-with-response': fault(
    LOST,
    'The idempotency record is committed with the answer (a retry of the same token or name waits for that commit): when the ' +
      'client went away while the target was working (its connection closed before the answer was written, or reset with the answer ' +
      'unread), the action stays done but the record is rolled back, so the retry creates a second resource (a token), is refused ' +
      'with ConflictException (a name), or answers ResourceNotFoundException (a deletion).',
    (base) => {
      const records = forgetting(base);
      const committing = new Map<string, Promise<void>>();
      /** Answered requests whose commit waits on the answer's fate, by record key (until their first retry). */
      const delivered = new Bounded<Answered>();
      return {
        ...records.overrides,
        answersDelivery: async (facts) => {
          const key = recordKey(facts.account, facts.operation, facts.input);
          // A retry of a request whose record is being committed waits for the commit (its row is locked).
          await committing.get(key);
          const original = delivered.get(key);
          if (original !== undefined) {
            // Whatever became of the original's connection reached this process before this retry did
            // (the client closed it, then retried): read it first.
            await ioTurn();
            if (delivered.take(key, original) && original.lost()) records.forget(original.facts);
          }
          return base.answersDelivery(facts);
        },
        afterActing: async (facts) => {
          if (!MUTATION.test(facts.operation)) return base.afterActing(facts);
          const key = recordKey(facts.account, facts.operation, facts.input);
          let committed = (): void => undefined;
          committing.set(key, new Promise<void>((resolve) => (committed = resolve)));
          try {
            // The commit's round trip to the store, during which the client may
            // be seen going away (a close already sent has been read after it).
            await ioTurn();
            if (facts.clientGone()) records.forget(facts);
            else delivered.set(key, answered(facts));
          } finally {
            committing.delete(key);
            committed();
          }
          return base.afterActing(facts);
        },
      };
    },
  ),
  'in-flight-conflict': fault(
    LOST,
    "A create's token or name stays in flight until its answer has reached the client, an identical request meanwhile refused " +
      'with ConflictException, and when the client went away while the target was still working (its connection closed before the ' +
      'answer was written, or reset with the answer unread) the target notices only when the connection times out, seconds later: ' +
      "the client's retry is refused instead of answered with the resource.",
    (base) => {
      /** Creates whose answer is being written, by record key. */
      const answering = new Set<string>();
      /** Answered creates, by record key: whether the answer was lost, and since when. */
      const delivered = new Bounded<Answered>();
      const creates = (operation: string): boolean => TOKEN_OPS.has(operation) || NAME_OPERATIONS.has(operation);
      const refusal = (operation: string): ApiError =>
        conflict(`${operation}: a request with this client token or name is still being processed; try again later`);
      return {
        answersDelivery: async (facts) => {
          if (!creates(facts.operation)) return base.answersDelivery(facts);
          const key = recordKey(facts.account, facts.operation, facts.input);
          if (answering.has(key)) return refusal(facts.operation);
          const original = delivered.get(key);
          if (original !== undefined) {
            // The original's connection as this process knows it once it has read what came before this request.
            await ioTurn();
            if (original.lost() && performance.now() - original.at < NOTICED_MS) return refusal(facts.operation);
            delivered.take(key, original);
          }
          return base.answersDelivery(facts);
        },
        afterActing: async (facts) => {
          if (!creates(facts.operation)) return base.afterActing(facts);
          const key = recordKey(facts.account, facts.operation, facts.input);
          answering.add(key);
          try {
            // The round trip that ends the work: a close the client already sent is read before the answer is written.
            await ioTurn();
          } finally {
            answering.delete(key);
          }
          delivered.set(key, answered(facts));
          return base.afterActing(facts);
        },
      };
    },
  ),
  'replay-answered-empty': fault(
    DUPLICATE,
    'A delivery whose signature was seen before (the same signed request, delivered twice by the network) is answered from a ' +
      'replay cache that keeps only the status: an empty success, without the resource the request created.',
    replayCache(() => ({})),
  ),
  'replay-refused': fault(
    DUPLICATE,
    'A delivery whose signature was seen before (the same signed request, delivered twice by the network) is refused as a replay ' +
      'with ValidationException, though the contract makes it the same request.',
    replayCache(() => validation('The request signature has already been used: a replayed request is refused')),
  ),
  'error-path-forgets-record': fault(
    SERVER_ERROR,
    'Under load (every fourth create or delete) the target fails after acting with InternalServerException, and its error path ' +
      'rolls the idempotency record back but not the action: the retry after the 500 creates a second resource (a token), is refused ' +
      'with ConflictException (a name), or answers ResourceNotFoundException (a deletion).',
    failingAfterActing((operation) => internalError(`We encountered an internal error. Please try again. (${operation} was carried out)`)),
  ),
  'throttle-after-acting-forgets-record': fault(
    SERVER_ERROR,
    'A rate limiter placed after the handler answers every fourth create or delete ThrottlingException once it was carried out, ' +
      'and rolls its idempotency record back: the retry after the throttle creates a second resource (a token), is refused with ' +
      'ConflictException (a name), or answers ResourceNotFoundException (a deletion).',
    failingAfterActing(() => throttling('Rate exceeded')),
  ),
  'token-stale-attempt-new': fault(
    INTERLEAVED,
    'A client token remembers the highest SDK attempt seen; a request with a lower attempt (an original that arrives after its ' +
      'own retry overtook it) is taken for a new request and creates a second resource.',
    (base) => {
      const highest = new Map<string, number>();
      let stale = 0;
      return {
        tokenKey: (token, facts) => {
          const key = base.tokenKey(token, facts);
          if (key === undefined || !TOKEN_OPS.has(facts.operation)) return key;
          const slot = `${facts.operation}\u0000${key}`;
          const attempt = sdkAttempt(facts.headers);
          if (attempt < (highest.get(slot) ?? 0)) return `${key}\u0000stale ${++stale}`;
          highest.set(slot, attempt);
          return key;
        },
      };
    },
  ),
  'name-stale-attempt-mismatch': fault(
    INTERLEAVED,
    'A create by name remembers the highest SDK attempt seen for the name; a request with a lower attempt (an original that ' +
      'arrives after its own retry overtook it) is refused with ValidationException (IdempotentParameterMismatch), though its ' +
      'parameters are the same.',
    (base) => {
      const highest = new Map<string, number>();
      return {
        answersDelivery: (facts) => {
          if (!NAME_OPERATIONS.has(facts.operation)) return base.answersDelivery(facts);
          const slot = `${facts.account}\u0000${facts.operation}\u0000${String(facts.input['name'])}`;
          const attempt = sdkAttempt(facts.headers);
          if (attempt < (highest.get(slot) ?? 0))
            return validation(`IdempotentParameterMismatch: ${String(facts.input['name'])} was created by a later request`);
          highest.set(slot, attempt);
          return base.answersDelivery(facts);
        },
      };
    },
  ),
  'token-orphan-evicted-late': fault(
    LOST,
    'The record of a client token whose answer was lost (the client went away before the answer was written, or reset with it ' +
      `unread) is evicted as an orphan ${ORPHAN_KEPT_MS} ms after the create finished: an immediate retry gets the original, a ` +
      'retry after a backoff creates a second resource.',
    orphanEvicted((operation) => TOKEN_OPS.has(operation)),
  ),
  'name-orphan-evicted-late': fault(
    LOST,
    'The record of an idempotent create by name whose answer was lost (the client went away before the answer was written, or ' +
      `reset with it unread) is evicted as an orphan ${ORPHAN_KEPT_MS} ms after the create finished: an immediate retry gets the ` +
      'resource, a retry after a backoff is refused with ConflictException (the resource in doubt).',
    orphanEvicted((operation) => NAME_OPERATIONS.has(operation)),
  ),
  'deletion-orphan-evicted-late': fault(
    LOST,
    'The record of a deletion whose answer was lost (the client went away before the answer was written, or reset with it unread) ' +
      `is evicted as an orphan ${ORPHAN_KEPT_MS} ms after the delete finished: an immediate retry succeeds, a retry after a backoff ` +
      'answers ResourceNotFoundException (ConflictException while an asynchronous deletion is in progress).',
    orphanEvicted((operation) => /^Delete[A-Za-z]+$/.test(operation)),
  ),
};
