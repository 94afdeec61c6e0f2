// Before anything runs: is anyone listening at the target, and which emulator
// hooks does it offer? One GET of the capabilities document answers both: any
// HTTP answer means reachable; only a well-formed document grants capabilities.
import { Agent } from 'undici';
import { UnreachableError } from './errors.ts';

export const HOOKS_PROTOCOL = 'proton-conformance-hooks';
export const HOOK_NAMES = ['clock', 'durations', 'reset', 'counts', 'accounts'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export interface ProbeOptions {
  /** Whole probe deadline, milliseconds (connect + answer). */
  timeoutMs?: number;
}

/** Capabilities of a reachable target; throws UnreachableError when nothing answers. */
export async function probeTarget(endpoint: string, options: ProbeOptions = {}): Promise<Set<HookName>> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const agent = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connections: 1 });
  try {
    const response = await agent.request({
      origin: new URL(endpoint).origin,
      path: hookPath(endpoint, 'capabilities'),
      method: 'GET',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.body.text().catch(() => '');
    return response.statusCode === 200 ? parseCapabilities(text) : new Set();
  } catch (error) {
    throw new UnreachableError(`target ${endpoint} is unreachable: ${networkReason(error, timeoutMs)}`);
  } finally {
    void agent.close().catch(() => undefined);
  }
}

/** Path of a hook under the endpoint's own path prefix (usually none). */
export function hookPath(endpoint: string, hook: string): string {
  const prefix = new URL(endpoint).pathname.replace(/\/+$/, '');
  return `${prefix}/_conformance/v1/${hook}`;
}

/** Anything but a well-formed capabilities document means: no capabilities. */
export function parseCapabilities(text: string): Set<HookName> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return new Set();
  }
  if (typeof doc !== 'object' || doc === null) return new Set();
  const { protocol, version, capabilities } = doc as Record<string, unknown>;
  if (protocol !== HOOKS_PROTOCOL || version !== 1 || !Array.isArray(capabilities)) return new Set();
  const known = new Set<string>(HOOK_NAMES);
  return new Set(capabilities.filter((c): c is HookName => typeof c === 'string' && known.has(c)));
}

/** "connection refused (ECONNREFUSED)", "DNS lookup failed (ENOTFOUND)", ... */
export function networkReason(error: unknown, timeoutMs: number): string {
  const code = errorCode(error);
  const seconds = `${Math.round(timeoutMs / 100) / 10} s`;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `DNS lookup failed (${code})`;
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return `connection timed out after ${seconds} (${code})`;
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ABORT_ERR':
    case 'TimeoutError':
      return `no answer within ${seconds}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no route to host (${code})`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `connection closed by the target (${code})`;
    default:
      if (code && (code.startsWith('ERR_TLS') || code.startsWith('CERT_') || code === 'EPROTO' || code.includes('SSL'))) {
        return `TLS handshake failed (${code})`;
      }
      return code ? `network error (${code})` : oneLineMessage(error);
  }
}

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { code, name, cause } = e as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof code === 'string' && code) return code;
    if (name === 'TimeoutError') return 'TimeoutError';
    e = cause;
  }
  return undefined;
}

function oneLineMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] || 'unknown network error';
}
