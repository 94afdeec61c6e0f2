// One request of the parity comparison on the wire: the corpus's input as it
// is (AWS JSON 1.0, no member added or dropped, no token filled in), signed
// with SigV4 as the SDK signs it, sent with undici; the raw answer read as a
// ParityAnswer. Weather (a throttle, a 5xx, a network failure:
// harness/client/weather.ts) is sent again, the same bytes, with backoff;
// an answer that never gets past it is no answer (`weather`), never a
// difference.
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, SourceData } from '@smithy/types';
import type { Dispatcher } from 'undici';
import type { CredentialsProvider } from '../harness/target/target.ts';
import { transientAnswer, transientFailure } from '../harness/client/weather.ts';
import { flattenHeaders } from '../harness/target/http.ts';
import { backoff, sleep } from '../harness/pace.ts';
import type { ParityAnswer } from './types.ts';

const TARGET_PREFIX = 'AwsProton20200720.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
/**
 * Sends of one request through weather, at most (the first included): more
 * than the suite's ten retries a step (harness/client/weather.ts), as a
 * comparison has no other way through a step. At the emulator's weather
 * presets together (a create fails 28% of the time) sixteen fail in a row once
 * in a billion steps; with the backoff a step waits at most about 25 s.
 */
export const WEATHER_ATTEMPTS = 16;
/** The secret of the local default: an emulator in open mode takes any signature, and reads the account from the key id. */
const LOCAL_SECRET = 'proton-conformance-parity';
const WEATHER_BACKOFF = { baseMs: 50, factor: 2, capMs: 2_000, jitter: [0.5, 1] as const };

class Sha256 implements Checksum {
  private readonly hash;

  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }

  update(data: Uint8Array): void {
    this.hash.update(data);
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    throw new Error('not used by SignatureV4');
  }
}

function toBytes(data: SourceData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

export interface SendContext {
  endpoint: string;
  pool: Dispatcher;
  region: string;
  /** The access key id: with the accounts hook, it names the sequence's account. */
  accessKeyId: string;
  /** The standard chain's credentials (parity/targets.ts): when given, requests are signed with them, not with accessKeyId. */
  credentials?: CredentialsProvider;
  signal?: AbortSignal;
  /** Sends through weather at most (default WEATHER_ATTEMPTS). */
  weatherAttempts?: number;
}

export interface Sent {
  answer?: ParityAnswer;
  /** Set when every attempt met weather: what the last one met. */
  weather?: string;
  /** Requests put on the wire (weather retries included). */
  requests: number;
}

/** The error type a client sees: the body's `__type` with its namespace (cut at a `:`), else the x-amzn-ErrorType header. */
export function errorTypeOf(headers: Record<string, string>, body: unknown): string | undefined {
  const named = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['__type'] : undefined;
  const type = typeof named === 'string' && named !== '' ? named : headers['x-amzn-errortype'];
  return type === undefined || type === '' ? undefined : type.split(':')[0];
}

function parse(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** One signed attempt; a network failure rejects. */
async function attempt(context: SendContext, operation: string, body: string) {
  const url = new URL(context.endpoint);
  const signer = new SignatureV4({
    service: 'proton',
    region: context.region,
    credentials: context.credentials ?? { accessKeyId: context.accessKeyId, secretAccessKey: LOCAL_SECRET },
    sha256: Sha256,
  });
  const path = url.pathname === '' ? '/' : url.pathname;
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    path,
    query: {},
    headers: { host: url.host, 'content-type': CONTENT_TYPE, 'x-amz-target': `${TARGET_PREFIX}${operation}` },
    body,
  });
  const response = await context.pool.request({
    origin: url.origin,
    path,
    method: 'POST',
    headers: signed.headers as Record<string, string>,
    body,
    signal: context.signal ?? null,
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: flattenHeaders(response.headers), text };
}

/** The request of `operation` with `input`, through the weather. */
export async function sendStep(context: SendContext, operation: string, input: Record<string, unknown>): Promise<Sent> {
  const body = JSON.stringify(input);
  let met = '';
  for (let n = 1; ; n++) {
    try {
      const { status, headers, text } = await attempt(context, operation, body);
      const kind = transientAnswer(status, headers, text);
      if (kind === undefined) {
        const parsed = parse(text);
        const errorType = status >= 300 ? errorTypeOf(headers, parsed) : undefined;
        return { answer: { status, ...(errorType === undefined ? {} : { errorType }), body: parsed }, requests: n };
      }
      met = `${kind} (HTTP ${status})`;
    } catch (error) {
      if (!transientFailure(error)) throw error;
      met = `network: ${(error as Error).message}`;
    }
    if (n >= (context.weatherAttempts ?? WEATHER_ATTEMPTS)) return { weather: `${met} after ${n} attempts`, requests: n };
    await sleep(backoff(WEATHER_BACKOFF, n), context.signal);
  }
}
