// A tiny HTTP target for the harness's own tests: answers Proton calls with
// whatever the test says, serves the capabilities document, and remembers
// every request it received (to see what the client really sent).
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  operation: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export type ProtonHandler = (operation: string, body: Record<string, unknown>, request: ReceivedRequest) => FakeAnswer;

export interface FakeTarget {
  url: string;
  port: number;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

export interface FakeTargetOptions {
  proton: ProtonHandler;
  /** The capabilities document; undefined: 404 (no hooks). */
  capabilities?: unknown;
  /** Other hook requests (clock, counts, ...); undefined: 404. */
  hooks?: (method: string, path: string, body: unknown, headers: IncomingHttpHeaders) => FakeAnswer;
}

export async function startFakeTarget(options: FakeTargetOptions): Promise<FakeTarget> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      if (path.startsWith('/_conformance/v1/capabilities')) {
        if (options.capabilities === undefined) return send(res, { status: 404, body: { message: 'no hooks' } });
        return send(res, { status: 200, body: options.capabilities });
      }
      if (path.startsWith('/_conformance/')) {
        const hookBody: unknown = text ? JSON.parse(text) : undefined;
        return send(res, options.hooks ? options.hooks(req.method ?? '', path, hookBody, req.headers) : { status: 404, body: { message: 'no hooks' } });
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.slice(target.indexOf('.') + 1);
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      const request: ReceivedRequest = { method: req.method ?? '', path, operation, headers: req.headers, body };
      received.push(request);
      send(res, options.proton(operation, body, request));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: import('node:http').ServerResponse, answer: FakeAnswer): void {
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0', ...answer.headers });
  res.end(text);
}

/** An error answer as AWS JSON 1.0 services send it. */
export function awsError(status: number, type: string, message: string): FakeAnswer {
  return { status, body: { __type: `com.amazonaws.proton#${type}`, message }, headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/` } };
}

/** A closed port: bind, read the port, close. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
