// Sending creates and deletes the way every engine does, and reading what a
// create answered in the contract's terms (a new resource, the original, a
// mismatch, a conflict, anything else).
import { randomUUID } from 'node:crypto';
import type { ProtonClient } from '@aws-sdk/client-proton';
import type { CheckContext } from '../../harness/run/context.ts';
import { attempt } from '../../specs/commands.ts';
import type { CallResult } from '../../specs/commands.ts';
import { withRunTags } from '../../specs/operations/index.ts';
import type { CreateOperationSpec, DeleteOperationSpec, Fixture, Input, OperationName, Resource, ResourceSpec } from '../../specs/types.ts';
import { describe, identityKey } from './compare.ts';
import type { Observed } from './contract-model.ts';
import { carried } from './observe.ts';
import { isMismatchError } from '../../specs/mismatch.ts';
import { settle } from '../../specs/prerequisites.ts';
import { specEnv, track } from './world.ts';
import { Violation } from './verdict.ts';

/** A token unique to this call: 36 characters of [0-9a-f-], within the contract's 1-64 printable. */
export function freshToken(): string {
  return randomUUID();
}

/** The base input of a create, with the run's tags. */
export function baseInput(ctx: CheckContext, spec: CreateOperationSpec, fx: Fixture, name: string): Input {
  return withRunTags(spec.input(fx, name), ctx.tags);
}

/** The input a delete entry's pairing sends to make a resource to delete. */
export function pairingInput(ctx: CheckContext, spec: DeleteOperationSpec, fx: Fixture, name: string): Input {
  return withRunTags(spec.create.input(fx, name), ctx.tags);
}

export function withToken(input: Input, token: string | undefined): Input {
  return token === undefined ? input : { ...input, clientToken: token };
}

export function sendCreate(
  ctx: CheckContext,
  operation: OperationName,
  input: Input,
  token?: string,
  client: ProtonClient = ctx.client,
): Promise<CallResult> {
  return attempt(client, operation, withToken(input, token), ctx.signal);
}

/** The resource a request that must succeed created; a Violation naming `what` otherwise. */
export function created(ctx: CheckContext, spec: ResourceSpec, result: CallResult, what: string): Resource {
  if (!result.ok) throw new Violation(`${what} failed with ${result.error.name}: ${result.error.message}`);
  const resource = carried(spec, result.output);
  if (!resource) throw new Violation(`${what} succeeded without the resource in its response (no ${spec.member}).`);
  track(ctx, spec, resource);
  return resource;
}

/** Creates what a delete entry deletes (a Violation if that fails), and waits until it has settled. */
export async function createToDelete(ctx: CheckContext, spec: DeleteOperationSpec, fx: Fixture, hint: string): Promise<Resource> {
  const input = pairingInput(ctx, spec, fx, ctx.uniqueName(hint));
  // A client-token create without a token: the SDK supplies one.
  const result = await sendCreate(ctx, spec.create.operation, input);
  const resource = created(ctx, spec.resource, result, `${spec.create.operation} (the pairing, a valid first request)`);
  return settle(specEnv(ctx), spec.resource, resource);
}

/**
 * Whether an error may answer one of identical requests sent at once while
 * another of them succeeds: a refusal (throttled, conflict, in progress,
 * unavailable, ...) is conforming. A ValidationException is not: it calls
 * invalid (or mismatched) a request whose identical twin succeeded.
 */
export function refusesDuplicate(result: CallResult): boolean {
  return !result.ok && result.error.name !== 'ValidationException';
}

/** A ValidationException naming the idempotent parameter mismatch (specs/mismatch.ts). */
export function isMismatch(result: CallResult): boolean {
  return !result.ok && isMismatchError(result.error.name, result.error.message);
}

/** What a check has seen of one kind of resource, by identity key (identity and creation time: compare.ts). */
export interface Seen {
  /** Resources it believes exist. */
  live: ReadonlySet<string>;
  /** Resources it deleted. */
  deleted: ReadonlySet<string>;
}

/**
 * What a create answered, in the contract model's terms. `original`: the key
 * of the resource the token (or name) was bound to, whatever was predicted,
 * so that an answer naming it is called the original even where a new
 * resource was due. A resource re-created under a deleted one's name or
 * numbers is new: its creation time differs (the key holds it).
 */
export function classify(spec: ResourceSpec, result: CallResult, original: string | undefined, seen: Seen): Observed {
  if (!result.ok) {
    if (isMismatch(result)) return { kind: 'mismatch' };
    if (result.error.name === 'ConflictException') return { kind: 'conflict' };
    return { kind: 'error', name: result.error.name, message: result.error.message };
  }
  const resource = carried(spec, result.output);
  if (!resource) return { kind: 'error', name: 'EmptyResponse', message: `the response carries no ${spec.member}` };
  const key = identityKey(spec, resource);
  if (seen.deleted.has(key)) return { kind: 'deleted', key };
  if (key === original) return { kind: 'original', key };
  if (seen.live.has(key)) return { kind: 'other', key };
  return { kind: 'new' };
}

/** Short text of a call's answer for reasons. */
export function answerText(spec: ResourceSpec, result: CallResult): string {
  if (!result.ok) return `${result.error.name}: ${result.error.message}`;
  const resource = carried(spec, result.output);
  return resource ? `success naming ${describe(spec, resource)}` : 'success with an empty response';
}
