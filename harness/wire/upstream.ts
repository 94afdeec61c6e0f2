// The wire proxy's side towards its target (harness/wire/proxy.ts): a small
// HTTP/1.1 client on node:net that keeps its connections alive and sends one
// request at a time on each. It writes the request head the proxy built (the
// client's own header lines) and the body in one write, and reads the answer
// as it comes: the status, the header lines as the target wrote them, and the
// body (Content-Length, chunked, or up to the close). Why not undici:
// harness/wire/http1.ts.
import { connect, isIP } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { Socket } from 'node:net';
import { BodyReader, framing, MAX_HEAD, splitHead } from './http1.ts';

/** The target's answer, as received. */
export interface UpstreamAnswer {
  status: number;
  /** The header lines: name, value, name, value, ... (names spelled as the target wrote them, in its order). */
  rawHeaders: string[];
  /** The head's bytes as received (status line and header lines, without the final empty line). */
  head: Buffer;
  body: Buffer;
}

/** A request that got no (complete) answer; `code` says why (ECONNREFUSED, ECONNRESET, UPSTREAM_CLOSED, ...). */
export class UpstreamError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export interface UpstreamOptions {
  /** Connections open at most at once; more requests wait for one (default 64). */
  connections?: number;
  /** How long an idle connection is reused where the target gives no Keep-Alive timeout (default 4 s). */
  keepAliveMs?: number;
  /** A connection with no traffic for this long while a request waits for its answer fails it (default 300 s). */
  timeoutMs?: number;
  /** An https target: certificate authorities trusted besides the system's (PEM; the project's tests). */
  ca?: string | Buffer;
}

/** The head of a request without its final empty line, e.g. "POST / HTTP/1.1\r\nhost: x\r\n". */
export type RequestHead = string;

interface Exchange {
  head: RequestHead;
  body: Buffer;
  /** A HEAD request: its answer has no body whatever its headers say. */
  headOnly: boolean;
  resolve: (answer: UpstreamAnswer) => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  connection: Connection | undefined;
  /** Told once the whole request is in the kernel's hands (see Upstream.send). */
  onWritten: (() => void) | undefined;
}

/** Idle connections are not reused this close to the target's own Keep-Alive timeout. */
const KEEP_ALIVE_MARGIN_MS = 1_000;

class Connection {
  readonly socket: Socket;
  exchange: Exchange | undefined;
  /** When an idle connection stops being reused (performance.now()). */
  expiresAt = 0;
  /** The target's Keep-Alive timeout hint, less the margin; undefined: none given. */
  private hintMs: number | undefined;
  private pending: Buffer | undefined;
  private status = 0;
  private rawHeaders: string[] = [];
  private head: Buffer | undefined;
  /** The answer's body once its head is read; undefined while the head is awaited. */
  private body: BodyReader | undefined;
  private reusable = true;
  closed = false;

  constructor(
    private readonly upstream: Upstream,
    host: string,
    port: number,
    timeoutMs: number,
  ) {
    // An https target (a real account, a hosted service): TLS towards it, the
    // server name from the target's own host; the client's side stays plain.
    this.socket = upstream.secure
      ? connectTls({
          host,
          port,
          ...(isIP(host) === 0 ? { servername: host } : {}),
          ...(upstream.ca ? { ca: upstream.ca } : {}),
          ALPNProtocols: ['http/1.1'],
        }).setNoDelay(true)
      : connect({ host, port, noDelay: true });
    this.socket.setTimeout(timeoutMs);
    this.socket.on('data', (chunk: Buffer) => this.feed(chunk));
    this.socket.on('error', (error: NodeJS.ErrnoException) => this.fail(new UpstreamError(error.code ?? error.name, error.message)));
    this.socket.on('timeout', () => {
      if (this.exchange) this.fail(new UpstreamError('UPSTREAM_TIMEOUT', `the target sent nothing for ${timeoutMs} ms`));
      this.socket.destroy();
    });
    this.socket.on('close', () => this.onClose());
  }

  /** Sends one request (the connection is free). */
  start(exchange: Exchange): void {
    this.exchange = exchange;
    exchange.connection = this;
    this.body = undefined;
    this.reusable = true;
    const headLength = Buffer.byteLength(exchange.head, 'latin1');
    const bytes = Buffer.allocUnsafe(headLength + 2 + exchange.body.length);
    bytes.write(exchange.head, 0, 'latin1');
    bytes[headLength] = 13;
    bytes[headLength + 1] = 10;
    exchange.body.copy(bytes, headLength + 2);
    const written = exchange.onWritten;
    if (written === undefined) this.socket.write(bytes);
    // A new connection: written once it is up, so that the write below is this turn's own.
    else if (this.socket.connecting) this.socket.once('connect', () => this.writeThen(bytes, written));
    else this.writeThen(bytes, written);
  }

  /**
   * Writes, then tells `written` in the same turn when the kernel took every
   * byte at once (what it does next, e.g. close the connection, follows the
   * request before this process does anything else), else once it has.
   */
  private writeThen(bytes: Buffer, written: () => void): void {
    let told = false;
    const tell = (): void => {
      if (told) return;
      told = true;
      written();
    };
    this.socket.write(bytes, () => tell());
    if (this.socket.writableLength === 0) tell();
  }

  keepAliveMs(fallback: number): number {
    return this.hintMs ?? fallback;
  }

  private feed(chunk: Buffer): void {
    const data = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    let at = 0;
    while (at < data.length) {
      if (!this.exchange) {
        // Bytes no request asked for: the connection cannot be trusted with another.
        this.socket.destroy();
        return;
      }
      if (this.body === undefined) {
        const end = data.indexOf('\r\n\r\n', at, 'latin1');
        if (end < 0) {
          if (data.length - at > MAX_HEAD) this.broken(`the target's answer head exceeds ${MAX_HEAD} bytes`);
          else this.pending = data.subarray(at);
          return;
        }
        const problem = this.readHead(data.toString('latin1', at, end));
        this.head = data.subarray(at, end);
        at = end + 4;
        if (problem !== undefined) {
          this.broken(problem);
          return;
        }
        if (this.body === undefined) continue; // an interim answer: the real one follows
      }
      at = this.body.read(data, at);
      if (this.body.problem !== undefined) {
        this.broken(this.body.problem);
        return;
      }
      if (this.body.done) this.complete();
      else if (at < data.length) {
        this.pending = data.subarray(at);
        return;
      }
    }
  }

  /** Reads a status line and its headers; sets how the body is read. Returns a problem, if any. */
  private readHead(head: string): string | undefined {
    const split = splitHead(head);
    if (typeof split === 'string') return split;
    const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(split.first);
    if (!statusLine) return `'${split.first.slice(0, 60)}' is not an HTTP/1.x status line`;
    const status = Number(statusLine[2]);
    if (status < 200) {
      // An interim answer (100 Continue, 103 Early Hints): the real one follows. 101 would switch protocols: not spoken here.
      return status === 101 ? 'the target switched protocols (101), which the proxy does not forward' : undefined;
    }
    const framed = framing(split.rawHeaders, statusLine[1] === '0');
    if (typeof framed === 'string') return `the answer has ${framed}`;
    this.status = status;
    this.rawHeaders = split.rawHeaders;
    if (framed.close) this.reusable = false;
    if (framed.keepAliveS !== undefined) this.hintMs = Math.max(0, framed.keepAliveS * 1000 - KEEP_ALIVE_MARGIN_MS);
    if (this.exchange!.headOnly || status === 204 || status === 304) this.body = new BodyReader(0);
    else if (framed.chunked) this.body = new BodyReader('chunked');
    else if (framed.length !== undefined) this.body = new BodyReader(framed.length);
    else {
      this.reusable = false;
      this.body = new BodyReader('close');
    }
    return undefined;
  }

  private complete(): void {
    const exchange = this.exchange!;
    const answer: UpstreamAnswer = { status: this.status, rawHeaders: this.rawHeaders, head: this.head!, body: this.body!.body() };
    this.exchange = undefined;
    this.body = undefined;
    this.upstream.settled(exchange);
    exchange.resolve(answer);
    if (this.reusable && !this.closed) this.upstream.release(this);
    else this.socket.destroy();
  }

  /** The target's answer is not HTTP/1.1 as the proxy reads it: the exchange fails, the connection is closed. */
  private broken(problem: string): void {
    this.fail(new UpstreamError('UPSTREAM_PROTOCOL', problem), true);
  }

  /** The exchange under way fails; the connection is not used again. */
  fail(error: Error, destroy = false): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    this.reusable = false;
    if (exchange) {
      this.upstream.settled(exchange);
      exchange.reject(error);
    }
    if (destroy) this.socket.destroy();
  }

  private onClose(): void {
    this.closed = true;
    if (this.exchange) {
      if (this.body?.untilClose) this.complete();
      else this.fail(new UpstreamError('UPSTREAM_CLOSED', 'the target closed the connection before its answer was complete'));
    }
    this.upstream.closed(this);
  }
}

export class Upstream {
  private readonly host: string;
  /** An https target: TLS on every connection towards it (the certificate verified). */
  readonly secure: boolean;
  readonly ca: string | Buffer | undefined;
  private readonly port: number;
  private readonly maxConnections: number;
  private readonly keepAliveMs: number;
  private readonly timeoutMs: number;
  /** Free connections, the most recently used last (reused first: few stay warm). */
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly queue: Exchange[] = [];
  private shut = false;

  /** `origin`: http://host:port or https://host[:port] (the proxy's target). */
  constructor(origin: string, options: UpstreamOptions = {}) {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`the proxy forwards to http:// and https:// targets, not ${url.protocol}//`);
    this.secure = url.protocol === 'https:';
    this.host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.port = url.port === '' ? (this.secure ? 443 : 80) : Number(url.port);
    this.maxConnections = options.connections ?? 64;
    this.keepAliveMs = options.keepAliveMs ?? 4_000;
    this.timeoutMs = options.timeoutMs ?? 300_000;
    this.ca = options.ca;
  }

  /**
   * Sends a request: `head` is its request line and header lines, each ending
   * in CRLF, without the empty line that ends the head; `body` its bytes
   * (framed by a Content-Length line in `head`, or empty). Rejects with an
   * UpstreamError, or with the signal's reason once it aborts (the connection
   * is then closed, as a client that gives up closes it). `onWritten` is
   * told once the whole request has been handed to the kernel, in the turn
   * of the write itself when the kernel takes it at once.
   */
  send(method: string, head: RequestHead, body: Buffer, signal?: AbortSignal, onWritten?: () => void): Promise<UpstreamAnswer> {
    return new Promise<UpstreamAnswer>((resolve, reject) => {
      if (this.shut) return reject(new UpstreamError('UPSTREAM_CLOSED', 'the proxy is closed'));
      if (signal?.aborted) return reject(abortReason(signal));
      const exchange: Exchange = {
        head,
        body,
        headOnly: method === 'HEAD',
        resolve,
        reject,
        signal,
        onAbort: undefined,
        connection: undefined,
        onWritten,
      };
      if (signal) {
        exchange.onAbort = () => {
          const index = this.queue.indexOf(exchange);
          if (index >= 0) {
            this.queue.splice(index, 1);
            this.settled(exchange);
            reject(abortReason(signal));
          } else if (exchange.connection?.exchange === exchange) {
            exchange.connection.fail(abortReason(signal), true);
          }
        };
        signal.addEventListener('abort', exchange.onAbort, { once: true });
      }
      const connection = this.take();
      if (connection) connection.start(exchange);
      else this.queue.push(exchange);
    });
  }

  /** Closes every connection; requests under way or waiting fail. */
  async close(): Promise<void> {
    this.shut = true;
    for (const exchange of this.queue.splice(0)) {
      this.settled(exchange);
      exchange.reject(new UpstreamError('UPSTREAM_CLOSED', 'the proxy is closed'));
    }
    const closing = [...this.all].map(
      (connection) => new Promise<void>((resolve) => (connection.closed ? resolve() : connection.socket.once('close', () => resolve()))),
    );
    for (const connection of this.all) connection.fail(new UpstreamError('UPSTREAM_CLOSED', 'the proxy is closed'), true);
    await Promise.all(closing);
  }

  /** @internal A free connection, opened if none is and there is room; undefined: wait. */
  private take(): Connection | undefined {
    const now = performance.now();
    while (this.idle.length > 0) {
      const connection = this.idle.pop()!;
      if (!connection.closed && connection.expiresAt > now) return connection;
      connection.socket.destroy();
    }
    if (this.all.size >= this.maxConnections) return undefined;
    const connection = new Connection(this, this.host, this.port, this.timeoutMs);
    this.all.add(connection);
    return connection;
  }

  /** @internal A connection is free again. */
  release(connection: Connection): void {
    const next = this.queue.shift();
    if (next) {
      connection.start(next);
      return;
    }
    connection.expiresAt = performance.now() + connection.keepAliveMs(this.keepAliveMs);
    this.idle.push(connection);
  }

  /** @internal A connection has closed: its place may go to a waiting request. */
  closed(connection: Connection): void {
    this.all.delete(connection);
    const index = this.idle.indexOf(connection);
    if (index >= 0) this.idle.splice(index, 1);
    if (this.queue.length > 0 && !this.shut) {
      const next = this.take();
      if (next) next.start(this.queue.shift()!);
    }
  }

  /** @internal An exchange is over (answered or failed): its abort listener goes. */
  settled(exchange: Exchange): void {
    if (exchange.onAbort) exchange.signal!.removeEventListener('abort', exchange.onAbort);
  }
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : Object.assign(new Error('the request was aborted'), { name: 'AbortError' });
}
