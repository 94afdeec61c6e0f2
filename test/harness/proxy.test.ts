// The wire proxy (harness/wire/proxy.ts): its fault spec, its seeded schedule,
// byte-for-byte forwarding (the Host header too), each fault as the client
// and the target see it, and the history and its timeline.
import { createServer, request } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FaultSchedule, faultSpec, parseFaults, startProxy } from '../../harness/wire/proxy.ts';
import type { RunningProxy } from '../../harness/wire/proxy.ts';
import { renderTimeline } from '../../reporters/timeline.ts';
import { parseProxy, PROXY_USAGE } from '../../cli/proxy.ts';
import { UsageError } from '../../harness/errors.ts';

interface Received {
  at: number;
  method: string;
  url: string;
  rawHeaders: string[];
  body: string;
}

/** A target that records every request and answers a JSON body naming the request's number (after `delayMs`). */
let target: Server;
let targetUrl = '';
let received: Received[] = [];
let delayMs = 0;

beforeAll(async () => {
  target = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        at: performance.now(),
        method: req.method!,
        url: req.url!,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const n = received.length;
      const answer = JSON.stringify({
        environmentTemplate: { arn: `arn:aws:proton:us-east-1:111122223333:environment-template/t${n}`, name: `t${n}` },
      });
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `req-${n}` });
        res.end(answer);
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});

afterAll(async () => {
  target.closeAllConnections();
  await new Promise((resolve) => target.close(resolve));
});

beforeEach(() => {
  received = [];
  delayMs = 0;
});

const CREATE = 'AwsProton20200720.CreateEnvironmentTemplate';

/** One request through `proxy` with undici, as a signed SDK request would look on the wire. */
async function send(
  proxy: RunningProxy,
  body: string,
  operation = CREATE,
  extra: Record<string, string> = {},
): Promise<{ status: number; body: string } | { error: string }> {
  const pool = new Pool(proxy.url);
  try {
    const answer = await pool.request({
      path: '/',
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': operation,
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDTEST/20261130/us-east-1/proton/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc123',
        'x-amz-date': '20261130T060000Z',
        'amz-sdk-request': 'attempt=1; max=3',
        ...extra,
      },
      body,
    });
    return { status: answer.statusCode, body: await answer.body.text() };
  } catch (error) {
    return { error: `${(error as { code?: string }).code ?? ''}` };
  } finally {
    await pool.close().catch(() => undefined);
  }
}

async function withProxy(faults: string, body: (proxy: RunningProxy) => Promise<void>, seed = 1): Promise<void> {
  const proxy = await startProxy({ target: targetUrl, faults, seed });
  try {
    await body(proxy);
  } finally {
    await proxy.close();
  }
}

describe('fault specs', () => {
  it('reads KIND[:MS][@WHEN], and writes it back', () => {
    const rules = parseFaults('drop@first, close:7@2,delay:30@0.5,500-after@25%,throttle-before');
    expect(rules).toEqual([
      { fault: 'drop', when: { kind: 'first' } },
      { fault: 'close', when: { kind: 'nth', n: 2 }, ms: 7 },
      { fault: 'delay', when: { kind: 'rate', rate: 0.5 }, ms: 30 },
      { fault: '500-after', when: { kind: 'rate', rate: 0.25 } },
      { fault: 'throttle-before', when: { kind: 'rate', rate: 1 } },
    ]);
    expect(parseFaults(faultSpec(rules))).toEqual(rules);
    expect(parseFaults('')).toEqual([]);
    expect(faultSpec([])).toBe('none');
  });

  it('refuses what it cannot read, in one line', () => {
    expect(() => parseFaults('lose')).toThrow(/unknown fault 'lose' \(known: drop, close/);
    expect(() => parseFaults('drop:5')).toThrow(/takes no :MS/);
    expect(() => parseFaults('drop@later')).toThrow(/not first, a delivery number or a rate/);
    expect(() => parseFaults('drop@1.5')).toThrow(/not first/);
  });

  it('draws a seeded schedule: the same seed the same faults, another seed others; first and nth as counted', () => {
    const decisions = (seed: number): (string | undefined)[] => {
      const schedule = new FaultSchedule(parseFaults('drop@0.3,500-before@0.3'), seed);
      return Array.from({ length: 200 }, (_, i) => schedule.next(`body ${i}`)?.fault);
    };
    expect(decisions(7)).toEqual(decisions(7));
    expect(decisions(7)).not.toEqual(decisions(8));
    const drops = decisions(7).filter((f) => f === 'drop').length;
    expect(drops).toBeGreaterThan(30);
    expect(drops).toBeLessThan(90);
    const first = new FaultSchedule(parseFaults('drop@first,late@3'), 0);
    expect(['a', 'a', 'b', 'a', 'b'].map((key) => first.next(key)?.fault)).toEqual(['drop', undefined, 'drop', undefined, undefined]);
    const nth = new FaultSchedule(parseFaults('late@3'), 0);
    expect(['a', 'b', 'c', 'd'].map((key) => nth.next(key)?.fault)).toEqual([undefined, undefined, 'late', undefined]);
  });
});

describe('forwarding', () => {
  it('forwards method, path, headers (Host included: the signature holds) and body byte for byte, and the answer back', async () => {
    await withProxy('', async (proxy) => {
      const body = '{"name":"t","tags":[{"key":"k","value":"ü"}]}';
      const answer = await send(proxy, body, CREATE, { 'x-custom': 'Mixed Case Value' });
      expect(answer).toMatchObject({ status: 200 });
      expect(received).toHaveLength(1);
      const got = received[0]!;
      expect(got.body).toBe(body);
      const headers = Object.fromEntries(
        Array.from({ length: got.rawHeaders.length / 2 }, (_, i) => [got.rawHeaders[2 * i]!.toLowerCase(), got.rawHeaders[2 * i + 1]!]),
      );
      // The client signed for the proxy's host: that very Host header reaches the target.
      expect(headers['host']).toBe(new URL(proxy.url).host);
      for (const name of ['authorization', 'x-amz-date', 'x-amz-target', 'amz-sdk-request', 'content-type', 'x-custom'])
        expect(headers[name], name).toBeDefined();
      expect(headers['authorization']).toContain('Signature=abc123');
      expect(headers['content-length']).toBe(String(Buffer.byteLength(body)));
      expect(proxy.deliveries[0]).toMatchObject({ n: 1, operation: 'CreateEnvironmentTemplate', attempt: 1, shown: 200 });
    });
  });

  it(
    'a chunked request goes on with its length; the answer keeps its header lines (repeats apart), ' + 'less those of its connection',
    async () => {
      const other = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          res.writeHead(
            201,
            [
              ['X-Got', `${req.headers['content-length']}/${req.headers['transfer-encoding'] ?? 'none'}/${body}`],
              ['Set-Cookie', 'a=1'],
              ['Set-Cookie', 'b=2'],
              ['Keep-Alive', 'timeout=30'],
            ].flat(),
          );
          res.end('done');
        });
      });
      await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
      const proxy = await startProxy({ target: `http://127.0.0.1:${(other.address() as AddressInfo).port}` });
      try {
        const answer = await new Promise<IncomingMessage & { text: string }>((resolve, reject) => {
          const req = request(
            `${proxy.url}/`,
            { method: 'POST', headers: { 'x-amz-target': 'AwsProton20200720.GetEnvironmentTemplate' } },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () => resolve(Object.assign(res, { text: Buffer.concat(chunks).toString('utf8') })));
            },
          );
          req.on('error', reject);
          req.write('{"name":');
          req.end('"chunked"}');
        });
        expect(answer.statusCode).toBe(201);
        expect(answer.text).toBe('done');
        expect(answer.headers['x-got']).toBe('18/none/{"name":"chunked"}');
        const names = answer.rawHeaders.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
        expect(names.filter((name) => name === 'set-cookie')).toHaveLength(2);
        expect(names.filter((name) => name === 'date')).toHaveLength(1);
        // The connection's headers are the proxy's own (its Keep-Alive), not the target's.
        expect(names.filter((name) => name === 'keep-alive')).toHaveLength(1);
        expect(answer.headers['keep-alive']).toBe('timeout=10');
        expect(answer.headers['content-length']).toBe('4');
        expect(proxy.deliveries[0]!.answers[0]).toMatchObject({ status: 201, body: 'done', headers: { 'set-cookie': 'a=1, b=2' } });
      } finally {
        await proxy.close();
        other.closeAllConnections();
        await new Promise((resolve) => other.close(resolve));
      }
    },
  );

  it('never faults reads (only creates and deletes)', async () => {
    await withProxy('drop', async (proxy) => {
      expect(await send(proxy, '{"name":"t"}', 'AwsProton20200720.GetEnvironmentTemplate')).toMatchObject({ status: 200 });
      expect(await send(proxy, '{"name":"t"}')).toMatchObject({ error: expect.any(String) });
    });
  });
});

describe('each fault, as the client and the target see it', () => {
  it('drop: the target answers, the client sees its connection closed', async () => {
    await withProxy('drop@first', async (proxy) => {
      expect(await send(proxy, '{"name":"a"}')).toEqual({ error: 'UND_ERR_SOCKET' });
      expect(received).toHaveLength(1);
      expect(proxy.deliveries[0]).toMatchObject({ fault: 'drop', shown: 'closed', answers: [{ status: 200 }] });
      // Its retry (the same bytes) is not the first delivery: it passes.
      expect(await send(proxy, '{"name":"a"}')).toMatchObject({ status: 200 });
    });
  });

  it('close: the client is dropped while the target works, and the forwarded request is aborted', async () => {
    delayMs = 100;
    await withProxy('close:10@first', async (proxy) => {
      const started = performance.now();
      expect(await send(proxy, '{"name":"a"}')).toEqual({ error: 'UND_ERR_SOCKET' });
      expect(performance.now() - started).toBeLessThan(90);
      await proxy.idle();
      expect(received).toHaveLength(1);
      expect(proxy.deliveries[0]).toMatchObject({ fault: 'close', shown: 'closed' });
      expect(proxy.deliveries[0]!.answers[0]).toHaveProperty('error');
    });
  });

  it('late: the client gives up at once, the target receives the request later (after its retry)', async () => {
    await withProxy('late:40@first', async (proxy) => {
      expect(await send(proxy, '{"name":"a"}')).toEqual({ error: 'UND_ERR_SOCKET' });
      expect(received).toHaveLength(0);
      expect(await send(proxy, '{"name":"a"}', CREATE, { 'amz-sdk-request': 'attempt=2; max=3' })).toMatchObject({ status: 200 });
      await proxy.idle();
      expect(received.map((r) => /attempt=(\d)/.exec(r.rawHeaders.join(' '))?.[1])).toEqual(['2', '1']);
    });
  });

  it('duplicate and overlap: two deliveries, one answer', async () => {
    await withProxy('duplicate@1,overlap@2', async (proxy) => {
      expect(await send(proxy, '{"name":"a"}')).toMatchObject({ status: 200 });
      expect(received).toHaveLength(2);
      expect(received[0]!.body).toBe(received[1]!.body);
      expect(await send(proxy, '{"name":"b"}')).toMatchObject({ status: 200 });
      await proxy.idle();
      expect(received).toHaveLength(4);
      expect(proxy.deliveries.map((d) => d.answers.length)).toEqual([2, 2]);
    });
  });

  it('delay and reorder: a held request is overtaken by the next one', async () => {
    await withProxy('reorder:500@1,delay:20@2', async (proxy) => {
      const first = send(proxy, '{"name":"first"}');
      // The first is held by the proxy (held as it arrives) before the second is sent.
      await proxy.received(1);
      const second = send(proxy, '{"name":"second"}');
      expect(await Promise.all([first, second])).toMatchObject([{ status: 200 }, { status: 200 }]);
      expect(received.map((r) => JSON.parse(r.body).name)).toEqual(['second', 'first']);
    });
  });

  it('500, 503 and ThrottlingException, before forwarding or after the target acted', async () => {
    await withProxy('500-before@1,503-after@2,throttle-before@3,throttle-after@4,500-after@5', async (proxy) => {
      const five00 = await send(proxy, '{"name":"a"}');
      expect(five00).toMatchObject({ status: 500 });
      expect(JSON.parse((five00 as { body: string }).body).__type).toBe('com.amazonaws.proton#InternalServerException');
      expect(received).toHaveLength(0);
      expect(await send(proxy, '{"name":"b"}')).toMatchObject({ status: 503, body: expect.stringContaining('503 Service Unavailable') });
      expect(received).toHaveLength(1);
      const throttled = await send(proxy, '{"name":"c"}');
      expect(throttled).toMatchObject({ status: 429 });
      expect(JSON.parse((throttled as { body: string }).body).__type).toBe('com.amazonaws.proton#ThrottlingException');
      expect(received).toHaveLength(1);
      expect(await send(proxy, '{"name":"d"}')).toMatchObject({ status: 429 });
      expect(await send(proxy, '{"name":"e"}')).toMatchObject({ status: 500 });
      expect(received).toHaveLength(3);
      expect(proxy.deliveries.map((d) => [d.fault, d.shown, d.answers.length])).toEqual([
        ['500-before', 500, 0],
        ['503-after', 503, 1],
        ['throttle-before', 429, 0],
        ['throttle-after', 429, 1],
        ['500-after', 500, 1],
      ]);
    });
  });
});

describe('the history', () => {
  it('says what the proxy did to each delivery and what the target answered, and renders as a timeline', async () => {
    await withProxy('drop@first', async (proxy) => {
      await send(proxy, '{"name":"a","clientToken":"tok-1"}');
      await send(proxy, '{"name":"a","clientToken":"tok-1"}', CREATE, { 'amz-sdk-request': 'attempt=2; max=3' });
      const events = proxy.history.sorted();
      const texts = events.map((e) => `${e.who} ${e.delivery ?? ''} ${e.what}`);
      expect(texts).toEqual([
        expect.stringMatching(/^proxy 1 received attempt 1, token tok-1; fault drop$/),
        expect.stringMatching(/^target 1 answered HTTP 200 naming environment-template\/t1$/),
        expect.stringMatching(/^proxy 1 closed the client's connection without an answer/),
        expect.stringMatching(/^proxy 2 received attempt 2, token tok-1$/),
        expect.stringMatching(/^target 2 answered HTTP 200 naming environment-template\/t2$/),
        expect.stringMatching(/^proxy 2 gave the client the target's answer \(HTTP 200\)$/),
      ]);
      const lines = renderTimeline(events, { limit: 4, indent: '  ' });
      expect(lines).toHaveLength(5);
      expect(lines[0]).toMatch(/^\s+\+\d+\.\d ms\s+proxy\s+#1\s+CreateEnvironmentTemplate: received attempt 1/);
      expect(lines[2]).toContain('... 2 events');
    });
  });
});

describe('proton-conformance proxy (cli/proxy.ts)', () => {
  it('reads its flags, and refuses bad ones in one line (a usage error: exit 2)', () => {
    expect(parseProxy(['--target', 'http://127.0.0.1:4580/x', '--port', '4581', '--faults', 'drop@first', '--seed', '7'])).toEqual({
      help: false,
      target: 'http://127.0.0.1:4580',
      port: 4581,
      faults: 'drop@first',
      seed: 7,
      quiet: false,
    });
    for (const [argv, message] of [
      [[], /--target URL is required/],
      [['--target', 'nope'], /is not a URL/],
      [['--target', 'ftp://x.example'], /not an http:\/\/ or https:\/\/ URL/],
      [['--target', 'http://127.0.0.1:1', '--port', '70000'], /not a port number/],
      [['--target', 'http://127.0.0.1:1', '--faults', 'lose@first'], /--faults: unknown fault 'lose'/],
      [['--target', 'http://127.0.0.1:1', '--seed', 'x'], /--seed 'x' is not an integer/],
      [['--target', 'http://127.0.0.1:1', '--bogus'], /proxy: /],
    ] as const) {
      expect(() => parseProxy(argv), argv.join(' ')).toThrow(UsageError);
      expect(() => parseProxy(argv), argv.join(' ')).toThrow(message);
    }
    expect(parseProxy(['--help']).help).toBe(true);
    for (const kind of ['drop', 'close', 'late', 'duplicate', 'overlap', 'delay', 'reorder', '500-before', '503-after', 'throttle-after'])
      expect(PROXY_USAGE).toContain(kind);
  });
});
