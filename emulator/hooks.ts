// The control protocol `proton-conformance-hooks/1` (docs/emulator-hooks.md):
// virtual clock, durations, reset and resource counts, per account, under
// /_conformance/v1/.
import type { AccountState, World } from './accounts.ts';
import { durationsProblem, type Durations } from './durations.ts';
import { accountOf } from './identity.ts';
import { liveValues } from './resources/lifecycle.ts';

export const HOOKS_PREFIX = '/_conformance/v1/';

export const CAPABILITIES = ['clock', 'durations', 'reset', 'counts', 'accounts'] as const;

export interface HookAnswer {
  status: number;
  body: unknown;
}

const fail = (status: number, message: string): HookAnswer => ({ status, body: { message } });

/** Answers one hook request; `path` is the part after HOOKS_PREFIX, without a query. */
export function answerHook(world: World, method: string, path: string, accountHeader: string | undefined, body: Buffer): HookAnswer {
  const account = world.account(accountOf(accountHeader));
  const route = `${method} ${path}`;
  // A variant may offer fewer hooks (policy.ts offersHook): those it lacks are unknown.
  const capability = path === 'clock/advance' ? 'clock' : path;
  if ((CAPABILITIES as readonly string[]).includes(capability) && !world.policy.offersHook(capability)) {
    return fail(404, `No hook ${HOOKS_PREFIX}${path}: this target does not offer the '${capability}' capability`);
  }
  switch (route) {
    case 'GET capabilities':
      return {
        status: 200,
        body: { protocol: 'proton-conformance-hooks', version: 1, capabilities: CAPABILITIES.filter((c) => world.policy.offersHook(c)) },
      };
    case 'GET clock':
      return { status: 200, body: { epochMs: account.clock.now() } };
    case 'POST clock/advance': {
      const request = readJson(body);
      const ms = isObject(request) ? request['ms'] : undefined;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        return fail(400, 'Body must be {"ms": <finite number >= 0>}');
      }
      return { status: 200, body: { epochMs: account.clock.advance(ms) } };
    }
    case 'GET durations':
      return { status: 200, body: { durations: account.durations } };
    case 'PUT durations': {
      const request = readJson(body);
      const durations = isObject(request) ? request['durations'] : undefined;
      const problem = durationsProblem(durations);
      if (problem !== undefined) return fail(400, `Body must be {"durations": {<name>: <ms>}}: ${problem}`);
      Object.assign(account.durations, durations as Partial<Durations>);
      return { status: 200, body: { durations: account.durations } };
    }
    case 'POST reset':
      // Reset wipes an account: never the unsigned default one by accident
      // (the account CLI users work in). The account must be named.
      if (accountHeader === undefined || accountHeader.trim() === '') {
        return fail(
          400,
          `${HOOKS_PREFIX}reset needs the header X-Conformance-Account naming the account to reset (its access key id); an ` +
            'unnamed reset would wipe the default account',
        );
      }
      world.reset(account.id);
      return { status: 200, body: {} };
    case 'GET counts':
      return { status: 200, body: { counts: countsOf(world, account) } };
  }
  const known = ['capabilities', 'clock', 'clock/advance', 'durations', 'reset', 'counts'];
  if (known.includes(path)) return fail(405, `Method ${method} is not allowed on ${HOOKS_PREFIX}${path}`);
  return fail(404, `No hook ${HOOKS_PREFIX}${path} (protocol proton-conformance-hooks/1: see docs/emulator-hooks.md)`);
}

/** The resources of one account, by kind (the counts hook; RunningEmulator.counts sums them over accounts). */
export function countsOf(world: World, account: AccountState): Record<string, number> {
  const now = account.clock.now();
  const versions = (templates: Iterable<{ versions: Map<string, unknown> }>) => [...templates].reduce((n, t) => n + t.versions.size, 0);
  let connections = 0;
  for (const c of world.connections.values()) {
    if (c.environmentAccountId === account.id || c.managementAccountId === account.id) connections += 1;
  }
  return {
    environmentTemplates: account.environmentTemplates.size,
    environmentTemplateVersions: versions(account.environmentTemplates.values()),
    serviceTemplates: account.serviceTemplates.size,
    serviceTemplateVersions: versions(account.serviceTemplates.values()),
    environments: liveValues(account.environments, now).length,
    services: liveValues(account.services, now).length,
    environmentAccountConnections: connections,
  };
}

function readJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
