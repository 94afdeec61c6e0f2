// Before anything runs: is anyone listening at the target, and which emulator
// hooks does it offer? One GET of the capabilities document answers both: any
// HTTP answer means reachable; only a well-formed document grants capabilities.
import { Agent } from 'undici';
import { UnreachableError } from '../errors.ts';

export const HOOKS_PROTOCOL = 'proton-conformance-hooks';
export const HOOK_NAMES = ['clock', 'durations', 'reset', 'counts', 'accounts'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export interface ProbeOptions {
  /** Whole probe deadline, milliseconds (connect + answer). */
  timeoutMs?: number;
}

/** What the capabilities path answered: whether it is the hooks protocol (an emulator), and which hooks it offers. */
export interface HooksProbe {
  /** A well-formed version 1 document: the target speaks the hooks protocol, so it is an emulator, never a real account. */
  emulator: boolean;
  hooks: Set<HookName>;
  /** The answer in a few words, for messages ("HTTP 404"). */
  answer: string;
}

/** Capabilities of a reachable target; throws UnreachableError when nothing answers. */
export async function probeTarget(endpoint: string, options: ProbeOptions = {}): Promise<Set<HookName>> {
  return (await probeHooks(endpoint, options)).hooks;
}

/**
 * One GET of the capabilities path: harmless anywhere (a real account answers
 * it as an unknown path, and nothing is signed or created). Throws
 * UnreachableError when nothing answers.
 */
export async function probeHooks(endpoint: string, options: ProbeOptions = {}): Promise<HooksProbe> {
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
    const hooks = response.statusCode === 200 ? capabilitiesDocument(text) : undefined;
    const answer = `HTTP ${response.statusCode}${response.statusCode === 200 && hooks === undefined ? ', not its version 1 document' : ''}`;
    return { emulator: hooks !== undefined, hooks: hooks ?? new Set(), answer };
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
  return capabilitiesDocument(text) ?? new Set();
}

/** The hooks a well-formed capabilities document (protocol proton-conformance-hooks, version 1) offers; undefined for anything else. */
export function capabilitiesDocument(text: string): Set<HookName> | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const { protocol, version, capabilities } = doc as Record<string, unknown>;
  if (protocol !== HOOKS_PROTOCOL || version !== 1 || !Array.isArray(capabilities)) return undefined;
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

/** Error types that mean "these credentials are not accepted": a configuration error, not a verdict. */
export const AUTH_FAILURES: ReadonlySet<string> = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'InvalidClientTokenId',
  'MissingAuthenticationTokenException',
  'MissingAuthenticationToken',
  'ExpiredTokenException',
  'ExpiredToken',
  'SignatureDoesNotMatch',
]);

/** Error types that mean "this endpoint does not serve the Proton API here". */
const NOT_PROTON = new Set(['UnknownOperationException', 'UnknownOperation', 'InvalidAction']);

export type ProtocolVerdict = { kind: 'proton' } | { kind: 'not-proton'; what: string } | { kind: 'auth'; what: string };

/**
 * Judges one answer to ListEnvironmentTemplates: AWS JSON 1.0 (a JSON object
 * body; an error named by `__type` or X-Amzn-ErrorType) is the protocol,
 * whatever it says; anything else (an HTML page, a redirect, an empty 404)
 * never spoke it. An error naming an unknown operation is not Proton (a
 * path on the endpoint, another service); one refusing the signature is
 * a credentials problem.
 */
export function judgeProtocolAnswer(status: number, headers: Record<string, string>, body: string): ProtocolVerdict {
  const contentType = (headers['content-type'] ?? '').split(';')[0]!.trim();
  const typeText = contentType === '' ? 'no content type' : contentType;
  let parsed: unknown;
  try {
    parsed = body.trim() === '' ? undefined : JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const object = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  const jsonType = /json/i.test(contentType);
  const snippet = body.trim() === '' ? 'an empty body' : JSON.stringify(body.trim().replace(/\s+/g, ' ').slice(0, 60));
  const raw = `HTTP ${status} ${typeText}, ${snippet}`;
  if (object === undefined || !jsonType) return { kind: 'not-proton', what: `${raw} (not AWS JSON 1.0)` };
  if (status >= 200 && status < 300) {
    return Array.isArray(object['templates']) ? { kind: 'proton' } : { kind: 'not-proton', what: `${raw} (no 'templates' list)` };
  }
  const header = headers['x-amzn-errortype'];
  const named = header
    ? header.split(':')[0]
    : typeof object['__type'] === 'string'
      ? object['__type']
      : typeof object['code'] === 'string'
        ? object['code']
        : undefined;
  if (named === undefined || status < 300) return { kind: 'not-proton', what: `${raw} (no error type)` };
  const type = named.slice(named.lastIndexOf('#') + 1);
  const message =
    typeof object['message'] === 'string' ? object['message'] : typeof object['Message'] === 'string' ? object['Message'] : '';
  const what = `HTTP ${status} ${type}${message ? ` (${message.split('\n')[0]!.slice(0, 120)})` : ''}`;
  if (NOT_PROTON.has(type)) return { kind: 'not-proton', what };
  if (AUTH_FAILURES.has(type)) return { kind: 'auth', what };
  return { kind: 'proton' };
}
