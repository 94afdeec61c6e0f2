// The one seam through which every idempotency decision of the emulator
// passes. `CONFORMING` is the contract (docs/CONTRACT.md); a fault of the
// catalogue (emulator/faults/, issue 4) is a small override of one decision,
// and a conforming variant (emulator/variants/) an override that the contract
// allows. The engines in idempotency.ts ask these questions and carry out the
// answers; server.ts, validation.ts and hooks.ts ask the request-level ones
// (tolerates, latency, offersHook, and the weather: throttles,
// failsAfterActing).
import { type ApiError, conflict, validation } from './protocol.ts';
import type { Durations } from './durations.ts';
import type { Paging } from './pagination.ts';
import type { ModelViolation } from '../specs/model.ts';
import { TOKEN_LIFETIME_MS } from '../specs/rules.ts';
import { FAULT_CATALOGUE } from './faults/index.ts';
import { VARIANT_CATALOGUE } from './variants/index.ts';
import { PARITY_VARIANTS } from './variants/parity.ts';
import { DEFAULT_SEED, weatherDecisions, type Weather } from './weather.ts';

export type Params = Record<string, unknown>;
export type Output = Record<string, unknown>;
/** Request headers as node:http gives them (lower-case names). */
export type Headers = Readonly<Record<string, string | string[] | undefined>>;

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

/** What a token is looked up with. */
export interface TokenFacts {
  operation: string;
  /** The compared parameters of this request. */
  params: Params;
  headers: Headers;
}

/** An existing resource met by an idempotent create of the same name. */
export interface CreateRetryFacts {
  sameParameters: boolean;
  modified: boolean;
  /** An environment or service whose deletion is in progress. */
  deleting: boolean;
}

/** A resource created by name, as the is-modified question sees it. */
export interface ModifiedFacts {
  operation: string;
  /** Successful Updates that counted as modifications since creation. */
  updateCount: number;
  /** The answer its create got (undefined for records made before it was kept). */
  created: Output | undefined;
  /** Its answer now. */
  current(): Output;
}

/** A retry that finds its original (same token and parameters, or same name and parameters, unmodified). */
export interface RetryFacts {
  operation: string;
  headers: Headers;
  /** The original resource's answer, as it is now. */
  original(): Output;
  /** The answer the original request got, when it was kept. */
  stored: Output | undefined;
  /** Runs the create again (a new resource, or over the old one for names) and answers it. */
  again(): Output;
}

/** Another resource of the same kind and scope as an absent one a delete names. */
export interface Sibling {
  answer(): Output;
  /** Removes it (with the checks the delete makes; may throw ConflictException). */
  remove(): void;
}

export interface DeleteRetryFacts {
  operation: string;
  /** The answer of the resource's remembered deletion, if it is remembered. */
  remembered: Output | undefined;
  /** The other resources of its kind in its scope, newest last. */
  siblings(): Sibling[];
}

/** A delete retry that finds its resource's deletion in progress. */
export interface DeletionInProgress {
  operation: string;
  /** The resource's details now (status DELETE_IN_PROGRESS). */
  view(): Output;
  /** Starts the deletion over, from now. */
  restart(): void;
}

/** One delivery of a checked API request, before its handler. */
export interface DeliveryFacts {
  operation: string;
  /** The caller's account id. */
  account: string;
  input: Params;
  headers: Headers;
}

/** A create or delete the emulator has carried out, before its answer is written (server.ts). */
export interface ActedFacts {
  operation: string;
  /** The caller's account id. */
  account: string;
  input: Params;
  output: Output;
  headers: Headers;
  /** Whether the client's connection has closed (it gave up, or a proxy dropped it): the answer cannot reach it. */
  clientGone(): boolean;
  /**
   * Whether the client went away without the answer: its connection closed
   * before the answer was written, or was reset after it (a client that gave
   * up closes with the answer unread). Known once the answer is written; a
   * reset is known once this process has read it (before any request the
   * client sent after closing).
   */
  clientLost(): boolean;
}

export interface Policy {
  // --- requests (server.ts, validation.ts, hooks.ts)
  /** Whether an input that breaks the model is let through anyway: never. */
  tolerates(operation: string, violation: ModelViolation): boolean;
  /** Milliseconds (real) a request waits before it is handled: none. */
  latency(operation: string): number;
  /** Whether the hooks offer this capability (docs/emulator-hooks.md): all of them. */
  offersHook(capability: string): boolean;
  /** What a List's nextToken carries (pagination.ts): the last key shown, so that other clients' doings never skip or repeat an item. */
  paging(operation: string): Paging;
  /**
   * What a List*TemplateVersions without majorVersion answers: every version
   * ('every'), or one summary per major version, its highest minor
   * ('majors', as the API reference words it).
   */
  versionsListed(operation: string): 'every' | 'majors';
  /** Whether an API request is answered ThrottlingException before its input is read or checked: never (weather.ts). */
  throttles(operation: string): boolean;
  /**
   * Whether a create or delete that succeeded (state changed, token recorded,
   * deletion started) is answered InternalServerException instead of its
   * result: never (weather.ts).
   */
  failsAfterActing(operation: string): boolean;
  /**
   * What answers a delivery of a checked API request instead of its handler
   * (an ApiError, or an output): nothing, at once, whatever its connection
   * or its copies. A request delivered twice is the same request
   * (CONTRACT.md "Wire faults"). A promise holds the request until it
   * settles (a fault's lock on the record of the same token or name).
   */
  answersDelivery(facts: DeliveryFacts): ApiError | Output | undefined | Promise<ApiError | Output | undefined>;
  /**
   * What happens once a request was carried out, before its answer is
   * written: nothing, at once (no await). The idempotency record was made
   * with the action; whether the answer reaches the client changes nothing.
   * May throw an ApiError (answered instead of the result) or return a
   * promise (the answer waits for it).
   */
  afterActing(facts: ActedFacts): void | Promise<void>;

  // --- client-token
  /** The key a token is stored and found under (case-sensitive); undefined ignores the token. */
  tokenKey(token: string, facts: TokenFacts): string | undefined;
  /** Why a token the model accepts is refused anyway (ValidationException): never. */
  tokenRefused(token: string): string | undefined;
  /** The virtual instant a token expires: 8 h after the original request. */
  tokenExpiresAt(record: TokenRecord): number;
  /** Called for a retry whose token expired, before the token is freed (a new resource); may throw. */
  tokenExpired(operation: string, record: TokenRecord): void;
  /** Which input members are compared between an original request and its retry: all but the token. */
  comparedParameters(operation: string, input: Params): Params;
  /** Whether a retry's compared parameters are those of the original. */
  sameParameters(original: Params, retry: Params): boolean;
  /** The error that answers a retry with different parameters. */
  mismatchError(operation: string, detail: string): ApiError;
  /** The answer when the token's resource was deleted; undefined creates a new one. May throw. */
  originalGone(operation: string, record: TokenRecord, sameParameters: boolean): Output | undefined;

  // --- idempotent-create
  /** Whether a successful Update counts as a modification: every one does. */
  countsAsModification(operation: string, input: Params): boolean;
  /** Whether the resource counts as modified since it was created. */
  isModified(facts: ModifiedFacts): boolean;
  /** What a create meeting an existing resource of the same name answers. */
  createRetry(facts: CreateRetryFacts): 'original' | 'mismatch' | 'conflict';
  /** The error that answers a create retry on a modified or deleting resource. */
  conflictError(operation: string, detail: string): ApiError;

  // --- both create categories
  /** What a retry that found its original answers: the original resource, as it is now. */
  retry(facts: RetryFacts): Output;
  /**
   * Runs a check-then-insert under `key` (account, operation, token or name).
   * Conforming: synchronously, so that no other request can run between the
   * lookup and the insert (Node runs one callback at a time): N concurrent
   * identical creates leave one resource.
   */
  checkThenInsert<T>(key: string, check: () => T | undefined, insert: () => T): T | Promise<T>;

  // --- idempotent-delete
  /** The key a deletion is remembered under: the resource's identity. */
  deletionKey(identity: string): string;
  /** The answer to deleting an absent resource. */
  deleteRetry(facts: DeleteRetryFacts): Output;

  // --- async-delete
  /** The answer to a delete retry while the deletion is in progress. */
  asyncDeleteRetry(deletion: DeletionInProgress): Output;
  /** The answer once the deletion is complete (or the resource never existed). */
  asyncDeleteAbsent(operation: string): Output;

  // --- answers
  /** The output a successful request is answered with (server.ts): the handler's, as it is. */
  answer(operation: string, output: Output): Output;
}

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
  tolerates: () => false,
  latency: () => 0,
  offersHook: () => true,
  paging: () => ({ by: 'key' }),
  versionsListed: () => 'every',
  throttles: () => false,
  failsAfterActing: () => false,
  answersDelivery: () => undefined,
  afterActing: () => undefined,
  tokenKey: (token) => token,
  tokenRefused: () => undefined,
  tokenExpiresAt: (record) => record.issuedAt + TOKEN_LIFETIME_MS,
  tokenExpired: () => undefined,
  comparedParameters: (_operation, input) => {
    const { clientToken: _token, ...rest } = input;
    return rest;
  },
  sameParameters: sameJson,
  // In the words the real service answered with (docs/CONTRACT.md "The mismatch marker").
  mismatchError: (_operation, detail) => validation(`Idempotent parameter mismatch: ${detail}`),
  originalGone: () => undefined,
  countsAsModification: () => true,
  isModified: ({ updateCount }) => updateCount > 0,
  // The parameters are judged against the original create first: a retry
  // that differs is a mismatch whatever happened to the resource since.
  createRetry: ({ sameParameters, modified, deleting }) => (!sameParameters ? 'mismatch' : modified || deleting ? 'conflict' : 'original'),
  conflictError: (_operation, detail) => conflict(detail),
  retry: ({ original }) => original(),
  checkThenInsert: (_key, check, insert) => check() ?? insert(),
  deletionKey: (identity) => identity,
  deleteRetry: ({ remembered }) => remembered ?? {},
  asyncDeleteRetry: (deletion) => deletion.view(),
  asyncDeleteAbsent: () => ({}),
  answer: (_operation, output) => output,
};

/**
 * A partial policy, or a maker of one from the policy it overrides (so that it
 * can delegate, e.g. for the operations it leaves alone; called once per
 * emulator, so that state it keeps is the emulator's own).
 */
export type PolicyOverride = Partial<Policy> | ((base: Policy) => Partial<Policy>);

/** A documented deviation from one rule of the contract (issue 4). */
export interface Fault {
  /** The CONTRACT.md rule id it violates. */
  rule: string;
  /** What a buggy implementation does, in one sentence. */
  description: string;
  policy: PolicyOverride;
  /** Durations it needs (rare: most faults are decisions). */
  durations?: Partial<Durations>;
}

/** A behaviour the contract allows but the defaults do not show (issue 4). */
export interface Variant {
  description: string;
  policy?: PolicyOverride;
  durations?: Partial<Durations>;
  /**
   * Weather it brings (weather.ts): a preset of the emulator's `weather`
   * option. Such a variant overrides the two weather decisions only, so that
   * it composes with any fault or other variant.
   */
  weather?: Weather;
}

/** The catalogues, by name (emulator/faults/README.md). */
export const FAULTS: Readonly<Record<string, Fault>> = FAULT_CATALOGUE;
export const VARIANTS: Readonly<Record<string, Variant>> = VARIANT_CATALOGUE;
/** Variants made for the parity comparison (variants/parity.ts): not conforming, not in the mutation analysis. */
export { PARITY_VARIANTS };

export interface Behaviour {
  policy: Policy;
  /** Durations the chosen faults and variants set, under the options' own. */
  durations: Partial<Durations>;
  /** The weather in force: the weather variants' presets, under the options' own. */
  weather: Weather;
}

export interface BehaviourOptions {
  /** Weather over the variants' presets (each rate on its own). */
  weather?: Weather;
  /** Seed of the weather's generators (default DEFAULT_SEED). */
  seed?: number;
}

function overrideOf(override: PolicyOverride | undefined, base: Policy): Partial<Policy> {
  if (override === undefined) return {};
  return typeof override === 'function' ? override(base) : override;
}

/**
 * The policy, durations and weather of the chosen faults and variants (in that
 * order: a variant overrides only the decisions it names, so it keeps a
 * fault's), with the options' weather last; throws on an unknown name.
 */
export function behaviourOf(faults: readonly string[] = [], variants: readonly string[] = [], options: BehaviourOptions = {}): Behaviour {
  let policy: Policy = CONFORMING;
  let durations: Partial<Durations> = {};
  for (const name of faults) {
    const fault = Object.hasOwn(FAULTS, name) ? FAULTS[name] : undefined;
    if (fault === undefined) throw new Error(`unknown fault "${name}" (known: ${known(FAULTS)})`);
    policy = { ...policy, ...overrideOf(fault.policy, policy) };
    durations = { ...durations, ...fault.durations };
  }
  let weather: Weather = {};
  for (const name of variants) {
    const variant = Object.hasOwn(VARIANTS, name)
      ? VARIANTS[name]
      : Object.hasOwn(PARITY_VARIANTS, name)
        ? PARITY_VARIANTS[name]
        : undefined;
    if (variant === undefined) throw new Error(`unknown variant "${name}" (known: ${known({ ...VARIANTS, ...PARITY_VARIANTS })})`);
    policy = { ...policy, ...overrideOf(variant.policy, policy) };
    durations = { ...durations, ...variant.durations };
    weather = { ...weather, ...variant.weather };
  }
  weather = { ...weather, ...definedOf(options.weather) };
  if (weather.throttle || weather.errorAfter) policy = { ...policy, ...weatherDecisions(weather, options.seed ?? DEFAULT_SEED) };
  return { policy, durations, weather };
}

/** The weather the named variants bring together (for reports); throws on an unknown name. */
export function weatherOfVariants(variants: readonly string[]): Weather {
  return behaviourOf([], variants).weather;
}

function definedOf(weather: Weather | undefined): Weather {
  if (weather === undefined) return {};
  return Object.fromEntries(Object.entries(weather).filter(([, rate]) => rate !== undefined)) as Weather;
}

function known(catalogue: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(catalogue);
  return names.length === 0 ? 'none' : names.join(', ');
}
