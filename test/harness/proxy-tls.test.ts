// The wire proxy towards an https target (a real account, a hosted service):
// TLS on its connections to the target, the certificate verified against the
// target's host name; the client's side stays plain HTTP on loopback.
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Upstream, UpstreamError } from '../../harness/wire/upstream.ts';
import { localhostCertificate } from '../support/tls.ts';
import type { LocalhostCertificate } from '../support/tls.ts';

let tls: LocalhostCertificate;
let cert: string;
let server: Server;
let port: number;
const seen: Array<{ method: string; url: string; host: string | undefined; body: string }> = [];

beforeAll(async () => {
  tls = localhostCertificate('pc-tls-');
  cert = tls.cert;
  server = createServer({ key: tls.key, cert }, (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host, body });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ echoed: body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  tls.remove();
});

const head = (body: string): string =>
  'POST / HTTP/1.1\r\nHost: signed-for.example:4581\r\n' +
  `Content-Type: application/x-amz-json-1.0\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;

describe('the proxy towards an https target', () => {
  it('forwards over TLS, verified against the target host, the request as the client wrote it (its Host too)', async () => {
    const upstream = new Upstream(`https://localhost:${port}`, { ca: cert });
    try {
      for (const body of ['{"a":1}', '{"b":2}']) {
        const answer = await upstream.send('POST', head(body), Buffer.from(body));
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body.toString())).toEqual({ echoed: body });
      }
    } finally {
      upstream.close();
    }
    expect(seen.slice(-2)).toEqual([
      { method: 'POST', url: '/', host: 'signed-for.example:4581', body: '{"a":1}' },
      { method: 'POST', url: '/', host: 'signed-for.example:4581', body: '{"b":2}' },
    ]);
  });

  it('refuses a certificate it cannot verify (no request reaches the target)', async () => {
    const before = seen.length;
    const upstream = new Upstream(`https://localhost:${port}`);
    try {
      const failed = await upstream.send('POST', head('{}'), Buffer.from('{}')).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failed).toBeInstanceOf(UpstreamError);
      expect((failed as UpstreamError).code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    } finally {
      upstream.close();
    }
    expect(seen.length).toBe(before);
  });

  it('takes http and https targets and nothing else', () => {
    expect(() => new Upstream('ftp://localhost:21')).toThrow(/http:\/\/ and https:\/\//);
    expect(new Upstream('https://proton.us-east-1.amazonaws.com').secure).toBe(true);
    expect(new Upstream('http://127.0.0.1:4580').secure).toBe(false);
  });
});
