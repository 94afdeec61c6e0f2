// The SDK's request handler for conformance clients: sends each attempt over
// the run's undici pool, records it (raw, redacted later), and can hide a
// response the target has already processed, so that the SDK's own retry
// strategy resends the same serialized request (ClientOptions.loseResponses).
import type { HttpHandlerOptions, HttpRequest, HttpResponse } from '@smithy/types';
import type { Dispatcher } from 'undici';
import { flattenHeaders } from './http.ts';
import type { ExchangeSink, RawExchange } from './recorder.ts';

export interface RecordingHandlerOptions {
  pool: Dispatcher;
  sink: ExchangeSink;
  /** Hide the response of attempts 1..N of every call (0: none). */
  loseResponses?: number;
  /** The cell's current signal (read per request): aborting it cancels requests in flight. */
  signal?: () => AbortSignal | undefined;
  /** Resolves when the cell may send (e.g. once it runs alone); undefined: at once. */
  gate?: () => Promise<void> | undefined;
}

const TARGET_PREFIX = /^[^.]*\./;

export class RecordingHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private readonly loseResponses: number;

  constructor(private readonly options: RecordingHandlerOptions) {
    this.loseResponses = options.loseResponses ?? 0;
  }

  async handle(request: HttpRequest, handlerOptions: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const gate = this.options.gate?.();
    if (gate) await gate;
    const headers = stringHeaders(request.headers);
    const requestBody = bodyText(request.body);
    const exchange: RawExchange = {
      operation: (headers['x-amz-target'] ?? '').replace(TARGET_PREFIX, '') || `${request.method} ${request.path}`,
      requestHeaders: headers,
      requestBody,
      startedAt: Date.now(),
      durationMs: 0,
    };
    const started = performance.now();
    try {
      const answer = await this.options.pool.request({
        origin: `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`,
        path: pathWithQuery(request),
        method: request.method as Dispatcher.HttpMethod,
        headers,
        body: requestBody === '' ? null : requestBody,
        signal: this.signalFor(handlerOptions) ?? null,
      });
      const buffer = Buffer.from(await answer.body.arrayBuffer());
      const responseHeaders = flattenHeaders(answer.headers);
      exchange.durationMs = performance.now() - started;
      exchange.response = { status: answer.statusCode, headers: responseHeaders, body: buffer.toString('utf8') };
      if (attemptOf(headers) <= this.loseResponses) {
        exchange.lost = true;
        exchange.error = `response lost on purpose (the target answered HTTP ${answer.statusCode}; the client was shown ECONNRESET)`;
        this.options.sink.record(exchange);
        throw lostResponse();
      }
      this.options.sink.record(exchange);
      // A Uint8Array body: the SDK's collectBody takes it as is (no stream).
      return { response: { statusCode: answer.statusCode, headers: responseHeaders, body: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) } };
    } catch (error) {
      if (!exchange.lost) {
        exchange.durationMs = performance.now() - started;
        exchange.error = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
        this.options.sink.record(exchange);
      }
      throw error;
    }
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {}

  private signalFor(handlerOptions: HttpHandlerOptions): AbortSignal | undefined {
    const sdk = handlerOptions.abortSignal instanceof AbortSignal ? handlerOptions.abortSignal : undefined;
    const cell = this.options.signal?.();
    // Checks usually pass the cell's own signal: no need to combine it.
    if (sdk && cell && sdk !== cell) return AbortSignal.any([sdk, cell]);
    return sdk ?? cell;
  }
}

/** What a dropped connection looks like to the SDK: a transient, retryable error. */
function lostResponse(): Error {
  return Object.assign(new Error('socket hang up (response lost on purpose by the conformance harness)'), { code: 'ECONNRESET' });
}

/** The SDK's attempt number (`amz-sdk-request: attempt=2; max=3`); 1 when absent. */
export function attemptOf(headers: Record<string, string>): number {
  const match = /attempt=(\d+)/.exec(headers['amz-sdk-request'] ?? '');
  return match ? Number(match[1]) : 1;
}

function stringHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = String(value);
  return out;
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  throw new TypeError('conformance clients send JSON bodies only (got a stream)');
}

function pathWithQuery(request: HttpRequest): string {
  const query = request.query ?? {};
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
    for (const v of values) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(v)}`);
  }
  return parts.length ? `${request.path}?${parts.join('&')}` : request.path;
}
