// Ways to make the emulator look non-conforming from the client's side, each
// the mirror of one rule: the checks of that rule must then fail.
import { randomUUID } from 'node:crypto';
import type { ProtonClient } from '@aws-sdk/client-proton';
import type { CheckContext, WireLink } from '../../harness/run/context.ts';
import type { Tamper } from './run-cells.ts';
import { namesMismatch } from '../../specs/mismatch.ts';

type Members = Record<string, unknown>;

/**
 * The context with `tamper` applied to its client and to every client of its wire links (the concurrent-retries
 * checks send through a proxy: harness/wire/server.ts `together`).
 */
function tamperedClients(ctx: CheckContext, tamper: (client: ProtonClient) => void): CheckContext {
  const client = ctx.newClient();
  tamper(client);
  const throughProxy: CheckContext['throughProxy'] = async (...args) => {
    const link = await ctx.throughProxy(...args);
    // The link's getters (deliveries, faults) read the live proxy: kept through the prototype, not copied.
    const tampered = Object.create(link) as WireLink;
    tampered.client = (options) => {
      const linked = link.client(options);
      tamper(linked);
      return linked;
    };
    return tampered;
  };
  return { ...ctx, client, throughProxy };
}

/** A context whose client rewrites each request's input before it is serialized. */
function rewritingInput(ctx: CheckContext, rewrite: (operation: string, input: Members) => Members): CheckContext {
  return tamperedClients(ctx, (client) =>
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? '').replace(/Command$/, '');
        return next({ ...args, input: rewrite(operation, args.input as Members) as typeof args.input });
      },
      { step: 'initialize', name: 'tamperInput' },
    ),
  );
}

/** A context whose client rewrites each answer (output or error) after it is parsed. */
function rewritingAnswer(
  ctx: CheckContext,
  rewrite: (operation: string, input: Members, answer: Promise<Members>) => Promise<Members>,
): CheckContext {
  return tamperedClients(ctx, (client) =>
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? '').replace(/Command$/, '');
        const result = next(args).then((out) => out.output as unknown as Members);
        const output = await rewrite(operation, args.input as Members, result);
        return { output: output as never, response: undefined };
      },
      { step: 'initialize', name: 'tamperAnswer' },
    ),
  );
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
  rewritingInput(ctx, (_operation, input) =>
    typeof input.clientToken === 'string' ? { ...input, clientToken: input.clientToken.toLowerCase() } : input,
  );

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

/** The marker in any of the spellings the contract accepts (docs/CONTRACT.md "The mismatch marker"). */
const MARKER = /idempotent[\s_-]*parameter[\s_-]*mismatch/gi;

/**
 * The mismatch error's marker written as `words` (the error type unchanged);
 * `rewritten.count` counts the answers it changed, so that a test can show
 * the rewording happened.
 */
export function rewordsMismatch(words: string, rewritten: { count: number } = { count: 0 }): Tamper {
  return (ctx) =>
    rewritingAnswer(ctx, async (_operation, _input, answer) => {
      try {
        return await answer;
      } catch (error) {
        if (error instanceof Error && namesMismatch(error.message)) {
          rewritten.count++;
          throw serviceError(error.name, error.message.replace(MARKER, words));
        }
        throw error;
      }
    });
}

/** The mismatch error loses its name: a plain ValidationException. */
export const hidesMismatch: Tamper = rewordsMismatch('parameters differ');

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

/** List items lose the fields that name them and their template (name, templateName, environmentName). */
export const listsAnonymousItems: Tamper = (ctx) =>
  rewritingAnswer(ctx, async (operation, _input, answer) => {
    const output = await answer;
    if (!operation.startsWith('List')) return output;
    return Object.fromEntries(
      Object.entries(output).map(([member, value]) => [
        member,
        Array.isArray(value)
          ? value.map((item: Members) =>
              Object.fromEntries(Object.entries(item).filter(([field]) => !/^(name|templateName|environmentName)$/.test(field))),
            )
          : value,
      ]),
    );
  });

/**
 * A conforming numbering the emulator does not use: a new minor version is
 * max(existing minors of its major) + 1, so a version re-created after the
 * highest one was deleted gets the deleted one's numbers (its createdAt tells
 * them apart). Shown to the client by renumbering on the wire, both ways.
 */
export const reusesVersionNumbers: Tamper = (ctx) => {
  /** Per template: client minor -> server minor, per major; and the reverse. */
  const toServer = new Map<string, string>();
  const toClient = new Map<string, string>();
  const live = new Set<string>();
  const key = (template: unknown, major: unknown, minor: unknown) => `${String(template)} ${String(major)} ${String(minor)}`;
  const isVersion = (value: Members): boolean =>
    typeof value.templateName === 'string' && typeof value.majorVersion === 'string' && typeof value.minorVersion === 'string';
  const renumber = (value: Members, map: Map<string, string>): Members => {
    const minor = map.get(key(value.templateName, value.majorVersion, value.minorVersion));
    if (minor === undefined) return value;
    const arn = typeof value.arn === 'string' ? value.arn.replace(/:(\d+)\.(\d+)$/, `:$1.${minor}`) : value.arn;
    return { ...value, minorVersion: minor, ...(arn === undefined ? {} : { arn }) };
  };
  const created = (version: Members): Members => {
    const server = key(version.templateName, version.majorVersion, version.minorVersion);
    if (!toClient.has(server)) {
      const taken = [...live]
        .filter((k) => k.startsWith(`${String(version.templateName)} ${String(version.majorVersion)} `))
        .map((k) => Number(k.split(' ')[2]));
      const minor = String(taken.length === 0 ? 0 : Math.max(...taken) + 1);
      toClient.set(server, minor);
      toServer.set(key(version.templateName, version.majorVersion, minor), String(version.minorVersion));
      live.add(key(version.templateName, version.majorVersion, minor));
    }
    return renumber(version, toClient);
  };
  const outward = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(outward);
    if (value === null || typeof value !== 'object' || value instanceof Date) return value;
    const members = Object.fromEntries(Object.entries(value as Members).map(([name, member]) => [name, outward(member)]));
    return isVersion(members) ? renumber(members, toClient) : members;
  };
  const tampered = rewritingAnswer(ctx, async (operation, input, answer) => {
    const output = await answer;
    if (/^Create(Environment|Service)TemplateVersion$/.test(operation)) {
      const [member, version] = Object.entries(output).find(([, value]) => value !== null && typeof value === 'object')!;
      return { ...output, [member]: created(version as Members) };
    }
    if (/^Delete(Environment|Service)TemplateVersion$/.test(operation))
      live.delete(key(input.templateName, input.majorVersion, input.minorVersion));
    return outward(output) as Members;
  });
  // After the answer's middleware (which sees the client's numbers): the input as the server numbers it.
  tampered.client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Members;
      return next({ ...args, input: (isVersion(input) ? renumber(input, toServer) : input) as typeof args.input });
    },
    { step: 'initialize', name: 'renumberInput' },
  );
  return tampered;
};

/** A conforming target that refuses (throttles) a create while an identical one is in flight. */
export const throttlesConcurrentDuplicates: Tamper = (ctx) => {
  const inFlight = new Set<string>();
  return rewritingAnswer(ctx, async (operation, input, answer) => {
    const key = `${operation} ${JSON.stringify(input)}`;
    if (!operation.startsWith('Create')) return answer;
    if (inFlight.has(key)) {
      answer.catch(() => undefined);
      throw serviceError('ThrottlingException', 'Rate exceeded (an identical request is in flight)');
    }
    inFlight.add(key);
    try {
      return await answer;
    } finally {
      inFlight.delete(key);
    }
  });
};

/** Every client-token create also leaves a second resource behind (a duplicate under another token). */
export const createsTwice: Tamper = (ctx) => {
  const client = ctx.newClient();
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Members;
      const result = await next(args);
      if ('clientToken' in input)
        await next({ ...args, input: { ...input, clientToken: randomUUID() } as typeof args.input }).catch(() => undefined);
      return result;
    },
    { step: 'initialize', name: 'tamperTwice' },
  );
  return { ...ctx, client };
};

/**
 * Lists as a busy account's offset pages show them: a List's answer (a page)
 * loses one of its items, or shows one twice, at a rate, from a generator
 * seeded with `seed` (`changed.count` counts the pages changed). Nothing the
 * target holds changes: a conforming target seen through it still conforms.
 * Returns what adds this to a client.
 */
export function flakyLists(rate: number, seed: number, changed: { count: number } = { count: 0 }): (client: ProtonClient) => void {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  const rewrite = (output: Members): Members => {
    const member = Object.keys(output).find((key) => Array.isArray(output[key]) && (output[key] as unknown[]).length > 0);
    if (member === undefined || next() >= rate) return output;
    const items = [...(output[member] as unknown[])];
    const at = Math.floor(next() * items.length);
    if (next() < 0.5) items.splice(at, 1);
    else items.splice(at, 0, items[at]);
    changed.count++;
    return { ...output, [member]: items };
  };
  return (client) =>
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? '').replace(/Command$/, '');
        const result = await next(args);
        if (!operation.startsWith('List') || operation === 'ListTagsForResource') return result;
        return { ...result, output: rewrite(result.output as unknown as Members) as never };
      },
      { step: 'initialize', name: 'tamperLists' },
    );
}

/** flakyLists on a fresh client of the cell. */
export function listsFlakily(rate: number, seed: number, changed: { count: number } = { count: 0 }): Tamper {
  const add = flakyLists(rate, seed, changed);
  return (ctx) => {
    const client = ctx.newClient();
    add(client);
    return { ...ctx, client };
  };
}
