// Ways to make the emulator look non-conforming from the client's side, each
// the mirror of one rule: the checks of that rule must then fail.
import { randomUUID } from 'node:crypto';
import type { ProtonClient } from '@aws-sdk/client-proton';
import type { CheckContext } from '../../harness/context.ts';
import type { Tamper } from './run-cells.ts';

type Members = Record<string, unknown>;

/** A context whose client rewrites each request's input before it is serialized. */
function rewritingInput(ctx: CheckContext, rewrite: (operation: string, input: Members) => Members): CheckContext {
  const client = ctx.newClient();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      return next({ ...args, input: rewrite(operation, args.input as Members) as typeof args.input });
    },
    { step: 'initialize', name: 'tamperInput' },
  );
  return { ...ctx, client };
}

/** A context whose client rewrites each answer (output or error) after it is parsed. */
function rewritingAnswer(ctx: CheckContext, rewrite: (operation: string, input: Members, answer: Promise<Members>) => Promise<Members>): CheckContext {
  const client: ProtonClient = ctx.newClient();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      const result = next(args).then((out) => out.output as unknown as Members);
      const output = await rewrite(operation, args.input as Members, result);
      return { output: output as never, response: undefined };
    },
    { step: 'initialize', name: 'tamperAnswer' },
  );
  return { ...ctx, client };
}

function serviceError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** The target ignores client tokens: every request is a first request. */
export const ignoresTokens: Tamper = (ctx) =>
  rewritingInput(ctx, (_operation, input) => ('clientToken' in input ? { ...input, clientToken: randomUUID() } : input));

/** The target folds tokens to lower case. */
export const foldsTokenCase: Tamper = (ctx) =>
  rewritingInput(ctx, (_operation, input) => (typeof input.clientToken === 'string' ? { ...input, clientToken: input.clientToken.toLowerCase() } : input));

/** The target forgets a token as soon as the clock moves (expiry far too early). */
export const forgetsTokensWhenTimePasses: Tamper = (ctx) => {
  let epoch = 0;
  const hooks = ctx.hooks && {
    ...ctx.hooks,
    capabilities: ctx.hooks.capabilities,
    async advance(ms: number) {
      epoch++;
      return ctx.hooks!.advance(ms);
    },
  };
  const inner = rewritingInput(ctx, (_operation, input) =>
    typeof input.clientToken === 'string' && epoch > 0 ? { ...input, clientToken: `${input.clientToken.slice(0, 50)}~${epoch}` } : input,
  );
  return { ...inner, hooks };
};

/** The mismatch error loses its name: a plain ValidationException. */
export const hidesMismatch: Tamper = (ctx) =>
  rewritingAnswer(ctx, async (_operation, _input, answer) => {
    try {
      return await answer;
    } catch (error) {
      if (error instanceof Error && error.message.includes('IdempotentParameterMismatch')) {
        throw serviceError(error.name, error.message.replace('IdempotentParameterMismatch', 'parameters differ'));
      }
      throw error;
    }
  });

/** A retry of a modified resource's create succeeds instead of ConflictException. */
export const conflictBecomesValidation: Tamper = (ctx) =>
  rewritingAnswer(ctx, async (_operation, _input, answer) => {
    try {
      return await answer;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConflictException') throw serviceError('ValidationException', error.message);
      throw error;
    }
  });

/** A delete retry answers ResourceNotFoundException. */
export const deleteRetryNotFound: Tamper = (ctx) => {
  const deleted = new Set<string>();
  return rewritingAnswer(ctx, async (operation, input, answer) => {
    const key = `${operation} ${JSON.stringify(input)}`;
    if (operation.startsWith('Delete') && deleted.has(key)) throw serviceError('ResourceNotFoundException', 'not found (tampered)');
    const output = await answer;
    if (operation.startsWith('Delete')) deleted.add(key);
    return output;
  });
};

/** A delete retry while the deletion is in progress answers an empty response. */
export const asyncRetryEmpty: Tamper = (ctx) => {
  const seen = new Set<string>();
  return rewritingAnswer(ctx, async (operation, input, answer) => {
    const output = await answer;
    const key = `${operation} ${JSON.stringify(input)}`;
    if (!operation.startsWith('Delete')) return output;
    if (!seen.has(key)) {
      seen.add(key);
      return output;
    }
    return {};
  });
};

/** Every client-token create also leaves a second resource behind (a duplicate under another token). */
export const createsTwice: Tamper = (ctx) => {
  const client = ctx.newClient();
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Members;
      const result = await next(args);
      if ('clientToken' in input) await next({ ...args, input: { ...input, clientToken: randomUUID() } as typeof args.input }).catch(() => undefined);
      return result;
    },
    { step: 'initialize', name: 'tamperTwice' },
  );
  return { ...ctx, client };
};
