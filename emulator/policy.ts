// The one seam through which every idempotency decision of the emulator
// passes. `CONFORMING` is the contract (../shared/CONTRACT.md); a fault of the
// catalogue (issue 4) is a small override of one decision, and a conforming
// variant an override that the contract allows. The engines in
// idempotency.ts ask these questions and carry out the answers.
import { ApiError, conflict, validation } from './protocol.ts';
import type { Durations } from './durations.ts';

export type Params = Record<string, unknown>;
export type Output = Record<string, unknown>;

/** What is kept of a client token's first successful request. */
export interface TokenRecord {
  /** The compared parameters of the original request. */
  readonly params: Params;
  /** Virtual time of the original request. */
  readonly issuedAt: number;
  /** Virtual time of the latest retry answered with the original. */
  lastUsedAt: number;
  /** The resource the original request created. */
  readonly resource: unknown;
  /** The answer the original request got. */
  readonly answer: Output;
}

/** An existing resource met by an idempotent create of the same name. */
export interface CreateRetryFacts {
  sameParameters: boolean;
  modified: boolean;
  /** An environment or service whose deletion is in progress. */
  deleting: boolean;
}

/** A delete retry that finds its resource's deletion in progress. */
export interface DeletionInProgress {
  /** The resource's details now (status DELETE_IN_PROGRESS). */
  view(): Output;
  /** Starts the deletion over, from now. */
  restart(): void;
}

export interface Policy {
  /** client-token: the key a token is stored and found under (case-sensitive). */
  tokenKey(token: string): string;
  /** client-token: the virtual instant a token expires: 8 h after the original request. */
  tokenExpiresAt(record: TokenRecord): number;
  /** Which input members are compared between an original request and its retry: all but the token. */
  comparedParameters(operation: string, input: Params): Params;
  /** Whether a retry's compared parameters are those of the original. */
  sameParameters(original: Params, retry: Params): boolean;
  /** The error that answers a retry with different parameters. */
  mismatchError(operation: string, detail: string): ApiError;
  /** client-token: the answer when the token's resource was deleted; undefined creates a new one. */
  originalGone(record: TokenRecord): Output | undefined;
  /** idempotent-create: whether the resource counts as modified since it was created. */
  isModified(resource: { updateCount: number }): boolean;
  /** idempotent-create: what a create meeting an existing resource of the same name answers. */
  createRetry(facts: CreateRetryFacts): 'original' | 'mismatch' | 'conflict';
  /** The error that answers a create retry on a modified or deleting resource. */
  conflictError(operation: string, detail: string): ApiError;
  /** idempotent-delete: the answer to deleting an absent resource, given its remembered deletion. */
  deleteRetry(remembered: Output | undefined): Output;
  /** async-delete: the answer to a delete retry while the deletion is in progress. */
  asyncDeleteRetry(deletion: DeletionInProgress): Output;
  /** async-delete: the answer once the deletion is complete (or the resource never existed). */
  asyncDeleteAbsent(): Output;
  /** The identity a retry's answer carries: the original resource's. */
  retryAnswer(answer: Output): Output;
  /**
   * Runs a check-then-insert. Conforming: synchronously, so that no other
   * request can run between the lookup and the insert (Node runs one
   * callback at a time): N concurrent identical creates leave one resource.
   */
  checkThenInsert<T>(check: () => T | undefined, insert: () => T): T | Promise<T>;
}

export const TOKEN_LIFETIME_MS = 8 * 60 * 60 * 1000;

/** Deep equality of JSON values; object member order does not matter. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left).filter((k) => left[k] !== undefined && left[k] !== null);
  const rightKeys = Object.keys(right).filter((k) => right[k] !== undefined && right[k] !== null);
  return keys.length === rightKeys.length && keys.every((k) => sameJson(left[k], right[k]));
}

export const CONFORMING: Policy = {
  tokenKey: (token) => token,
  tokenExpiresAt: (record) => record.issuedAt + TOKEN_LIFETIME_MS,
  comparedParameters: (_operation, input) => {
    const { clientToken: _token, ...rest } = input;
    return rest;
  },
  sameParameters: sameJson,
  mismatchError: (_operation, detail) => validation(`IdempotentParameterMismatch: ${detail}`),
  originalGone: () => undefined,
  isModified: (resource) => resource.updateCount > 0,
  // The parameters are judged against the original create first: a retry
  // that differs is a mismatch whatever happened to the resource since.
  createRetry: ({ sameParameters, modified, deleting }) =>
    !sameParameters ? 'mismatch' : modified || deleting ? 'conflict' : 'original',
  conflictError: (_operation, detail) => conflict(detail),
  deleteRetry: (remembered) => remembered ?? {},
  asyncDeleteRetry: (deletion) => deletion.view(),
  asyncDeleteAbsent: () => ({}),
  retryAnswer: (answer) => answer,
  checkThenInsert: (check, insert) => check() ?? insert(),
};

/** A documented deviation from one rule of the contract (issue 4). */
export interface Fault {
  /** The CONTRACT.md rule id it violates. */
  rule: string;
  description: string;
  policy: Partial<Policy>;
}

/** A behaviour the contract allows but the defaults do not show (issue 4). */
export interface Variant {
  description: string;
  policy?: Partial<Policy>;
  durations?: Partial<Durations>;
}

/** The catalogues, by name; empty until issue 4 fills them. */
export const FAULTS: Readonly<Record<string, Fault>> = {};
export const VARIANTS: Readonly<Record<string, Variant>> = {};

export interface Behaviour {
  policy: Policy;
  /** Durations the chosen variants set, under the options' own. */
  durations: Partial<Durations>;
}

/** The policy and durations of the chosen faults and variants; throws on an unknown name. */
export function behaviourOf(faults: readonly string[] = [], variants: readonly string[] = []): Behaviour {
  let policy: Policy = CONFORMING;
  let durations: Partial<Durations> = {};
  for (const name of faults) {
    const fault = Object.hasOwn(FAULTS, name) ? FAULTS[name] : undefined;
    if (fault === undefined) throw new Error(`unknown fault "${name}" (known: ${known(FAULTS)})`);
    policy = { ...policy, ...fault.policy };
  }
  for (const name of variants) {
    const variant = Object.hasOwn(VARIANTS, name) ? VARIANTS[name] : undefined;
    if (variant === undefined) throw new Error(`unknown variant "${name}" (known: ${known(VARIANTS)})`);
    policy = { ...policy, ...variant.policy };
    durations = { ...durations, ...variant.durations };
  }
  return { policy, durations };
}

function known(catalogue: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(catalogue);
  return names.length === 0 ? 'none yet' : names.join(', ');
}
