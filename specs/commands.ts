// Generic SDK calls: the command constructor is looked up by operation name in
// @aws-sdk/client-proton, so that specs name operations as data and every
// call still goes through the SDK's own serializer and retry strategy.
import * as sdk from '@aws-sdk/client-proton';
import type { ProtonClient } from '@aws-sdk/client-proton';
import type { Input } from './types.ts';

type Sdk = typeof sdk;

/**
 * Every operation of the Proton API, as the SDK names its commands
 * (`CreateEnvironmentCommand` -> `CreateEnvironment`): specs and suites name
 * operations with it, so that a misspelled one does not typecheck.
 */
export type ProtonOperation = { [K in keyof Sdk]: K extends `${infer Name}Command` ? (Name extends '$' ? never : Name) : never }[keyof Sdk];

type AnyCommand = Parameters<ProtonClient['send']>[0];
type CommandConstructor = new (input: Input) => AnyCommand;

const constructors = new Map<string, CommandConstructor>();

/** The SDK command class of an operation (`CreateEnvironmentCommand` for `CreateEnvironment`). */
export function commandFor(operation: ProtonOperation): CommandConstructor {
  const known = constructors.get(operation);
  if (known) return known;
  const found: unknown = (sdk as Record<string, unknown>)[`${operation}Command`];
  if (typeof found !== 'function') throw new Error(`@aws-sdk/client-proton has no command for operation ${operation}`);
  const ctor = found as CommandConstructor;
  constructors.set(operation, ctor);
  return ctor;
}

/** Sends one operation; resolves with the output members ($metadata removed). */
export async function send(client: ProtonClient, operation: ProtonOperation, input: Input, signal?: AbortSignal): Promise<Input> {
  const Command = commandFor(operation);
  // No per-call options: the SDK then reuses the client's resolved middleware
  // stack (cacheMiddleware) instead of rebuilding it on every call, a third
  // of the suite's CPU. Requests in flight abort with the cell in the harness's
  // request handler; the signal is still honoured before sending.
  signal?.throwIfAborted();
  const output: object = await client.send(new Command(input));
  return Object.fromEntries(Object.entries(output).filter(([member]) => member !== '$metadata'));
}

/** An error response, as a check needs it. */
export interface CallError {
  /** Error type: `ValidationException`, `ConflictException`, ... */
  name: string;
  message: string;
  /** HTTP status, when a response arrived. */
  status: number | undefined;
}

export type CallResult = { ok: true; output: Input } | { ok: false; error: CallError };

/**
 * Like send, but an error response (or a network failure) is a value, not an
 * exception. Not an answer, and so thrown on: the harness's word that the
 * step cannot be judged (an InconclusiveCheck, e.g. when the target's
 * transient answers outlasted the step's retry budget) or that the check
 * lacks a capability (SkipCheck).
 */
export async function attempt(client: ProtonClient, operation: ProtonOperation, input: Input, signal?: AbortSignal): Promise<CallResult> {
  try {
    return { ok: true, output: await send(client, operation, input, signal) };
  } catch (thrown) {
    if (isVerdictSignal(thrown)) throw thrown;
    return { ok: false, error: toCallError(thrown) };
  }
}

/** The harness's InconclusiveCheck or SkipCheck (harness/types.ts), known by name. */
export function isVerdictSignal(thrown: unknown): boolean {
  return thrown instanceof Error && (thrown.name === 'InconclusiveCheck' || thrown.name === 'SkipCheck');
}

export function toCallError(thrown: unknown): CallError {
  if (thrown instanceof Error) {
    const metadata = (thrown as { $metadata?: { httpStatusCode?: number } }).$metadata;
    return { name: thrown.name, message: thrown.message, status: metadata?.httpStatusCode };
  }
  return { name: 'Error', message: String(thrown), status: undefined };
}
