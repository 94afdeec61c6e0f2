// HTTP and routing: hook requests to hooks.ts, STS's GetCallerIdentity to
// sts.ts, everything else through the AWS JSON 1.0 framing (protocol.ts), the
// model checks (validation.ts) and the operation's handler. No request,
// however malformed, escapes as an exception, and a rejected request changes
// nothing: every check runs before a handler touches state. The weather
// (weather.ts) comes in twice: a throttle before the checks, an error after
// a successful handler.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { World } from './accounts.ts';
import type { RequestContext } from './context.ts';
import { answerHook, HOOKS_PREFIX } from './hooks.ts';
import { accountOf, callerOf } from './identity.ts';
import { isModelOperation, OPERATIONS } from './operations.ts';
import {
  ApiError,
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
import { answerSts, isStsRequest } from './sts.ts';
import { checkedInput } from './validation.ts';

export interface ServerConfig {
  world: World;
  /** Receives one line per request when set. */
  log?: (line: string) => void;
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
      if (req.url?.startsWith(HOOKS_PREFIX)) done(handleHook(config.world, req, res, body, size));
      else if (isStsRequest(req.method, header(req, 'content-type'), req.headers['x-amz-target'])) done(handleSts(config.world, req, res, body));
      else void handleApi(config.world, req, res, body, size).then(done);
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

function handleSts(world: World, req: IncomingMessage, res: ServerResponse, body: Buffer): Exchange {
  const requestId = randomUUID();
  const caller = callerOf(header(req, 'authorization'));
  const answer = answerSts(world, caller, body, requestId);
  res.writeHead(answer.status, {
    'Content-Type': 'text/xml',
    'Content-Length': Buffer.byteLength(answer.xml),
    'x-amzn-RequestId': requestId,
  });
  res.end(answer.xml);
  return { account: world.accountIdOf(caller.account), operation: answer.operation, status: answer.status };
}

async function handleApi(
  world: World,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  size: number,
): Promise<Exchange> {
  const requestId = randomUUID();
  const caller = callerOf(header(req, 'authorization'));
  const exchange: Exchange = { account: world.accountIdOf(caller.account), operation: '-', status: 200 };
  // The client's connection closed before the answer was written (it gave up, or a proxy dropped it).
  let clientGone = false;
  res.once('close', () => {
    if (!res.writableFinished) clientGone = true;
  });
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
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
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
      clientGone: () => clientGone || req.socket.destroyed || req.socket.readableEnded,
    });
    if (acted instanceof Promise) await acted;
    // Weather: the request was carried out in full; only its answer is lost.
    if (world.policy.failsAfterActing(operation)) {
      throw internalError(`We encountered an internal error. Please try again. (emulator weather: ${operation} was carried out)`);
    }
    sendResult(res, requestId, output);
  } catch (error) {
    const answer = error instanceof ApiError ? error : unexpected(error);
    exchange.status = answer.status;
    sendError(res, requestId, answer);
  }
  return exchange;
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
