// Where a run goes and what the target can do: the endpoint's precedence and
// checks, the probe (fast failure when nothing answers), the capabilities
// document, and hooks scoped to an account.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseEndpoint, parseEndpoint } from '../../harness/target/endpoint.ts';
import { UnreachableError, UsageError } from '../../harness/errors.ts';
import { createHooks } from '../../harness/target/hooks.ts';
import { createPool } from '../../harness/target/http.ts';
import { parseCapabilities, probeTarget } from '../../harness/target/probe.ts';
import { resolveTarget } from '../../harness/target/target.ts';
import { SkipCheck } from '../../harness/types.ts';
import type { Capability } from '../../harness/types.ts';
import { awsError, closedPort, startFakeTarget } from '../support/fake-target.ts';
import type { FakeTarget } from '../support/fake-target.ts';

const DOC = { protocol: 'proton-conformance-hooks', version: 1, capabilities: ['clock', 'counts', 'accounts', 'teleport'] };

describe('endpoint', () => {
  it('prefers --endpoint, then AWS_ENDPOINT_URL_PROTON, then AWS_ENDPOINT_URL, else the embedded emulator', async () => {
    const env = { AWS_ENDPOINT_URL_PROTON: 'http://proton:1', AWS_ENDPOINT_URL: 'http://generic:2', AWS_CONFIG_FILE: '/nonexistent' };
    expect(await chooseEndpoint('http://flag:3/', env)).toEqual({ url: 'http://flag:3', source: '--endpoint' });
    expect(await chooseEndpoint(undefined, env)).toEqual({ url: 'http://proton:1', source: 'AWS_ENDPOINT_URL_PROTON' });
    expect(await chooseEndpoint(undefined, { AWS_ENDPOINT_URL: 'https://generic:2' })).toEqual({
      url: 'https://generic:2',
      source: 'AWS_ENDPOINT_URL',
    });
    expect(await chooseEndpoint(undefined, { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toEqual({
      url: undefined,
      source: 'embedded',
    });
  });

  it('rejects what is not an http(s) URL, naming where it came from', () => {
    expect(() => parseEndpoint('localhost:4566', '--endpoint')).toThrow(UsageError);
    expect(() => parseEndpoint('nope', 'AWS_ENDPOINT_URL')).toThrow("AWS_ENDPOINT_URL: 'nope' is not a valid URL");
    expect(() => parseEndpoint('ftp://host', '--endpoint')).toThrow('must be an http:// or https:// URL');
    expect(() => parseEndpoint('http://user:pw@host', '--endpoint')).toThrow('must not contain a user name or password');
    expect(parseEndpoint(' http://HOST:80/ ', '--endpoint')).toBe('http://host');
    // A path is a configuration error (exit 2), not a target that is unreachable or not Proton (exit 3).
    expect(() => parseEndpoint(' http://HOST:80/prefix/ ', '--endpoint')).toThrow(
      new UsageError(
        "--endpoint: 'http://HOST:80/prefix/' has a path (/prefix); give the endpoint without one, e.g. http://host " +
          '(the Proton API is served at /)',
      ),
    );
  });
});

describe('capabilities document', () => {
  it('keeps the known capabilities of a well-formed document', () => {
    expect([...parseCapabilities(JSON.stringify(DOC))].sort()).toEqual(['accounts', 'clock', 'counts']);
  });

  it('anything else means none', () => {
    for (const text of [
      '',
      'not json',
      '[]',
      '{"protocol":"other","version":1,"capabilities":["clock"]}',
      '{"protocol":"proton-conformance-hooks","version":2,"capabilities":["clock"]}',
      '{"protocol":"proton-conformance-hooks","version":1,"capabilities":"clock"}',
    ]) {
      expect(parseCapabilities(text).size, text).toBe(0);
    }
  });
});

describe('probe', () => {
  let fake: FakeTarget;
  const hookCalls: Array<{ method: string; path: string; account: unknown; body: unknown }> = [];
  beforeAll(async () => {
    fake = await startFakeTarget({
      // A Proton error answer (AWS JSON 1.0): the protocol probe goes on.
      proton: () => awsError(400, 'ValidationException', 'unsupported'),
      capabilities: DOC,
      hooks: (method, path, body, headers) => {
        hookCalls.push({ method, path, account: headers['x-conformance-account'], body });
        if (path.endsWith('/clock/advance')) return { status: 200, body: { epochMs: 1000 + (body as { ms: number }).ms } };
        if (path.endsWith('/counts')) return { status: 200, body: { counts: { environments: 2 } } };
        return { status: 400, body: { message: 'unsupported' } };
      },
    });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('fails fast with a one-line reason when nothing listens', async () => {
    const port = await closedPort();
    const started = performance.now();
    const probe = probeTarget(`http://127.0.0.1:${port}`, { timeoutMs: 2_000 });
    await expect(probe).rejects.toThrow(UnreachableError);
    await expect(probe).rejects.toThrow(`target http://127.0.0.1:${port} is unreachable: connection refused (ECONNREFUSED)`);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('times out on a target that accepts connections but never answers', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = performance.now();
      await expect(probeTarget(`http://127.0.0.1:${port}`, { timeoutMs: 300 })).rejects.toThrow(
        `target http://127.0.0.1:${port} is unreachable: no answer within 0.3 s`,
      );
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      silent.close();
    }
  });

  it('resolves a target: capabilities, accounts, and no embedded emulator', async () => {
    const target = await resolveTarget({ endpoint: fake.url, env: {} });
    try {
      expect(target).toMatchObject({ endpoint: fake.url, embedded: false, source: '--endpoint', accounts: true, credentials: undefined });
      expect([...target.capabilities].sort()).toEqual(['clock', 'counts']);
    } finally {
      await target.close();
    }
  });

  it('hooks name their account and skip what the target lacks', async () => {
    const pool = createPool();
    const hooks = createHooks({
      endpoint: fake.url,
      pool,
      capabilities: new Set<Capability>(['clock', 'counts']),
      account: '123412341234',
    });
    expect(await hooks.advance(500)).toBe(1500);
    expect(await hooks.counts()).toEqual({ environments: 2 });
    await expect(hooks.reset()).rejects.toThrow(SkipCheck);
    await expect(hooks.now()).rejects.toThrow('hook GET clock answered HTTP 400: unsupported');
    expect(hookCalls.slice(0, 2)).toEqual([
      { method: 'POST', path: '/_conformance/v1/clock/advance', account: '123412341234', body: { ms: 500 } },
      { method: 'GET', path: '/_conformance/v1/counts', account: '123412341234', body: undefined },
    ]);
    await pool.close();
  });
});

describe('the embedded emulator', () => {
  it('starts in a worker thread with every hook, and stops', async () => {
    const target = await resolveTarget({ env: {} });
    try {
      expect(target.embedded).toBe(true);
      expect(target.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(target.accounts).toBe(true);
      expect([...target.capabilities].sort()).toEqual(['clock', 'counts', 'durations', 'reset']);
    } finally {
      await target.close();
    }
    await expect(probeTarget(target.endpoint, { timeoutMs: 1_000 })).rejects.toThrow(UnreachableError);
  });
});
