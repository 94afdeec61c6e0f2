// The proxy's HTTP/1.1 client towards its target (harness/wire/upstream.ts),
// against raw TCP targets that write exactly the bytes each case needs: the
// framings of an answer (length, chunked, none, to the close), interim
// answers, kept-alive connections and when they are not reused, and each way
// a request can get no answer.
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Upstream, UpstreamError } from '../../harness/wire/upstream.ts';
import type { UpstreamAnswer } from '../../harness/wire/upstream.ts';
import { until } from '../support/until.ts';

interface RawTarget {
  origin: string;
  /** Every request head received (request line and headers), with its body, in order. */
  requests: Array<{ head: string; body: string; connection: number }>;
  connections: number;
  close(): Promise<void>;
}

const targets: RawTarget[] = [];
afterEach(async () => {
  await Promise.all(targets.splice(0).map((target) => target.close()));
});

/**
 * A target on a raw socket: reads each request (Content-Length bodies) and
 * calls `answer`, which writes whatever bytes it likes on the socket.
 */
async function rawTarget(answer: (socket: Socket, request: { head: string; body: string; n: number }) => void): Promise<RawTarget> {
  const sockets = new Set<Socket>();
  const target: RawTarget = { origin: '', requests: [], connections: 0, close: async () => undefined };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const connection = ++target.connections;
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        const body = buffer.toString('utf8', end + 4, end + 4 + length);
        buffer = buffer.subarray(end + 4 + length);
        target.requests.push({ head, body, connection });
        answer(socket, { head, body, n: target.requests.length });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  target.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  targets.push(target);
  return target;
}

const POST = (body: string, extra = ''): [string, string, Buffer] => [
  'POST',
  `POST / HTTP/1.1\r\nhost: proxy.test\r\n${extra}content-length: ${Buffer.byteLength(body)}\r\n`,
  Buffer.from(body),
];

async function send(upstream: Upstream, [method, head, body]: [string, string, Buffer], signal?: AbortSignal): Promise<UpstreamAnswer> {
  return upstream.send(method, head, body, signal);
}

const text = (answer: UpstreamAnswer): string => answer.body.toString('utf8');

describe('answers, as each framing reads', () => {
  it(
    'Content-Length: the body and the header lines as written (spelling, order, repeats); ' + 'the connection is kept for the next request',
    async () => {
      const target = await rawTarget((socket, { n }) => {
        const body = `{"n":${n}}`;
        socket.write(
          `HTTP/1.1 200 OK\r\nX-Amzn-RequestId: r${n}\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n` +
            `Content-Length: ${body.length}\r\n\r\n${body}`,
        );
      });
      const upstream = new Upstream(target.origin);
      try {
        const first = await send(upstream, POST('{"name":"a"}'));
        expect(first.status).toBe(200);
        expect(text(first)).toBe('{"n":1}');
        expect(first.rawHeaders).toEqual(['X-Amzn-RequestId', 'r1', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Content-Length', '7']);
        expect(text(await send(upstream, POST('{"name":"b"}')))).toBe('{"n":2}');
        expect(target.requests.map((r) => r.connection)).toEqual([1, 1]);
        expect(target.requests[0]).toMatchObject({
          head: 'POST / HTTP/1.1\r\nhost: proxy.test\r\ncontent-length: 12',
          body: '{"name":"a"}',
        });
      } finally {
        await upstream.close();
      }
    },
  );

  it('chunked: chunks split anywhere across writes, extensions and trailers, come back as one body', async () => {
    const target = await rawTarget((socket) => {
      const parts = [
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhel',
        'lo\r\n',
        '6\r',
        '\n world\r\n0\r\nX-Trailer: t\r',
        '\n\r\n',
      ];
      let i = 0;
      const next = (): void => {
        if (i < parts.length) socket.write(parts[i++]!, () => setTimeout(next, 2));
      };
      next();
    });
    const upstream = new Upstream(target.origin);
    try {
      const answer = await send(upstream, POST('{}'));
      expect(text(answer)).toBe('hello world');
      expect(text(await send(upstream, POST('{}')))).toBe('hello world');
      expect(target.connections).toBe(1);
    } finally {
      await upstream.close();
    }
  });

  it('no body after HEAD, 204 or 304, whatever the headers say; interim 1xx answers are skipped', async () => {
    const target = await rawTarget((socket, { head, n }) => {
      if (head.startsWith('HEAD')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n');
      else if (n === 2) socket.write('HTTP/1.1 204 No Content\r\n\r\n');
      else if (n === 3) socket.write('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n');
      else
        socket.write(
          'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
        );
    });
    const upstream = new Upstream(target.origin);
    try {
      expect(await upstream.send('HEAD', 'HEAD / HTTP/1.1\r\nhost: x\r\n', Buffer.alloc(0))).toMatchObject({
        status: 200,
        body: Buffer.alloc(0),
      });
      expect(await send(upstream, POST('{}'))).toMatchObject({ status: 204, body: Buffer.alloc(0) });
      expect(await send(upstream, POST('{}'))).toMatchObject({ status: 304, body: Buffer.alloc(0) });
      const created = await send(upstream, POST('{}'));
      expect([created.status, text(created), created.rawHeaders]).toEqual([201, 'ok', ['Content-Length', '2']]);
      expect(target.connections).toBe(1);
    } finally {
      await upstream.close();
    }
  });

  it('no length and not chunked: the body runs to the close, and the next request gets a new connection', async () => {
    const target = await rawTarget((socket, { n }) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\npart one, `);
      setTimeout(() => socket.end(`part two of ${n}`), 5);
    });
    const upstream = new Upstream(target.origin);
    try {
      expect(text(await send(upstream, POST('{}')))).toBe('part one, part two of 1');
      expect(text(await send(upstream, POST('{}')))).toBe('part one, part two of 2');
      expect(target.requests.map((r) => r.connection)).toEqual([1, 2]);
    } finally {
      await upstream.close();
    }
  });
});

describe('kept-alive connections', () => {
  it(
    'not reused after Connection: close, after an HTTP/1.0 answer, ' + 'or past the Keep-Alive timeout the target gave (less a margin)',
    async () => {
      const target = await rawTarget((socket, { n }) => {
        const head =
          n === 1
            ? 'HTTP/1.1 200 OK\r\nConnection: close'
            : n === 2
              ? 'HTTP/1.0 200 OK'
              : n === 3
                ? 'HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1'
                : 'HTTP/1.1 200 OK';
        socket.write(`${head}\r\nContent-Length: 1\r\n\r\n${n}`);
      });
      const upstream = new Upstream(target.origin);
      try {
        for (let i = 0; i < 5; i++) await send(upstream, POST('{}'));
        // 1 closes, 2 is HTTP/1.0, 3 allows 1 s of idleness (none is left after the 1 s margin), 4 keeps its connection for 5.
        expect(target.requests.map((r) => r.connection)).toEqual([1, 2, 3, 4, 4]);
      } finally {
        await upstream.close();
      }
    },
  );

  it('at most `connections` at once: more requests wait for a free one, in order', async () => {
    const target = await rawTarget((socket, { n }) => {
      setTimeout(() => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${String(n).length}\r\n\r\n${n}`), 10);
    });
    const upstream = new Upstream(target.origin, { connections: 2 });
    try {
      const answers = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name) => send(upstream, POST(`{"name":"${name}"}`))));
      expect(answers.map(text).sort()).toEqual(['1', '2', '3', '4', '5']);
      expect(target.connections).toBe(2);
      expect(target.requests.map((r) => JSON.parse(r.body).name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    } finally {
      await upstream.close();
    }
  });
});

describe('no answer', () => {
  it('the target closes before its answer is complete: UPSTREAM_CLOSED; a refused connection: ECONNREFUSED', async () => {
    const target = await rawTarget((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort');
      socket.end();
    });
    const upstream = new Upstream(target.origin);
    try {
      await expect(send(upstream, POST('{}'))).rejects.toMatchObject({ code: 'UPSTREAM_CLOSED' });
    } finally {
      await upstream.close();
    }
    const port = Number(new URL(target.origin).port);
    await target.close();
    targets.splice(targets.indexOf(target), 1);
    const refused = new Upstream(`http://127.0.0.1:${port}`);
    try {
      const error = await send(refused, POST('{}')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await refused.close();
    }
  });

  it('an answer that is not HTTP: UPSTREAM_PROTOCOL, and the connection is dropped', async () => {
    const target = await rawTarget((socket, { n }) => {
      socket.write(n === 1 ? 'SSH-2.0-nope\r\n\r\n' : 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const upstream = new Upstream(target.origin);
    try {
      await expect(send(upstream, POST('{}'))).rejects.toMatchObject({ code: 'UPSTREAM_PROTOCOL' });
      expect(text(await send(upstream, POST('{}')))).toBe('ok');
      expect(target.requests.map((r) => r.connection)).toEqual([1, 2]);
    } finally {
      await upstream.close();
    }
  });

  it('aborted: rejects with the reason at once and closes the connection the target is answering on', async () => {
    let closedAt = 0;
    const target = await rawTarget((socket) => {
      socket.on('close', () => (closedAt = performance.now()));
      setTimeout(() => socket.writable && socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'), 300);
    });
    const upstream = new Upstream(target.origin);
    try {
      const controller = new AbortController();
      const pending = send(upstream, POST('{}'), controller.signal);
      await until(() => target.requests.length > 0);
      const abortedAt = performance.now();
      controller.abort(new Error('the client went away'));
      await expect(pending).rejects.toThrow('the client went away');
      await until(() => closedAt > 0);
      expect(closedAt).toBeGreaterThanOrEqual(abortedAt);
      // Aborted before it was sent: rejected without a connection.
      await expect(send(upstream, POST('{}'), AbortSignal.abort(new Error('gone already')))).rejects.toThrow('gone already');
      expect(target.requests).toHaveLength(1);
    } finally {
      await upstream.close();
    }
  });

  it('closed: the requests under way and waiting fail, and no new one is sent', async () => {
    const target = await rawTarget(() => undefined);
    const upstream = new Upstream(target.origin, { connections: 1 });
    const under = send(upstream, POST('{"name":"a"}'));
    const waiting = send(upstream, POST('{"name":"b"}'));
    await until(() => target.requests.length > 0);
    const outcomes = Promise.allSettled([under, waiting]);
    await upstream.close();
    expect((await outcomes).map((outcome) => outcome.status === 'rejected' && (outcome.reason as UpstreamError).code)).toEqual([
      'UPSTREAM_CLOSED',
      'UPSTREAM_CLOSED',
    ]);
    await expect(send(upstream, POST('{}'))).rejects.toMatchObject({ code: 'UPSTREAM_CLOSED' });
    expect(target.requests).toHaveLength(1);
  });
});
