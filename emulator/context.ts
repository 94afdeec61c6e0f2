// What an operation handler is given: the caller's account and region, the
// account's virtual time when the request arrived, and the policy.
import type { AccountState, World } from './accounts.ts';
import type { Headers, Output, Params, Policy } from './policy.ts';

export interface RequestContext {
  readonly world: World;
  readonly account: AccountState;
  readonly region: string;
  /** The account's virtual time (ms) when the request arrived. */
  readonly now: number;
  readonly policy: Policy;
  /** The request's headers (a few faults of the catalogue read the SDK's attempt header). */
  readonly headers: Headers;
}

/**
 * An operation of the API. Synchronous for every conforming decision; a
 * promise only when a policy widens a check-then-insert (see policy.ts).
 */
export type Handler = (ctx: RequestContext, input: Params) => Output | Promise<Output>;

/** An SDK input type after validation: the members the model requires are present. */
export type Valid<T> = { [K in keyof T]: Exclude<T[K], undefined> };

/** An SDK output type as it travels: timestamps are epoch seconds. */
export type Wire<T> = T extends Date
  ? number
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** Epoch seconds (fractional) of a virtual time in ms. */
export const seconds = (ms: number): number => ms / 1000;
