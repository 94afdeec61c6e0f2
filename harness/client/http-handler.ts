// The SDK's request handler for conformance clients: sends each attempt over
// the run's undici pool, records it (raw, redacted later), sends the same
// bytes again after a transient answer (harness/client/weather.ts), and can hide a
// response the target has already processed, so that the SDK's own retry
// strategy resends the same serialized request (ClientOptions.loseResponses).
import type { HttpHandlerOptions, HttpRequest, HttpResponse } from '@smithy/types';
import type { Dispatcher } from 'undici';
import { flattenHeaders } from '../target/http.ts';
import type { ExchangeSink, RawExchange } from './recorder.ts';
import { sleep } from '../pace.ts';
import { INJECTED_HEADER, answerErrorType, retryAfterMs, transientAnswer, transientFailure } from './weather.ts';
import type { CellWeather } from './weather.ts';

export interface RecordingHandlerOptions {
  pool: Dispatcher;
  sink: ExchangeSink;
  /** Hide the response of attempts 1..N of every call (0: none). */
  loseResponses?: number;
  /** The cell's current signal (read per request): aborting it cancels requests in flight. */
  signal?: () => AbortSignal | undefined;
  /** Resolves when the cell may send this operation (once it runs alone; room under --max-live-resources); undefined: at once. */
  gate?: (operation: string, signal: AbortSignal | undefined) => Promise<void> | undefined;
  /** The cell's weather: transient answers are retried within its budget (absent: passed on to the SDK). */
  weather?: CellWeather;
  /**
   * Where to connect instead of the endpoint (a wire proxy, plain HTTP on
   * loopback): the request stays the one the SDK signed for the endpoint,
   * its Host header included, so that the proxy forwards it as it is.
   */
  connectTo?: string;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  buffer: Buffer;
}

const TARGET_PREFIX = /^[^.]*\./;

export class RecordingHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private readonly loseResponses: number;

  constructor(private readonly options: RecordingHandlerOptions) {
    this.loseResponses = options.loseResponses ?? 0;
  }

  async handle(request: HttpRequest, handlerOptions: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const headers = stringHeaders(request.headers);
    const operation = (headers['x-amz-target'] ?? '').replace(TARGET_PREFIX, '') || `${request.method} ${request.path}`;
    const signal = this.signalFor(handlerOptions);
    const gate = this.options.gate?.(operation, signal);
    if (gate) await gate;
    const weather = this.options.weather;
    weather?.throwIfExhausted();
    const requestBody = bodyText(request.body);
    let waited = 0;
    // Weather (harness/client/weather.ts): the same bytes again, until a plain
    // answer comes or the step's budget is spent.
    for (let retry = 1; ; retry++) {
      const sent = await this.send(request, headers, requestBody, operation, signal);
      const { exchange, answer } = sent;
      const kind = answer
        ? transientAnswer(answer.status, answer.headers, exchange.response!.body)
        : weather && transientFailure(sent.error)
          ? 'network'
          : undefined;
      if (kind === undefined || weather === undefined) {
        if (answer) weather?.run.observeLatency(exchange.durationMs);
        if (retry > 1 && weather)
          weather.settled(
            operation,
            retry - 1,
            answer ? describeAnswer(answer.status, answer.headers, exchange.response!.body) : (exchange.error ?? 'a failure'),
          );
        return this.finish(exchange, sent.error, answer, headers);
      }
      const what = answer ? describeAnswer(answer.status, answer.headers, exchange.response!.body) : (exchange.error ?? 'a network error');
      let waitMs: number;
      try {
        waitMs = weather.transient(
          kind,
          operation,
          what,
          retry,
          waited,
          answer ? retryAfterMs(answer.headers) : undefined,
          answer?.headers[INJECTED_HEADER] !== undefined,
        );
      } catch (exhausted) {
        exchange.transient = { kind };
        this.options.sink.record(exchange);
        throw exhausted;
      }
      exchange.transient = { kind, waitMs };
      this.options.sink.record(exchange);
      await sleep(waitMs, signal);
      waited += waitMs;
    }
  }

  /** One attempt on the wire; never throws (a failure is returned with its exchange). */
  private async send(
    request: HttpRequest,
    headers: Record<string, string>,
    requestBody: string,
    operation: string,
    signal: AbortSignal | undefined,
  ): Promise<{ exchange: RawExchange; answer?: Answer; error?: unknown }> {
    const exchange: RawExchange = { operation, requestHeaders: headers, requestBody, startedAt: Date.now(), durationMs: 0 };
    const started = performance.now();
    try {
      const answer = await this.options.pool.request({
        origin: this.options.connectTo ?? `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`,
        path: pathWithQuery(request),
        method: request.method as Dispatcher.HttpMethod,
        headers,
        body: requestBody === '' ? null : requestBody,
        signal: signal ?? null,
      });
      const buffer = Buffer.from(await answer.body.arrayBuffer());
      const responseHeaders = flattenHeaders(answer.headers);
      exchange.durationMs = performance.now() - started;
      exchange.response = { status: answer.statusCode, headers: responseHeaders, body: buffer.toString('utf8') };
      return { exchange, answer: { status: answer.statusCode, headers: responseHeaders, buffer } };
    } catch (error) {
      exchange.durationMs = performance.now() - started;
      exchange.error = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
      return { exchange, error };
    }
  }

  /** The answer the SDK gets: the response, a deliberately lost one, or the failure. */
  private finish(
    exchange: RawExchange,
    error: unknown,
    answer: Answer | undefined,
    headers: Record<string, string>,
  ): { response: HttpResponse } {
    if (!answer) {
      this.options.sink.record(exchange);
      throw asNodeNetworkError(error);
    }
    if (attemptOf(headers) <= this.loseResponses) {
      exchange.lost = true;
      exchange.error = `response lost on purpose (the target answered HTTP ${answer.status}; the client was shown ECONNRESET)`;
      this.options.sink.record(exchange);
      throw lostResponse();
    }
    this.options.sink.record(exchange);
    const { buffer } = answer;
    // A Uint8Array body: the SDK's collectBody takes it as is (no stream).
    return {
      response: {
        statusCode: answer.status,
        headers: answer.headers,
        body: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
      },
    };
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

/**
 * undici reports a connection its peer closed as UND_ERR_SOCKET ("other side
 * closed"); Node's own http client, which the SDK's default handler uses,
 * says ECONNRESET ("socket hang up"), and only that is transient to the SDK's
 * retry strategy. The same failure, in the words the SDK knows (cause kept).
 */
function asNodeNetworkError(error: unknown): unknown {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (!(error instanceof Error) || (code !== 'UND_ERR_SOCKET' && code !== 'UND_ERR_CLOSED')) return error;
  return Object.assign(new Error(`socket hang up (${error.message})`, { cause: error }), { code: 'ECONNRESET' });
}

/** "HTTP 503 ServiceUnavailable" / "ThrottlingException (HTTP 400)": a transient answer in a few words. */
function describeAnswer(status: number, headers: Record<string, string>, body: string): string {
  const type = answerErrorType(headers, body);
  return type === undefined ? `HTTP ${status}` : `${type} (HTTP ${status})`;
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
