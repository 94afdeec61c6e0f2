// HTTP and routing: hook requests to hooks.ts, STS's GetCallerIdentity to
// sts.ts, everything else through the AWS JSON 1.0 framing (protocol.ts), the
// model checks (validation.ts) and the operation's handler. No request,
// however malformed, escapes as an exception, and a rejected request changes
// nothing: every check runs before a handler touches state. The weather
// (weather.ts) comes in twice: a throttle before the checks, an error after
// a successful handler. In strict mode (auth.ts) every request is verified
// first, before it is routed: a refused one reads and changes nothing, meets
// no weather, and the hooks are not served at all.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { World } from './accounts.ts';
import type { Verifier } from './auth.ts';
import type { RequestContext } from './context.ts';
import { answerHook, HOOKS_PREFIX } from './hooks.ts';
import { accountOf, callerOf, type Caller } from './identity.ts';
import { isModelOperation, OPERATIONS } from './operations.ts';
import {
  ApiError,
  authFailure,
  checkContentType,
  internalError,
  MAX_BODY_BYTES,
  parseBody,
  parseTarget,
  requestTooLarge,
  sendError,
  sendResult,
  throttling,
  unknownOperation,
  validation,
} from './protocol.ts';
import { answerSts, isStsRequest, stsAuthError, stsOperation, type StsAnswer } from './sts.ts';
import { checkedInput } from './validation.ts';

export interface ServerConfig {
  world: World;
  /** Receives one line per request when set. */
  log?: (line: string) => void;
  /** Strict mode: every request verified by it (auth.ts); undefined: open mode, the key id names the account. */
  verifier?: Verifier | undefined;
  /** `--latency`: the real ms each request waits, once read, before it is handled; undefined: none. */
  delay?: (() => number) | undefined;
}

interface Exchange {
  account: string;
  operation: string;
  status: number;
}

export function createEmulatorServer(config: ServerConfig): Server {
  const server = createServer((req, res) => {
    const started = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so that the client
      // still gets its answer on an intact connection.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('error', () => {
      // The client went away; there is no one to answer.
    });
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const done = (exchange: Exchange) => {
        if (config.log !== undefined) config.log(logLine(exchange, performance.now() - started));
      };
      const handle = () => {
        if (config.verifier !== undefined) void handleStrict(config.world, config.verifier, req, res, body, size).then(done);
        else if (req.url?.startsWith(HOOKS_PREFIX)) done(handleHook(config.world, req, res, body, size));
        else if (isStsRequest(req.method, header(req, 'content-type'), req.headers['x-amz-target'])) {
          done(handleSts(config.world, req, res, body, callerOf(header(req, 'authorization'))));
        } else void handleApi(config.world, req, res, body, size, callerOf(header(req, 'authorization'))).then(done);
      };
      // A slow target: the delay is drawn in arrival order, so one seed and one order give one set of delays.
      const pause = config.delay?.() ?? 0;
      if (pause > 0) setTimeout(handle, pause);
      else handle();
    });
  });
  // Keep-alive connections from SDK clients outlive a burst of requests.
  server.keepAliveTimeout = 60_000;
  return server;
}

function handleHook(world: World, req: IncomingMessage, res: ServerResponse, body: Buffer, size: number): Exchange {
  const path = req.url!.slice(HOOKS_PREFIX.length).split('?', 1)[0]!;
  const accountHeader = header(req, 'x-conformance-account');
  const answer =
    size > MAX_BODY_BYTES
      ? { status: 413, body: { message: `Body over ${MAX_BODY_BYTES} bytes` } }
      : answerHook(world, req.method ?? 'GET', path, accountHeader, body);
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
  return { account: world.accountIdOf(accountOf(accountHeader)), operation: `hook ${req.method} ${path}`, status: answer.status };
}

/**
 * Strict mode: the signature first (auth.ts), then the request as in open
 * mode with the verified credential's account. The hooks' prefix is no
 * longer special: such a request is an API request like any other path
 * (unsigned: MissingAuthenticationTokenException; signed: not `POST /`,
 * UnknownOperationException), so the emulator looks like a real endpoint.
 */
async function handleStrict(
  world: World,
  verifier: Verifier,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  size: number,
): Promise<Exchange> {
  // The emulator's clock, which a client's skew correction goes by (the SDK reads Date after a refusal).
  res.setHeader('Date', new Date(verifier.now()).toUTCString());
  const sts = isStsRequest(req.method, header(req, 'content-type'), req.headers['x-amz-target']);
  const requestId = randomUUID();
  const operation = sts ? stsOperation(body) : operationName(req.headers['x-amz-target']);
  if (size > MAX_BODY_BYTES) {
    // Not all of it was kept, so its signature can't be checked; refused before anything is read, as in open mode.
    const error = requestTooLarge(`The request body of ${size} bytes is over the limit of ${MAX_BODY_BYTES} bytes`);
    sendError(res, requestId, error);
    return { account: '-', operation, status: error.status };
  }
  const verdict = await verifier.verify({
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: req.headers,
    body,
    service: sts ? 'sts' : 'proton',
  });
  if (!verdict.ok) {
    if (sts) {
      const answer = stsAuthError(verdict.kind, verdict.message, requestId, operation);
      writeSts(res, requestId, answer);
      return { account: '-', operation, status: answer.status };
    }
    const error = authFailure(verdict.kind, verdict.message);
    sendError(res, requestId, error);
    return { account: '-', operation, status: error.status };
  }
  const caller: Caller = { account: verdict.credential.account, region: verdict.region };
  if (sts) return handleSts(world, req, res, body, caller);
  return handleApi(world, req, res, body, size, caller);
}

/** The operation an `X-Amz-Target` names, for the log line; '-' when it names none. */
function operationName(target: string | string[] | undefined): string {
  try {
    return parseTarget(target);
  } catch {
    return '-';
  }
}

function handleSts(world: World, _req: IncomingMessage, res: ServerResponse, body: Buffer, caller: Caller): Exchange {
  const requestId = randomUUID();
  const answer = answerSts(world, caller, body, requestId);
  writeSts(res, requestId, answer);
  return { account: world.accountIdOf(caller.account), operation: answer.operation, status: answer.status };
}

function writeSts(res: ServerResponse, requestId: string, answer: StsAnswer): void {
  res.writeHead(answer.status, {
    'Content-Type': 'text/xml',
    'Content-Length': Buffer.byteLength(answer.xml),
    'x-amzn-RequestId': requestId,
  });
  res.end(answer.xml);
}

async function handleApi(
  world: World,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  size: number,
  caller: Caller,
): Promise<Exchange> {
  const requestId = randomUUID();
  const exchange: Exchange = { account: world.accountIdOf(caller.account), operation: '-', status: 200 };
  // The client's connection closed before the answer was written (it gave up, or a proxy dropped it).
  let clientGone = false;
  res.once('close', () => {
    if (!res.writableFinished) clientGone = true;
  });
  const gone = (): boolean => clientGone || req.socket.destroyed || req.socket.readableEnded;
  const delivery = deliveryOf(req.socket);
  try {
    if (req.method !== 'POST' || (req.url !== '/' && !req.url?.startsWith('/?'))) {
      throw unknownOperation(`Proton's API answers POST / only, not ${req.method} ${req.url}`);
    }
    const operation = parseTarget(req.headers['x-amz-target']);
    exchange.operation = operation;
    checkContentType(header(req, 'content-type'));
    if (size > MAX_BODY_BYTES) {
      throw requestTooLarge(`The request body of ${size} bytes is over the limit of ${MAX_BODY_BYTES} bytes`);
    }
    if (!isModelOperation(operation)) throw unknownOperation(`Unknown operation ${operation}`);
    // Weather: throttled before anything is read or done, so nothing changes.
    if (world.policy.throttles(operation)) throw throttling('Rate exceeded');
    const handler = OPERATIONS.get(operation);
    const raw = parseBody(body);
    if (handler === undefined) {
      throw validation(`UnsupportedOperation: ${operation} is not supported by the proton-conformance emulator`);
    }
    const input = checkedInput(operation, raw, body.includes('null'), world.policy);
    // Wire (policy.ts): a delivery is never answered otherwise for being a copy; conforming: undefined.
    const asked = world.policy.answersDelivery({ operation, account: world.account(caller.account).id, input, headers: req.headers });
    const instead = asked instanceof Promise ? await asked : asked;
    if (instead instanceof ApiError) throw instead;
    if (instead !== undefined) {
      sendResult(res, requestId, instead);
      return exchange;
    }
    // A variant's latency (policy.ts); conforming: none, and no await.
    const pause = world.policy.latency(operation);
    if (pause > 0) await delay(pause);
    const account = world.account(caller.account);
    const ctx: RequestContext = {
      world,
      account,
      region: caller.region,
      now: account.clock.now(),
      policy: world.policy,
      headers: req.headers,
    };
    const result = handler(ctx, input);
    const output = result instanceof Promise ? await result : result;
    // Wire (policy.ts): what follows the action before the answer is written; conforming: nothing, no await.
    const acted = world.policy.afterActing({
      operation,
      account: account.id,
      input,
      output,
      headers: req.headers,
      // Closed, or half-closed by the client (a FIN: nothing more will come, and no one may read the answer).
      clientGone: gone,
      clientLost: delivery.lost,
    });
    if (acted instanceof Promise) await acted;
    // Weather: the request was carried out in full; only its answer is lost.
    if (world.policy.failsAfterActing(operation)) {
      throw internalError(`We encountered an internal error. Please try again. (emulator weather: ${operation} was carried out)`);
    }
    delivery.answered(gone());
    // A parity variant's rewrite of the answer (policy.ts); conforming: the output as it is.
    sendResult(res, requestId, world.policy.answer(operation, output));
  } catch (error) {
    const answer = error instanceof ApiError ? error : unexpected(error);
    exchange.status = answer.status;
    sendError(res, requestId, answer);
  }
  return exchange;
}

/** What a connection's end said about the answers written on it: reset (the client closed it with an answer unread). */
interface ConnectionFate {
  reset: boolean;
  /** The last request whose answer was written on it. */
  last: number;
  requests: number;
}

const FATES = new WeakMap<Socket, ConnectionFate>();

/**
 * One answer's delivery on its connection. `lost()`: the client went away
 * without it, its connection closed before the answer was written, or reset
 * after it while it was the connection's latest answer (a client that closes
 * with bytes unread resets the connection; one that read its answer ends it).
 * Kept apart from the request (no closure over it), as a fault may keep it.
 */
function deliveryOf(socket: Socket): { lost(): boolean; answered(gone: boolean): void } {
  let fate = FATES.get(socket);
  if (fate === undefined) {
    const created: ConnectionFate = { reset: false, last: 0, requests: 0 };
    socket.once('close', (hadError: boolean) => {
      if (hadError) created.reset = true;
    });
    FATES.set(socket, created);
    fate = created;
  }
  const own = fate;
  const n = ++own.requests;
  let goneFirst = false;
  return {
    lost: () => goneFirst || (own.reset && own.last === n),
    answered: (gone) => {
      goneFirst = gone;
      own.last = n;
    },
  };
}

function unexpected(error: unknown): ApiError {
  // A bug of the emulator, never the client's doing: say so, keep serving.
  console.error('proton emulator: internal error:', error);
  return internalError('The emulator failed to answer this request (an emulator bug; see its standard error)');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function logLine(exchange: Exchange, ms: number): string {
  return `${new Date().toISOString()} ${exchange.account} ${exchange.operation} ${exchange.status} ${ms.toFixed(1)}ms`;
}
