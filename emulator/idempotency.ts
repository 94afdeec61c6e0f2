// The four idempotency behaviours of the seed, one engine each, shared by
// every operation of the category. Each engine asks the policy (policy.ts)
// and carries out its answers; resource modules only say how to find, create,
// remove and show their resources.
//
// Every engine runs its lookup and its insert or removal without an `await`
// in between (unless a policy asks otherwise), so concurrent identical
// requests are serialized by Node's single thread: exactly one creates.
import type { RequestContext } from './context.ts';
import type { Output, Params } from './policy.ts';
import { validation } from './protocol.ts';

/** client-token: tokens are scoped per account and operation. */
function tokenSlot(operation: string, key: string): string {
  return `${operation}\u0000${key}`;
}

export interface ClientTokenCreate<R> {
  operation: string;
  input: Params;
  /** Whether a resource created earlier still exists. */
  exists(resource: R): boolean;
  /** Creates the resource (all checks done before); must not yield. */
  create(): R;
  /** The operation's answer for a resource, as it is now. */
  answer(resource: R): Output;
}

/** Create APIs with a client token (CreateEnvironmentTemplateVersion, ...). */
export function clientTokenCreate<R>(ctx: RequestContext, spec: ClientTokenCreate<R>): Output | Promise<Output> {
  const { policy, account, now } = ctx;
  const token = spec.input['clientToken'];
  // No token (or an empty one): no idempotency, every call creates.
  if (typeof token !== 'string' || token === '') return spec.answer(spec.create());
  const refused = policy.tokenRefused(token);
  if (refused !== undefined) throw validation(refused);
  const params = policy.comparedParameters(spec.operation, spec.input);
  const key = policy.tokenKey(token, { operation: spec.operation, params, headers: ctx.headers });
  if (key === undefined) return spec.answer(spec.create());
  const slot = tokenSlot(spec.operation, key);
  const bind = (): Output => {
    const resource = spec.create();
    const answer = spec.answer(resource);
    account.tokens.set(slot, { params, issuedAt: now, lastUsedAt: now, resource, answer });
    return answer;
  };
  return policy.checkThenInsert(
    `${account.id}\u0000${slot}`,
    () => {
      const record = account.tokens.get(slot);
      if (record === undefined) return undefined;
      if (now >= policy.tokenExpiresAt(record)) {
        policy.tokenExpired(spec.operation, record);
        account.tokens.delete(slot);
        return undefined;
      }
      const original = record.resource as R;
      const sameParameters = policy.sameParameters(record.params, params);
      if (!spec.exists(original)) return policy.originalGone(spec.operation, record, sameParameters);
      if (!sameParameters) {
        throw policy.mismatchError(spec.operation, `client token ${JSON.stringify(token)} was first used with different parameters`);
      }
      record.lastUsedAt = now;
      return policy.retry({
        operation: spec.operation,
        headers: ctx.headers,
        original: () => spec.answer(original),
        stored: record.answer,
        again: () => spec.answer(spec.create()),
      });
    },
    bind,
  );
}

/** What an idempotent create keeps of its resource. */
export interface CreatedByName {
  /** The compared parameters of the request that created it. */
  readonly createParams: Params;
  /** Successful Updates since creation (those the policy counts as modifications). */
  updateCount: number;
  /** The answer its create got (kept for the policy's questions). */
  createdAnswer?: Output;
}

/** After a successful Update of a resource created by name: counts it as a modification (policy.ts). */
export function recordUpdate(ctx: RequestContext, operation: string, resource: CreatedByName, input: Params): void {
  if (ctx.policy.countsAsModification(operation, input)) resource.updateCount += 1;
}

export interface NameCreate<R extends CreatedByName> {
  operation: string;
  input: Params;
  /** Human name of the resource for messages ("environment template 'x'"). */
  label: string;
  /** The existing resource of this name (including one being deleted). */
  find(): R | undefined;
  deleting(resource: R): boolean;
  /** Checks the request and creates the resource, tagged with its createParams; must not yield. */
  create(createParams: Params): R;
  answer(resource: R): Output;
}

/** Idempotent create APIs, whose identity is the name (CreateEnvironmentTemplate, ...). */
export function nameCreate<R extends CreatedByName>(ctx: RequestContext, spec: NameCreate<R>): Output | Promise<Output> {
  const { policy } = ctx;
  const params = policy.comparedParameters(spec.operation, spec.input);
  const insert = (): Output => {
    const resource = spec.create(params);
    const answer = spec.answer(resource);
    resource.createdAnswer = answer;
    return answer;
  };
  return policy.checkThenInsert(
    `${ctx.account.id}\u0000${spec.operation}\u0000${String(spec.input['name'])}`,
    () => {
      const existing = spec.find();
      if (existing === undefined) return undefined;
      const deleting = spec.deleting(existing);
      const decision = policy.createRetry({
        sameParameters: policy.sameParameters(existing.createParams, params),
        modified: policy.isModified({
          operation: spec.operation,
          updateCount: existing.updateCount,
          created: existing.createdAnswer,
          current: () => spec.answer(existing),
        }),
        deleting,
      });
      if (decision === 'mismatch') {
        throw policy.mismatchError(spec.operation, `${spec.label} already exists, created with different parameters`);
      }
      if (decision === 'conflict') {
        throw policy.conflictError(
          spec.operation,
          deleting
            ? `${spec.label} is being deleted`
            : `${spec.label} was modified after it was created; a retry of its create can't return it`,
        );
      }
      return policy.retry({
        operation: spec.operation,
        headers: ctx.headers,
        original: () => spec.answer(existing),
        stored: existing.createdAnswer,
        again: insert,
      });
    },
    insert,
  );
}

export interface RememberedDelete<R> {
  operation: string;
  /** The identity deletions are remembered under (arn or equivalent). */
  identity: string;
  find(): R | undefined;
  /** The other resources of the kind in the same scope (asked only by the policy's faults). */
  siblings(): R[];
  /** Checks that the resource may go (throws ConflictException otherwise) and removes it. */
  remove(resource: R): void;
  answer(resource: R): Output;
}

/** Idempotent delete APIs (DeleteEnvironmentTemplate, ...). */
export function rememberedDelete<R>(ctx: RequestContext, spec: RememberedDelete<R>): Output {
  const { account, now, policy } = ctx;
  const key = policy.deletionKey(spec.identity);
  const existing = spec.find();
  if (existing === undefined) {
    return policy.deleteRetry({
      operation: spec.operation,
      remembered: account.recall(key, now),
      siblings: () => spec.siblings().map((sibling) => ({ answer: () => spec.answer(sibling), remove: () => spec.remove(sibling) })),
    });
  }
  const answer = spec.answer(existing);
  spec.remove(existing);
  account.remember(key, answer, now);
  return answer;
}

export interface AsyncDelete<R> {
  operation: string;
  /** The resource, if it still exists (being deleted or not). */
  find(): R | undefined;
  deleting(resource: R): boolean;
  /** Starts the deletion (throws ConflictException when it may not start). */
  start(resource: R): void;
  answer(resource: R): Output;
}

/** Asynchronous idempotent delete APIs (DeleteEnvironment, DeleteService). */
export function asyncDelete<R>(ctx: RequestContext, spec: AsyncDelete<R>): Output {
  const { policy } = ctx;
  const existing = spec.find();
  if (existing === undefined) return policy.asyncDeleteAbsent(spec.operation);
  if (!spec.deleting(existing)) {
    spec.start(existing);
    return spec.answer(existing);
  }
  return policy.asyncDeleteRetry({
    operation: spec.operation,
    view: () => spec.answer(existing),
    restart: () => spec.start(existing),
  });
}
