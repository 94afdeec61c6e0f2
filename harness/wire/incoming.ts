// A client's request as the wire proxy (harness/wire/proxy.ts) reads it and
// forwards it: its head less the headers of the client's connection, and what
// the proxy takes from it (the operation, the SDK's attempt and invocation).
import type { ProxyRequest } from './http1.ts';

/** Headers that belong to one connection, never forwarded. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);

const NEEDS_LENGTH = new Set(['POST', 'PUT', 'PATCH']);

/** A request as the proxy forwards it, read from the client's header lines in one pass. */
export interface Incoming {
  method: string;
  /** Its request line and header lines (the client's, less those of its connection), without the final empty line. */
  head: string;
  body: Buffer;
  /** X-Amz-Target, amz-sdk-request and amz-sdk-invocation-id, as req.headers would have them (repeats joined with ', '). */
  target: string | undefined;
  attempt: string | undefined;
  invocation: string | undefined;
}

export function incoming(req: ProxyRequest): Incoming {
  const { method, body } = req;
  const raw = req.rawHeaders;
  let head = `${method} ${req.url} HTTP/1.1\r\n`;
  let target: string | undefined;
  let attempt: string | undefined;
  let invocation: string | undefined;
  let length = false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    head += `${name}: ${value}\r\n`;
    if (lower === 'x-amz-target') target = target === undefined ? value : `${target}, ${value}`;
    else if (lower === 'amz-sdk-request') attempt = attempt === undefined ? value : `${attempt}, ${value}`;
    else if (lower === 'amz-sdk-invocation-id') invocation = invocation === undefined ? value : `${invocation}, ${value}`;
    else if (lower === 'content-length') length = true;
  }
  // A body the client sent chunked (Transfer-Encoding is its connection's) goes on with its length.
  if (!length && (body.length > 0 || NEEDS_LENGTH.has(method))) head += `content-length: ${body.length}\r\n`;
  return { method, head, body, target, attempt, invocation };
}

/** Operation names seen, each kept once as a string of its own (a slice of a request's head would keep the whole head). */
const OPERATIONS = new Map<string, string>();

/** "CreateEnvironmentTemplate" for X-Amz-Target AwsProton20200720.CreateEnvironmentTemplate; "METHOD /path" without one. */
export function operationOf(amzTarget: string | undefined, req: ProxyRequest): string {
  const name = (amzTarget === undefined ? '' : amzTarget.slice(amzTarget.indexOf('.') + 1)) || `${req.method} ${req.url}`;
  const known = OPERATIONS.get(name);
  if (known !== undefined) return known;
  const own = Buffer.from(name, 'latin1').toString('latin1');
  if (OPERATIONS.size < 1_000) OPERATIONS.set(own, own);
  return own;
}

/** The SDK's attempt number from amz-sdk-request ("attempt=2; max=3"), 1 when absent. */
export function attemptOf(value: string | undefined): number {
  const match = value === undefined ? null : /attempt=(\d+)/.exec(value);
  return match ? Number(match[1]) : 1;
}
