// The wire proxy's HTTP/1.1 framing and listening side (harness/wire/http1.ts),
// from raw sockets: what a request is read as (lengths, chunks, Expect,
// pipelining), how an answer is written, when a connection is kept or closed,
// and what is refused.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyReader, framing, listen, splitHead } from '../../harness/wire/http1.ts';
import type { ProxyListener, ProxyRequest, ProxyResponse } from '../../harness/wire/http1.ts';
import { until } from '../support/until.ts';

const listeners: ProxyListener[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((listener) => listener.close()));
});

/** A listener whose requests are recorded and answered by `answer` (default: 200 echoing the body). */
async function start(
  answer?: (request: ProxyRequest, response: ProxyResponse) => void,
  keepAliveMs?: number,
): Promise<{ port: number; requests: ProxyRequest[] }> {
  const requests: ProxyRequest[] = [];
  const listener = await listen({ port: 0, ...(keepAliveMs !== undefined ? { keepAliveMs } : {}) }, (request, response) => {
    requests.push(request);
    if (answer) answer(request, response);
    else response.send(200, ['Content-Type', 'text/plain', 'X-Method', request.method], request.body);
  });
  listeners.push(listener);
  return { port: listener.port, requests };
}

/** Writes `bytes` on a new connection and collects what comes back until `until` matches it or the connection closes. */
async function exchange(
  port: number,
  bytes: string | string[],
  until?: RegExp,
): Promise<{ text: string; closed: boolean; socket: Socket }> {
  const socket = connect({ port, host: '127.0.0.1' });
  let text = '';
  let closed = false;
  await new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (until?.test(text)) resolve();
    });
    socket.on('close', () => {
      closed = true;
      resolve();
    });
    socket.on('error', () => undefined);
    const parts = typeof bytes === 'string' ? [bytes] : bytes;
    let i = 0;
    const next = (): void => {
      if (i < parts.length) socket.write(parts[i++]!, () => setTimeout(next, 3));
    };
    next();
  });
  return { text, closed, socket };
}

const GET = 'GET /x HTTP/1.1\r\nHost: p\r\n\r\n';

describe('heads and framing', () => {
  it('splits a head into its first line and header lines, and refuses what could smuggle a line', () => {
    expect(splitHead('POST / HTTP/1.1\r\nHost: a\r\nX-Amz-Target:  T.Op \r\nX-Empty:')).toEqual({
      first: 'POST / HTTP/1.1',
      rawHeaders: ['Host', 'a', 'X-Amz-Target', 'T.Op', 'X-Empty', ''],
    });
    expect(splitHead('POST / HTTP/1.1\r\nHost: a\nX-Injected: 1')).toMatch(/bare CR, LF or NUL/);
    expect(splitHead('POST / HTTP/1.1\r\nHost: a\rb')).toMatch(/bare CR, LF or NUL/);
    expect(splitHead('POST / HTTP/1.1\r\nNo colon here')).toMatch(/not a header line/);
    expect(splitHead('POST / HTTP/1.1\r\nBad Name: x')).toMatch(/not a header line/);
  });

  it('reads the framing headers, and refuses contradictions', () => {
    expect(framing(['Content-Length', '12', 'Connection', 'keep-alive, Upgrade'], false)).toMatchObject({
      length: 12,
      chunked: false,
      close: false,
    });
    expect(framing(['Transfer-Encoding', 'gzip, chunked', 'Connection', 'close'], false)).toMatchObject({
      chunked: true,
      close: true,
      length: undefined,
    });
    expect(framing(['Expect', '100-Continue', 'Keep-Alive', 'timeout=5, max=100'], false)).toMatchObject({
      expectContinue: true,
      keepAliveS: 5,
    });
    expect(framing([], true)).toMatchObject({ close: true });
    expect(framing(['Connection', 'Keep-Alive'], true)).toMatchObject({ close: false });
    expect(framing(['Content-Length', '1', 'Content-Length', '2'], false)).toMatch(/two different Content-Length/);
    expect(framing(['Content-Length', '1', 'Transfer-Encoding', 'chunked'], false)).toMatch(/both Transfer-Encoding and Content-Length/);
    expect(framing(['Transfer-Encoding', 'gzip'], false)).toMatch(/does not end in chunked/);
    expect(framing(['Content-Length', '-1'], false)).toMatch(/is not a length/);
  });

  it('reads a chunked body split anywhere, and refuses a bad chunk size', () => {
    const reader = new BodyReader('chunked');
    const bytes = Buffer.from('3;x=y\r\nabc\r\n4\r\ndefg\r\n0\r\nTrailer: t\r\n\r\nNEXT');
    let pending = Buffer.alloc(0);
    let end = -1;
    for (let i = 0; i < bytes.length && !reader.done; i++) {
      const data = Buffer.concat([pending, bytes.subarray(i, i + 1)]);
      const at = reader.read(data, 0);
      pending = data.subarray(at);
      if (reader.done) end = i + 1 - pending.length;
    }
    expect(reader.body().toString()).toBe('abcdefg');
    expect(bytes.subarray(end).toString()).toBe('NEXT');
    const bad = new BodyReader('chunked');
    bad.read(Buffer.from('zz\r\n'), 0);
    expect(bad.problem).toMatch(/is not a chunk size/);
  });
});

describe('the listening side', () => {
  it('answers pipelined requests in order on one connection: a Content-Length body, a chunked one, a HEAD', async () => {
    const { port, requests } = await start();
    const { text, closed } = await exchange(
      port,
      'POST /a HTTP/1.1\r\nHost: p\r\nContent-Length: 5\r\n\r\nhello' +
        'POST /b HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n' +
        'HEAD /c HTTP/1.1\r\nHost: p\r\n\r\n',
      /X-Method: HEAD\r\n(.*\r\n)*\r\n/,
    );
    expect(closed).toBe(false);
    expect(requests.map((r) => [r.method, r.url, r.body.toString()])).toEqual([
      ['POST', '/a', 'hello'],
      ['POST', '/b', 'hi'],
      ['HEAD', '/c', ''],
    ]);
    const answers = text.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(3);
    expect(answers[0]).toMatch(
      new RegExp(
        /^HTTP\/1\.1 200 OK\r\nContent-Type: text\/plain\r\nX-Method: POST\r\nDate: .+ GMT\r\n/.source +
          /Connection: keep-alive\r\nKeep-Alive: timeout=10\r\nContent-Length: 5\r\n\r\nhello$/.source,
      ),
    );
    expect(answers[1]).toMatch(/Content-Length: 2\r\n\r\nhi$/);
    // HEAD: the length of what a GET would get, no body.
    expect(answers[2]).toMatch(/X-Method: HEAD\r\n(.*\r\n)*Content-Length: 0\r\n\r\n$/);
  });

  it('holds the next request until the one before is answered, however late', async () => {
    const held: ProxyResponse[] = [];
    const { port, requests } = await start((request, response) => {
      if (request.url === '/slow') held.push(response);
      else response.send(200, [], request.url);
    });
    const pending = exchange(port, 'GET /slow HTTP/1.1\r\nHost: p\r\n\r\nGET /fast HTTP/1.1\r\nHost: p\r\n\r\n', /\/fast$/);
    await until(() => held.length > 0);
    expect(requests.map((r) => r.url)).toEqual(['/slow']);
    held[0]!.send(200, [], 'slow done');
    const { text } = await pending;
    expect(requests.map((r) => r.url)).toEqual(['/slow', '/fast']);
    expect(text.indexOf('slow done')).toBeLessThan(text.indexOf('/fast'));
  });

  it('Expect: 100-continue gets its interim answer before the body is sent', async () => {
    const { port, requests } = await start();
    const socket = connect({ port, host: '127.0.0.1' });
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.write('PUT /up HTTP/1.1\r\nHost: p\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n');
    await until(() => text.includes('100 Continue'));
    expect(requests).toHaveLength(0);
    socket.write('body');
    await until(() => text.endsWith('body'));
    expect(text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(requests[0]!.body.toString()).toBe('body');
    socket.destroy();
  });

  it('closes after answering Connection: close or HTTP/1.0, and an idle connection after its keep-alive timeout', async () => {
    const { port } = await start(undefined, 300);
    const close = await exchange(port, 'GET / HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n');
    expect(close.closed).toBe(true);
    expect(close.text).toMatch(/\r\nConnection: close\r\n/);
    const old = await exchange(port, 'GET / HTTP/1.0\r\n\r\n');
    expect(old.closed).toBe(true);
    const idle = await exchange(port, GET);
    expect(idle.closed).toBe(true);
    expect(idle.text).toMatch(/^HTTP\/1\.1 200 OK\r\n(.*\r\n)*Keep-Alive: timeout=0\r\n/);
  });

  it('a client that ends its side after its requests still gets every answer, then the connection ends', async () => {
    const { port } = await start((request, response) => setTimeout(() => response.send(200, [], request.url), 20));
    const socket = connect({ port, host: '127.0.0.1' });
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.end('GET /one HTTP/1.1\r\nHost: p\r\n\r\nGET /two HTTP/1.1\r\nHost: p\r\n\r\n');
    await closed;
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n(.*\r\n)*\r\n\/oneHTTP\/1\.1 200 OK\r\n(.*\r\n)*\r\n\/two$/);
  });

  it('refuses what it cannot read in one answer, and closes: a bad request line, a smuggling head, a head too large', async () => {
    const { port, requests } = await start();
    for (const bytes of [
      'NOT HTTP\r\n\r\n',
      'POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
      'GET / HTTP/1.1\r\nX: a\nY: b\r\n\r\n',
      'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    ]) {
      const { text, closed } = await exchange(port, bytes);
      expect(text, bytes).toBe('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      expect(closed).toBe(true);
    }
    const large = await exchange(port, `GET / HTTP/1.1\r\nX-Big: ${'x'.repeat(17 * 1024)}\r\n\r\n`);
    expect(large.text).toMatch(/^HTTP\/1\.1 431 /);
    expect(requests).toHaveLength(0);
  });

  it('an answer to a client that went away is dropped; close() ends the connection without one', async () => {
    const { port } = await start((request, response) => {
      if (request.url === '/close') response.close();
      else setTimeout(() => response.send(200, [], 'late'), 30);
    });
    const closed = await exchange(port, 'GET /close HTTP/1.1\r\nHost: p\r\n\r\n');
    expect(closed).toMatchObject({ text: '', closed: true });
    const gone = connect({ port, host: '127.0.0.1' });
    gone.write(GET);
    gone.destroy();
    await new Promise((resolve) => setTimeout(resolve, 60));
    // Still serving after the answer it could not deliver.
    expect((await exchange(port, GET, /late$/)).text).toMatch(/late$/);
  });
});
