// Hooks (harness/types.ts) over the emulator-hooks protocol
// (docs/emulator-hooks.md), scoped to one account by X-Conformance-Account.
// A hook whose capability the target lacks throws SkipCheck, so a check that
// forgot to `require` it is still reported `skipped`, not failed.
import type { Dispatcher } from 'undici';
import { SkipCheck } from '../types.ts';
import type { Capability, Hooks } from '../types.ts';
import { hookPath } from './probe.ts';

export interface HooksOptions {
  endpoint: string;
  pool: Dispatcher;
  capabilities: ReadonlySet<Capability>;
  /**
   * Access key id naming the account (or how to learn it: the credential
   * chain's, resolved at the first hook call); undefined: the unsigned
   * default account.
   */
  account: string | (() => Promise<string | undefined>) | undefined;
  /** Counts every hook request (the run's request total). */
  onRequest?: () => void;
  signal?: AbortSignal;
}

type Method = 'GET' | 'POST' | 'PUT';

export function createHooks(options: HooksOptions): Hooks {
  let account: Promise<string | undefined> | undefined;
  const accountOf = (): Promise<string | undefined> =>
    (account ??= typeof options.account === 'function' ? options.account() : Promise.resolve(options.account));
  const call = async (method: Method, hook: string, body?: unknown): Promise<Record<string, unknown>> => {
    options.onRequest?.();
    const headers: Record<string, string> = { accept: 'application/json' };
    const named = await accountOf();
    if (named !== undefined) headers['x-conformance-account'] = named;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await options.pool.request({
      origin: new URL(options.endpoint).origin,
      path: hookPath(options.endpoint, hook),
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      signal: options.signal ?? null,
    });
    const text = await response.body.text();
    const parsed = parseObject(text);
    if (response.statusCode >= 300) {
      const message = typeof parsed?.['message'] === 'string' ? parsed['message'] : text.slice(0, 200);
      throw new Error(`hook ${method} ${hook} answered HTTP ${response.statusCode}: ${message}`);
    }
    if (!parsed) throw new Error(`hook ${method} ${hook} answered a body that is not a JSON object`);
    return parsed;
  };
  const need = (capability: Capability): void => {
    if (!options.capabilities.has(capability)) {
      throw new SkipCheck(`the target lacks the '${capability}' capability (emulator hooks)`);
    }
  };
  return {
    capabilities: options.capabilities,
    async now() {
      need('clock');
      return numberField(await call('GET', 'clock'), 'epochMs', 'clock');
    },
    async advance(ms: number) {
      need('clock');
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance: ms must be a finite number >= 0, got ${ms}`);
      return numberField(await call('POST', 'clock/advance', { ms }), 'epochMs', 'clock/advance');
    },
    async getDurations() {
      need('durations');
      return numberMap(await call('GET', 'durations'), 'durations');
    },
    async setDurations(durations: Record<string, number>) {
      need('durations');
      return numberMap(await call('PUT', 'durations', { durations }), 'durations');
    },
    async reset() {
      need('reset');
      await call('POST', 'reset');
    },
    async counts() {
      need('counts');
      return numberMap(await call('GET', 'counts'), 'counts');
    },
  };
}

/** TEXT as a JSON object; undefined when it is not JSON or not an object. */
export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function numberField(doc: Record<string, unknown>, field: string, hook: string): number {
  const value = doc[field];
  if (typeof value !== 'number') throw new Error(`hook ${hook}: '${field}' is not a number`);
  return value;
}

/** `{"durations": {...}}`; PUT durations may also answer the bare map. */
function numberMap(doc: Record<string, unknown>, field: string): Record<string, number> {
  const inner = doc[field];
  const map = typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : doc;
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(map)) {
    if (typeof value !== 'number') throw new Error(`hook ${field}: '${key}' is not a number`);
    out[key] = value;
  }
  return out;
}
