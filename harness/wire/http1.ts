// HTTP/1.1 as the wire proxy (harness/wire/proxy.ts) speaks it on both of its
// sides, on node:net: a message head split into its first line and header
// lines, a body read as its framing says (Content-Length, chunked, up to the
// close), and the proxy's listening side, which reads one request at a time
// on each kept-alive client connection and writes each answer whole, in one
// write. The side towards the target is harness/wire/upstream.ts.
//
// Why not node:http and undici: with nothing to inject, the proxy's cost per
// request is what proxy.latency_ratio measures (bench/metrics/proxy.ts). On
// the two-core bench machine a node:http server cost about 0.1 ms a request
// (its IncomingMessage and ServerResponse streams, events and header
// objects) and undici's dispatch 0.15 to 0.2 ms, against a budget of about
// 0.3 ms for the whole proxy; a bare TCP relay costs 0.06 to 0.1 ms. What is
// here handles what clients and targets of the proxy send (the AWS SDKs and
// CLI, Content-Length and chunked bodies, Expect: 100-continue, HEAD,
// interim answers) and refuses the rest in one line.
import { STATUS_CODES } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/** The longest message head accepted (request or status line and headers), as node:http's default. */
export const MAX_HEAD = 16 * 1024;

/** A head's first line and its header lines (name, value, name, value, ...), or why it is not one. */
export function splitHead(head: string): { first: string; rawHeaders: string[] } | string {
  // CR, LF or NUL anywhere but in the CRLF between lines: a header value could otherwise smuggle a line.
  if (/\r(?!\n)|(?<!\r)\n|\0/.test(head)) return 'a bare CR, LF or NUL in the head';
  const lines = head.split('\r\n');
  const rawHeaders: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0 || !TOKEN.test(line.slice(0, colon))) return `'${line.slice(0, 60)}' is not a header line`;
    rawHeaders.push(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return { first: lines[0]!, rawHeaders };
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The framing a head gives its body. */
export interface Framing {
  /** Connection: close (or an HTTP/1.0 message without keep-alive). */
  close: boolean;
  chunked: boolean;
  /** The Content-Length, if given and not chunked. */
  length: number | undefined;
  /** Expect: 100-continue (requests). */
  expectContinue: boolean;
  /** The Keep-Alive timeout the sender gave, seconds. */
  keepAliveS: number | undefined;
}

/** Reads the headers that frame a message. Returns why not, when they contradict one another. */
export function framing(rawHeaders: readonly string[], http10: boolean): Framing | string {
  let close = http10;
  let chunked = false;
  let encoded = false;
  let length: string | undefined;
  let expectContinue = false;
  let keepAliveS: number | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    // Only a few lengths can be a framing header: most lines are passed over without lower-casing them.
    switch (name.length) {
      case 6:
        if (name.toLowerCase() === 'expect' && rawHeaders[i + 1]!.toLowerCase() === '100-continue') expectContinue = true;
        break;
      case 10: {
        const lower = name.toLowerCase();
        if (lower === 'connection') {
          const tokens = rawHeaders[i + 1]!.toLowerCase();
          if (/(^|,)\s*close\s*(,|$)/.test(tokens)) close = true;
          else if (http10 && /(^|,)\s*keep-alive\s*(,|$)/.test(tokens)) close = false;
        } else if (lower === 'keep-alive') {
          const timeout = /timeout=(\d+)/i.exec(rawHeaders[i + 1]!);
          if (timeout) keepAliveS = Number(timeout[1]);
        }
        break;
      }
      case 14:
        if (name.toLowerCase() === 'content-length') {
          const value = rawHeaders[i + 1]!;
          if (length !== undefined && length !== value) return 'two different Content-Length headers';
          length = value;
        }
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') {
          encoded = true;
          chunked = /(^|,)\s*chunked\s*$/i.test(rawHeaders[i + 1]!);
        }
        break;
    }
  }
  if (encoded && !chunked) return 'a Transfer-Encoding that does not end in chunked';
  if (chunked && length !== undefined) return 'both Transfer-Encoding and Content-Length';
  if (length !== undefined && !/^\d{1,15}$/.test(length)) return `Content-Length '${length.slice(0, 30)}' is not a length`;
  return { close, chunked, length: length === undefined ? undefined : Number(length), expectContinue, keepAliveS };
}

const LENGTH = 0;
const CHUNK_SIZE = 1;
const CHUNK_DATA = 2;
const CHUNK_END = 3;
const TRAILER = 4;
const UNTIL_CLOSE = 5;

const EMPTY = Buffer.alloc(0);

/** A body as it arrives: give it the bytes after the head, and what comes next, until it is done. */
export class BodyReader {
  done = false;
  /** Why the bytes are not a body of this framing. */
  problem: string | undefined;
  private readonly parts: Buffer[] = [];
  private phase: number;
  private remaining: number;

  /** `length`: a Content-Length; 'chunked'; or 'close' (the body runs to the connection's end). */
  constructor(framingOf: number | 'chunked' | 'close') {
    this.phase = framingOf === 'chunked' ? CHUNK_SIZE : framingOf === 'close' ? UNTIL_CLOSE : LENGTH;
    this.remaining = typeof framingOf === 'number' ? framingOf : 0;
    if (framingOf === 0) this.done = true;
  }

  /**
   * Reads from `data` at `at`; returns where it stopped: the end of the body
   * (done), the end of the data, or the start of a line not yet whole (keep
   * the rest and give it again with what follows).
   */
  read(data: Buffer, at: number): number {
    while (!this.done && this.problem === undefined && at < data.length) {
      switch (this.phase) {
        case LENGTH:
        case CHUNK_DATA: {
          const take = Math.min(this.remaining, data.length - at);
          this.parts.push(data.subarray(at, at + take));
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            if (this.phase === LENGTH) this.done = true;
            else this.phase = CHUNK_END;
          }
          break;
        }
        case UNTIL_CLOSE:
          this.parts.push(at === 0 ? data : data.subarray(at));
          at = data.length;
          break;
        default: {
          const end = data.indexOf('\r\n', at, 'latin1');
          if (end < 0) {
            if (data.length - at > MAX_HEAD) this.problem = 'a chunk line or trailer is too long';
            return at;
          }
          const line = data.toString('latin1', at, end);
          at = end + 2;
          if (this.phase === CHUNK_END) {
            if (line !== '') this.problem = 'a chunk does not end with CRLF';
            this.phase = CHUNK_SIZE;
          } else if (this.phase === TRAILER) {
            // Trailer fields belong to the connection here: read and left out.
            if (line === '') this.done = true;
          } else {
            const size = /^[0-9a-fA-F]{1,12}(?=;|\s*$)/.exec(line);
            if (!size) {
              this.problem = `'${line.slice(0, 40)}' is not a chunk size`;
              break;
            }
            this.remaining = parseInt(size[0], 16);
            this.phase = this.remaining === 0 ? TRAILER : CHUNK_DATA;
          }
        }
      }
    }
    return at;
  }

  /** Whether the body runs to the close (and the connection's end completes it). */
  get untilClose(): boolean {
    return this.phase === UNTIL_CLOSE;
  }

  body(): Buffer {
    return this.parts.length === 1 ? this.parts[0]! : this.parts.length === 0 ? EMPTY : Buffer.concat(this.parts);
  }
}

/** One request as a client sent it to the proxy. */
export interface ProxyRequest {
  method: string;
  /** The request target as sent (a path, usually). */
  url: string;
  /** The header lines as received: name, value, ... */
  rawHeaders: string[];
  body: Buffer;
}

let dateText = '';
let dateSecond = -1;

/** The Date header's value, made once a second. */
function httpDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/** How the proxy answers one request: a whole answer at once, or the connection closed without one. */
export class ProxyResponse {
  private done = false;

  constructor(
    private readonly connection: ClientConnection,
    private readonly headOnly: boolean,
    private readonly keepAlive: boolean,
  ) {}

  /** Whether an answer was written (or the connection closed). */
  get sent(): boolean {
    return this.done;
  }

  /**
   * Writes the answer: the status line, `headers` (name, value, ...; no
   * Content-Length or connection headers: the proxy writes its own), a Date
   * unless given, and the body framed by its length.
   */
  send(status: number, headers: readonly string[], body: Buffer | string): void {
    if (this.done) return;
    this.done = true;
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const noBody = status === 204 || status === 304 || status < 200;
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
    let dated = false;
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i]!;
      if (name.length === 4 && name.toLowerCase() === 'date') dated = true;
      head += `${name}: ${headers[i + 1]!}\r\n`;
    }
    if (!dated) head += `Date: ${httpDate()}\r\n`;
    head += this.keepAlive ? this.connection.keepAliveLines : 'Connection: close\r\n';
    if (!noBody) head += `Content-Length: ${bytes.length}\r\n`;
    head += '\r\n';
    const written = this.headOnly || noBody ? 0 : bytes.length;
    const headLength = Buffer.byteLength(head, 'latin1');
    const out = Buffer.allocUnsafe(headLength + written);
    out.write(head, 0, 'latin1');
    if (written > 0) bytes.copy(out, headLength);
    this.connection.answered(out, this.keepAlive);
  }

  /** Closes the client's connection without an answer. */
  close(): void {
    this.done = true;
    this.connection.socket.destroy();
  }
}

/** One client connection: its requests are read one at a time, each answered before the next is read. */
class ClientConnection {
  private pending: Buffer | undefined;
  private head: { request: ProxyRequest; framing: Framing } | undefined;
  private body: BodyReader | undefined;
  /** A request is in the proxy's hands (read, not yet answered). */
  private busy = false;
  /** The client has sent all it will (half-closed): what it sent is answered, then the connection ends. */
  private ended = false;
  private readonly keepAliveMs: number;
  readonly keepAliveLines: string;

  constructor(
    readonly socket: Socket,
    keepAliveMs: number,
    private readonly onRequest: (request: ProxyRequest, response: ProxyResponse) => void,
  ) {
    this.keepAliveMs = keepAliveMs;
    this.keepAliveLines = `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(keepAliveMs / 1000)}\r\n`;
    socket.setNoDelay(true);
    socket.setTimeout(keepAliveMs);
    socket.on('data', (chunk: Buffer) => this.feed(chunk));
    socket.on('error', () => undefined);
    socket.on('end', () => {
      this.ended = true;
      if (!this.busy) this.endIfDone();
    });
    socket.on('timeout', () => {
      // Idle past the keep-alive timeout: closed, as node:http does; a request in the proxy's hands keeps it.
      if (this.busy || this.pending !== undefined || this.head !== undefined) socket.setTimeout(this.keepAliveMs);
      else socket.destroy();
    });
  }

  private feed(chunk: Buffer): void {
    this.pending = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    if (!this.busy) this.parse();
  }

  /** A client that half-closed gets its connection ended once nothing it sent is left to answer. */
  private endIfDone(): void {
    if (this.ended && !this.busy && !this.socket.destroyed) this.socket.end();
  }

  /** Reads what is pending: at most one request, handed over whole. */
  private parse(): void {
    const data = this.pending;
    if (data === undefined) return;
    this.pending = undefined;
    let at = 0;
    if (this.head === undefined) {
      const start = this.readHead(data);
      if (start === undefined) return;
      at = start;
    }
    at = this.body!.read(data, at);
    if (this.body!.problem !== undefined) {
      this.refuse(400, 'Bad Request');
      return;
    }
    if (at < data.length) this.pending = data.subarray(at);
    if (!this.body!.done) return;
    const { request, framing: framed } = this.head!;
    request.body = this.body!.body();
    this.head = undefined;
    this.body = undefined;
    this.busy = true;
    this.onRequest(request, new ProxyResponse(this, request.method === 'HEAD', !framed.close));
  }

  /** @internal An answer is ready: written, then the next request (if any) is read. */
  answered(bytes: Buffer, keepAlive: boolean): void {
    if (this.socket.destroyed) return;
    if (!keepAlive) {
      this.socket.end(bytes);
      return;
    }
    this.socket.write(bytes);
    this.busy = false;
    // Pipelined requests already here: read after this answer, outside the handler that wrote it.
    if (this.pending !== undefined)
      queueMicrotask(() => {
        if (!this.busy) this.parse();
        if (!this.busy) this.endIfDone();
      });
    else if (this.ended) this.endIfDone();
  }

  /**
   * Reads a request's head at the start of `data` and sets how its body is
   * read. Returns where the body starts; undefined when the head is not all
   * there yet (kept) or the request was refused.
   */
  private readHead(data: Buffer): number | undefined {
    let at = 0;
    // Empty lines before a request line are passed over (RFC 9112 2.2).
    while (at + 1 < data.length && data[at] === 13 && data[at + 1] === 10) at += 2;
    const end = data.indexOf('\r\n\r\n', at, 'latin1');
    if ((end < 0 ? data.length : end) - at > MAX_HEAD) {
      this.refuse(431, 'Request Header Fields Too Large');
      return undefined;
    }
    if (end < 0) {
      if (at < data.length) this.pending = data.subarray(at);
      return undefined;
    }
    const head = requestHead(data.toString('latin1', at, end));
    if (head === undefined) {
      this.refuse(400, 'Bad Request');
      return undefined;
    }
    this.head = head;
    this.body = new BodyReader(head.framing.chunked ? 'chunked' : (head.framing.length ?? 0));
    if (head.framing.expectContinue && !this.body.done) this.socket.write('HTTP/1.1 100 Continue\r\n\r\n');
    return end + 4;
  }

  /** A request that is not HTTP/1.x as the proxy reads it: answered in one line, and the connection closed. */
  private refuse(status: number, title: string): void {
    this.pending = undefined;
    this.busy = true;
    this.socket.end(`HTTP/1.1 ${status} ${title}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }
}

export interface ProxyListener {
  readonly port: number;
  /** Stops listening and closes every client connection. */
  close(): Promise<void>;
}

/** Listens for clients; `onRequest` gets each request whole, and answers it (or closes its connection) when it likes. */
export async function listen(
  options: { port?: number; host?: string; keepAliveMs?: number },
  onRequest: (request: ProxyRequest, response: ProxyResponse) => void,
): Promise<ProxyListener> {
  const sockets = new Set<Socket>();
  const keepAliveMs = options.keepAliveMs ?? 10_000;
  // Half-open allowed: a client that ends its side after a request still gets the answer (ClientConnection ends then).
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    new ClientConnection(socket, keepAliveMs, onRequest);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** A request's head: its request line and header lines, and how its body is framed; undefined where it is malformed. */
function requestHead(text: string): { request: ProxyRequest; framing: Framing } | undefined {
  const split = splitHead(text);
  if (typeof split === 'string') return undefined;
  const line = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/1\.([01])$/.exec(split.first);
  if (!line) return undefined;
  const framed = framing(split.rawHeaders, line[3] === '0');
  if (typeof framed === 'string') return undefined;
  return { request: { method: line[1]!, url: line[2]!, rawHeaders: split.rawHeaders, body: EMPTY }, framing: framed };
}
