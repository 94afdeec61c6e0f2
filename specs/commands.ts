// Generic SDK calls: the command constructor is looked up by operation name in
// @aws-sdk/client-proton, so that specs name operations as data and every
// call still goes through the SDK's own serializer and retry strategy.
import * as sdk from '@aws-sdk/client-proton';
import type { ProtonClient } from '@aws-sdk/client-proton';
import type { Input } from './types.ts';

type AnyCommand = Parameters<ProtonClient['send']>[0];
type CommandConstructor = new (input: Input) => AnyCommand;

const constructors = new Map<string, CommandConstructor>();

/** The SDK command class of an operation (`CreateEnvironmentCommand` for `CreateEnvironment`). */
export function commandFor(operation: string): CommandConstructor {
  const known = constructors.get(operation);
  if (known) return known;
  const found: unknown = (sdk as Record<string, unknown>)[`${operation}Command`];
  if (typeof found !== 'function') throw new Error(`@aws-sdk/client-proton has no command for operation ${operation}`);
  const ctor = found as CommandConstructor;
  constructors.set(operation, ctor);
  return ctor;
}

/** Sends one operation; resolves with the output members ($metadata removed). */
export async function send(client: ProtonClient, operation: string, input: Input, signal?: AbortSignal): Promise<Input> {
  const Command = commandFor(operation);
  const output = (await client.send(new Command(input), signal ? { abortSignal: signal } : {})) as unknown as Input;
  const { $metadata: _metadata, ...members } = output;
  return members;
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

/** Like send, but an error response (or a network failure) is a value, not an exception. */
export async function attempt(client: ProtonClient, operation: string, input: Input, signal?: AbortSignal): Promise<CallResult> {
  try {
    return { ok: true, output: await send(client, operation, input, signal) };
  } catch (thrown) {
    return { ok: false, error: toCallError(thrown) };
  }
}

export function toCallError(thrown: unknown): CallError {
  if (thrown instanceof Error) {
    const metadata = (thrown as { $metadata?: { httpStatusCode?: number } }).$metadata;
    return { name: thrown.name, message: thrown.message, status: metadata?.httpStatusCode };
  }
  return { name: 'Error', message: String(thrown), status: undefined };
}
