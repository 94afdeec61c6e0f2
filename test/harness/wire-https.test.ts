// The wire rules against an https target that checks the Host header against
// its own name, as a real AWS endpoint does: the cells' clients sign for the
// target's endpoint and connect to their wire proxy in plain HTTP, and the
// proxy forwards the same bytes over TLS (harness/wire/upstream.ts). The
// target here is the emulator behind a TLS front of the test's own (a
// certificate for localhost made with openssl, trusted through
// NODE_EXTRA_CA_CERTS as a user's corporate CA would be), counted as remote.
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { localhostCertificate } from '../support/tls.ts';
import type { LocalhostCertificate } from '../support/tls.ts';
import { FAST, cli, fakeCredentials } from './real-target-helpers.ts';
import { formatTransitionDurations } from '../../specs/transitions.ts';

let tls: LocalhostCertificate;
let emulator: RunningEmulator;
let front: Server;
let port: number;
const hosts = { right: 0, wrong: [] as string[] };

beforeAll(async () => {
  tls = localhostCertificate('pc-wire-tls-');
  emulator = await startEmulator({ hooks: [], durations: FAST });
  const upstream = new URL(emulator.url);
  front = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    // As an AWS endpoint routes: a request for another host name does not reach the service.
    if (req.headers.host !== `localhost:${port}`) {
      hosts.wrong.push(String(req.headers.host));
      res.writeHead(403, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': 'AccessDeniedException' });
      res.end(JSON.stringify({ __type: 'AccessDeniedException', message: `host ${String(req.headers.host)} is not this endpoint` }));
      return;
    }
    hosts.right++;
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  port = (front.address() as AddressInfo).port;
});

afterAll(async () => {
  front?.closeAllConnections();
  await new Promise<void>((resolve) => (front ? front.close(() => resolve()) : resolve()));
  await emulator?.close();
  tls?.remove();
});

describe('wire cells against an https target that checks the Host', () => {
  it('pass through the proxy over TLS, every request reaching the target under its own name; nothing is left', async () => {
    const run = await cli(
      [
        '--endpoint',
        `https://localhost:${port}`,
        '--allow-real-account',
        '--rules',
        'wire/lost-response-retry,wire/duplicate-delivery,wire/server-error-retry',
        '--operations',
        'CreateEnvironmentTemplate,DeleteEnvironmentTemplate',
        '--num-runs',
        '3',
        '--seed',
        '11',
        '--expect-durations',
        formatTransitionDurations(FAST),
      ],
      fakeCredentials('wiretls'),
      { NODE_EXTRA_CA_CERTS: tls.certPath },
    );
    expect(run.code, `${run.stdout.slice(-1500)}\n${run.stderr.slice(-800)}`).toBe(0);
    expect(run.stdout).toMatch(/PASS \(every MUST cell passed\): 6 of 6 cells run \(6 pass/);
    expect(hosts.wrong).toEqual([]);
    expect(hosts.right).toBeGreaterThan(50);
    expect(Object.values(emulator.counts()).every((count) => count === 0)).toBe(true);
  }, 300_000);
});
