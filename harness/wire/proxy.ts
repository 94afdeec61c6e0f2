// The wire proxy: a fault-injecting HTTP proxy between any client and any
// target (issue 10). It forwards each request byte for byte (the same method,
// path, headers and body; hop-by-hop headers aside) to the target, and the
// target's answer back, except where its seeded fault schedule says
// otherwise: a response dropped after the target sent it, the client's side
// closed while the target works, a request delivered twice, delayed or
// overtaken, a 500, 503 or ThrottlingException answered by the proxy itself,
// before or after forwarding (specs/wire.ts lists them).
//
// Signatures: the proxy forwards the Host header unchanged, so the signature
// still matches what the target receives. The suite's own clients sign for
// the target's endpoint and connect to the proxy (harness/run/cell.ts, the
// handler's connectTo), so a real service, which checks the Host against its
// own name, gets the request it would get directly, over TLS for an https
// target (harness/wire/upstream.ts). Another client (the AWS CLI) signs for
// the host it sends to: the proxy's, which an emulator accepts; for a real
// service, make it sign for the service's host name and connect to the proxy
// (e.g. a resolver or /etc/hosts entry naming the proxy).
//
// Everything that happens is kept: each delivery (what came in, the fault,
// every answer of the target, what the client was shown), and a history of
// events in time order (harness/types.ts WireEvent) that the checks' own
// clients add to: the evidence of a wire failure.
import { INJECTED_HEADER } from '../client/weather.ts';
import { randomUUID } from 'node:crypto';
import { listen, splitHead } from './http1.ts';
import type { ProxyRequest, ProxyResponse } from './http1.ts';
import { Upstream } from './upstream.ts';
import { FAULTABLE_OPERATION, WIRE_FAULTS, WIRE_FAULT_KINDS } from '../../specs/wire.ts';
import type { WireFaultKind } from '../../specs/wire.ts';
import type { WireEvent } from '../types.ts';

/** When a fault applies to an eligible delivery (a Create* or Delete*). */
export type FaultWhen =
  /** The first delivery of each distinct request (operation and body): retries and resends of it pass. */
  | { kind: 'first' }
  /** The Nth eligible delivery (1-based, in arrival order). */
  | { kind: 'nth'; n: number }
  /** Each eligible delivery with this probability, from the seeded schedule. */
  | { kind: 'rate'; rate: number };

export interface FaultRule {
  fault: WireFaultKind;
  when: FaultWhen;
  /** The fault's time argument (close, delay, reorder), milliseconds. */
  ms?: number;
}

/**
 * Parses a fault spec: comma-separated `KIND[:MS][@WHEN]`, WHEN one of
 * `first` (the first delivery of each distinct request), `N` (the Nth
 * eligible delivery), a rate (`0.25` or `25%`); without @WHEN, every eligible
 * delivery. Throws an Error with a one-line message.
 */
export function parseFaults(spec: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (item === '' || item === 'none') continue;
    const match = /^([a-z0-9-]+)(?::(\d+))?(?:@(.+))?$/.exec(item);
    if (!match) throw new Error(`fault '${item}' is not KIND[:MS][@WHEN] (e.g. drop@first, delay:30@0.5, 500-after@2)`);
    const [, kind, ms, when] = match;
    if (!(WIRE_FAULT_KINDS as string[]).includes(kind!)) throw new Error(`unknown fault '${kind}' (known: ${WIRE_FAULT_KINDS.join(', ')})`);
    const fault = kind as WireFaultKind;
    if (ms !== undefined && WIRE_FAULTS[fault].defaultMs === undefined) throw new Error(`fault '${kind}' takes no :MS`);
    const rule: FaultRule = { fault, when: parseWhen(when, item) };
    if (ms !== undefined) rule.ms = Number(ms);
    rules.push(rule);
  }
  return rules;
}

function parseWhen(when: string | undefined, item: string): FaultWhen {
  if (when === undefined) return { kind: 'rate', rate: 1 };
  if (when === 'first') return { kind: 'first' };
  if (/^[1-9]\d*$/.test(when)) return { kind: 'nth', n: Number(when) };
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(when);
  const rate = percent ? Number(percent[1]) / 100 : /^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(when) ? Number(when) : NaN;
  if (!(rate >= 0 && rate <= 1)) throw new Error(`fault '${item}': @${when} is not first, a delivery number or a rate (0..1 or N%)`);
  return { kind: 'rate', rate };
}

/** The spec of a list of rules, as parseFaults reads it. */
export function faultSpec(rules: readonly FaultRule[]): string {
  if (rules.length === 0) return 'none';
  return rules
    .map((rule) => {
      const when =
        rule.when.kind === 'first'
          ? '@first'
          : rule.when.kind === 'nth'
            ? `@${rule.when.n}`
            : rule.when.rate === 1
              ? ''
              : `@${rule.when.rate}`;
      return `${rule.fault}${rule.ms !== undefined ? `:${rule.ms}` : ''}${when}`;
    })
    .join(',');
}

/** mulberry32 of (seed, delivery, rule): each decision drawn on its own, so a run replays whatever the timing. */
function draw(seed: number, delivery: number, rule: number): number {
  let t = (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(delivery, 0x85ebca6b) + Math.imul(rule + 1, 0xc2b2ae35)) >>> 0;
  t = (t + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** The seeded schedule: which fault (if any) each eligible delivery meets. */
export class FaultSchedule {
  private readonly seen = new Set<string>();
  private eligible = 0;

  constructor(
    readonly rules: readonly FaultRule[],
    readonly seed: number,
  ) {}

  /** The rule for the next eligible delivery of `key` (operation and body); undefined: it passes. */
  next(key: string): FaultRule | undefined {
    const n = ++this.eligible;
    const first = !this.seen.has(key);
    this.seen.add(key);
    return this.rules.find((rule, index) => {
      switch (rule.when.kind) {
        case 'first':
          return first;
        case 'nth':
          return rule.when.n === n;
        case 'rate':
          return rule.when.rate >= 1 || draw(this.seed, n, index) < rule.when.rate;
      }
    });
  }
}

/** The events of one cell's (or one proxy's) wire, in time order, bounded. */
export class WireHistory {
  /** Events as added: an event's text may still be a function (built when the history is read, off the hot path). */
  private readonly pending: Array<Omit<WireEvent, 'what'> & { what: string | (() => string) }> = [];
  /** Events dropped past the bound (the earliest are kept: the first faults explain the rest). */
  dropped = 0;

  constructor(
    readonly origin: number = performance.now(),
    private readonly limit = 2_000,
  ) {}

  add(who: string, operation: string, what: string | (() => string), delivery?: number, at = performance.now()): void {
    if (this.pending.length >= this.limit) {
      this.dropped++;
      return;
    }
    const event: Omit<WireEvent, 'what'> & { what: string | (() => string) } = {
      at: Math.max(0, Math.round((at - this.origin) * 10) / 10),
      who,
      operation,
      what,
    };
    if (delivery !== undefined) event.delivery = delivery;
    this.pending.push(event);
  }

  /** The events so far, as added. */
  get events(): WireEvent[] {
    return this.pending.map((event) => ({ ...event, what: typeof event.what === 'function' ? event.what() : event.what }));
  }

  /** The events in time order (clients report an exchange when it ends, stamped when it began). */
  sorted(): WireEvent[] {
    return this.events.sort((a, b) => a.at - b.at);
  }
}

/** One answer the target gave to a forwarded delivery. */
export interface TargetAnswer {
  status: number;
  /** The headers by lower-case name (a repeated one joined with ', '); built when first read. */
  readonly headers: Record<string, string>;
  /** The header lines as the target wrote them: name, value, name, value, ... (read from the kept bytes when first asked for). */
  readonly rawHeaders: readonly string[];
  /** The body as received and passed on. */
  raw: Buffer;
  /** The body as text (decoded when first read). */
  readonly body: string;
}

/**
 * The answer as kept: the bytes received (its head's and its body's, views of
 * what the socket read); the header lines, their record and the text are made
 * again only if a check or a report reads them. A class, and no strings kept:
 * a long-lived proxy keeps every answer, and what it keeps is what the
 * garbage collector goes over on each request.
 */
class KeptAnswer implements TargetAnswer {
  #lines: string[] | undefined;
  #headers: Record<string, string> | undefined;
  #text: string | undefined;

  constructor(
    readonly status: number,
    private readonly head: Buffer,
    readonly raw: Buffer,
    lines: string[],
  ) {
    this.#lines = lines;
  }

  get rawHeaders(): readonly string[] {
    return (this.#lines ??= headerLines(this.head));
  }

  /** The header lines for the one answer to the client, let go of afterwards. */
  takeLines(): readonly string[] {
    const lines = this.rawHeaders;
    this.#lines = undefined;
    return lines;
  }

  get headers(): Record<string, string> {
    if (this.#headers === undefined) {
      const headers: Record<string, string> = {};
      const lines = this.rawHeaders;
      for (let i = 0; i + 1 < lines.length; i += 2) {
        const name = lines[i]!.toLowerCase();
        headers[name] = headers[name] === undefined ? lines[i + 1]! : `${headers[name]}, ${lines[i + 1]!}`;
      }
      this.#headers = headers;
    }
    return this.#headers;
  }

  get body(): string {
    return (this.#text ??= this.raw.toString('utf8'));
  }
}

/** The header lines of a head the upstream side has read (and checked) before. */
function headerLines(head: Buffer): string[] {
  const split = splitHead(head.toString('latin1'));
  return typeof split === 'string' ? [] : split.rawHeaders;
}

/** A delivery as kept: its body's bytes, decoded when first read. */
class KeptDelivery implements Delivery {
  #raw: Buffer;
  #text: string | undefined;
  answers: Array<TargetAnswer | { error: string }> = [];
  invocation?: string;
  fault?: WireFaultKind;
  shown?: number | 'closed';

  constructor(
    readonly n: number,
    readonly operation: string,
    raw: Buffer,
    public attempt: number,
    public watched: boolean,
  ) {
    this.#raw = raw;
  }

  get body(): string {
    return (this.#text ??= this.#raw.toString('utf8'));
  }
}

/** One request as it reached the proxy, and what became of it. */
export interface Delivery {
  n: number;
  operation: string;
  /** The request body, as received and forwarded (decoded when first read). */
  readonly body: string;
  /** A create or delete: faults apply, and the history records it. */
  watched: boolean;
  /** The SDK's attempt number (amz-sdk-request), 1 when absent. */
  attempt: number;
  /** The SDK's invocation id (amz-sdk-invocation-id), shortened. */
  invocation?: string;
  fault?: WireFaultKind;
  /** The target's answer to each forward (two for a duplicate); an `error` where none came. */
  answers: Array<TargetAnswer | { error: string }>;
  /** What the client was shown: an HTTP status, or 'closed' (its connection closed without an answer). */
  shown?: number | 'closed';
}

export interface ProxyOptions {
  /** The target's origin (http://host:port); a path in it is ignored. */
  target: string;
  /** Port to listen on (default 0: any free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** The fault schedule: a spec (parseFaults) or rules; default none. */
  faults?: string | readonly FaultRule[];
  seed?: number;
  /** The history to add to (a cell's, shared by its proxies and clients); default a new one. */
  history?: WireHistory;
  /** Called once per delivery, when it is done (e.g. a line per request on the console). */
  onDelivery?: (delivery: Delivery) => void;
}

export interface RunningProxy {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  readonly schedule: FaultSchedule;
  readonly deliveries: readonly Delivery[];
  /** Resolves once no delivery is in the proxy's hands (a late or aborted one has reached the target or failed). */
  idle(): Promise<void>;
  /** Resolves once the proxy has received `count` deliveries in all (counted since it started). */
  received(count: number): Promise<void>;
  /** From now on, another schedule (its counts start afresh). */
  reschedule(faults: string | readonly FaultRule[], seed?: number): void;
  readonly history: WireHistory;
  close(): Promise<void>;
}

/** Headers that belong to one connection, never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect']);

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const target = new URL(options.target);
  const origin = target.origin;
  const rules = typeof options.faults === 'string' ? parseFaults(options.faults) : [...(options.faults ?? [])];
  let schedule = new FaultSchedule(rules, options.seed ?? 0);
  const history = options.history ?? new WireHistory();
  // Kept-alive connections to the target, one request at a time on each (harness/wire/http1.ts says why not undici and node:http).
  const upstream = new Upstream(origin, { connections: 64 });
  const deliveries: Delivery[] = [];
  const held = new Set<() => void>();
  /** Late deliveries waiting for a retry of the same call to be answered, by retryKey. */
  const lateWaiters = new Map<string, Set<() => void>>();
  /**
   * What tells a retry of one call from another call with the same input: the
   * SDK's invocation id (kept across its retries and the harness's resends),
   * else the request itself (operation and body).
   */
  const retryKeys = new WeakMap<Delivery, string>();
  let count = 0;
  /** Deliveries the proxy is still working on (held, forwarding, late), and who waits for none. */
  let active = 0;
  const idlers: Array<() => void> = [];
  /** Who waits for the proxy to have received so many deliveries in all. */
  const arrivals = new Set<{ count: number; resolve: () => void }>();

  /** One forward to the target; resolves with its answer or the failure (never rejects). */
  const forward = async (
    request: Incoming,
    delivery: Delivery,
    signal?: AbortSignal,
    onWritten?: () => void,
  ): Promise<TargetAnswer | { error: string }> => {
    try {
      const answer = await upstream.send(request.method, request.head, request.body, signal, onWritten);
      const got = new KeptAnswer(answer.status, answer.head, answer.body, answer.rawHeaders);
      delivery.answers.push(got);
      if (delivery.watched) history.add('target', delivery.operation, () => `answered ${summarizeAnswer(got)}`, delivery.n);
      return got;
    } catch (error) {
      const failed = {
        error: error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error),
      };
      delivery.answers.push(failed);
      history.add(
        'target',
        delivery.operation,
        signal?.aborted
          ? 'answer not awaited (the forwarded request was aborted with the client connection)'
          : `no answer (${failed.error})`,
        delivery.n,
      );
      return failed;
    } finally {
      // A later request has been forwarded and answered: the ones held for reordering may go now,
      // and the late originals of this very request (its retry has overtaken them).
      if (delivery.fault !== 'reorder' && held.size > 0) releaseHeld();
      if (delivery.fault !== 'late' && delivery.watched && lateWaiters.size > 0)
        for (const release of [...(lateWaiters.get(retryKeys.get(delivery)!) ?? [])]) release();
    }
  };

  const releaseHeld = (): void => {
    for (const release of [...held]) release();
  };

  const reply = (res: ProxyResponse, delivery: Delivery, answer: TargetAnswer | { error: string }): void => {
    if ('error' in answer) {
      gatewayPage(res, 502, 'Bad Gateway');
      delivery.shown = 502;
    } else {
      // The target's header lines in its order and spelling, less those of its connection; the body framed by its length.
      const headers: string[] = [];
      const raw = answer instanceof KeptAnswer ? answer.takeLines() : answer.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const lower = raw[i]!.toLowerCase();
        if (!HOP_BY_HOP.has(lower) && lower !== 'content-length') headers.push(raw[i]!, raw[i + 1]!);
      }
      res.send(answer.status, headers, answer.raw);
      delivery.shown = answer.status;
    }
    if (delivery.watched)
      history.add(
        'proxy',
        delivery.operation,
        `gave the client ${delivery.shown === 502 ? 'HTTP 502 (the target did not answer)' : `the target's answer (HTTP ${delivery.shown})`}`,
        delivery.n,
      );
  };

  const closeClient = (res: ProxyResponse, delivery: Delivery, why: string): void => {
    res.close();
    delivery.shown = 'closed';
    history.add('proxy', delivery.operation, `closed the client's connection without an answer (${why})`, delivery.n);
  };

  const inject = (res: ProxyResponse, delivery: Delivery, fault: WireFaultKind): void => {
    const status = fault.startsWith('500') ? 500 : fault.startsWith('503') ? 503 : 429;
    if (status === 503) gatewayPage(res, 503, 'Service Unavailable', [INJECTED_HEADER, fault]);
    else {
      const type = status === 500 ? 'InternalServerException' : 'ThrottlingException';
      const message = status === 500 ? 'We encountered an internal error. Please try again.' : 'Rate exceeded';
      const text = JSON.stringify({
        __type: `com.amazonaws.proton#${type}`,
        message: `${message} (injected by the proton-conformance proxy)`,
      });
      res.send(
        status,
        [
          'content-type',
          'application/x-amz-json-1.0',
          'x-amzn-requestid',
          randomUUID(),
          'x-amzn-errortype',
          type,
          // Counted apart from the target's weather by the harness (harness/client/weather.ts).
          INJECTED_HEADER,
          fault,
        ],
        text,
      );
    }
    delivery.shown = status;
    const what =
      status === 500 ? 'InternalServerException (HTTP 500)' : status === 503 ? 'HTTP 503 (gateway page)' : 'ThrottlingException (HTTP 429)';
    history.add(
      'proxy',
      delivery.operation,
      `answered ${what} itself, ${fault.endsWith('before') ? 'without forwarding' : "instead of the target's answer"}`,
      delivery.n,
    );
  };

  const handle = async (req: ProxyRequest, res: ProxyResponse): Promise<void> => {
    const body = req.body;
    const request = incoming(req);
    const operation = operationOf(request.target, req);
    const faultable = FAULTABLE_OPERATION.test(operation);
    // Reads, hooks and STS pass untouched and unrecorded in the history (their bodies decoded only if asked).
    const delivery = new KeptDelivery(++count, operation, body, attemptOf(request.attempt), faultable);
    const text = faultable ? delivery.body : '';
    const invocation = request.invocation;
    if (invocation !== undefined) delivery.invocation = invocation.slice(0, 8);
    // The invocation id copied out of the request's head (a slice of it would keep the head).
    if (faultable)
      retryKeys.set(
        delivery,
        invocation !== undefined ? Buffer.from(`invocation ${invocation}`, 'latin1').toString('latin1') : `${operation}\u0000${text}`,
      );
    deliveries.push(delivery);
    active++;
    if (arrivals.size > 0)
      for (const waiter of [...arrivals]) if (deliveries.length >= waiter.count) arrivals.delete(waiter), waiter.resolve();
    const rule = faultable ? schedule.next(`${operation}\u0000${text}`) : undefined;
    if (rule) delivery.fault = rule.fault;
    const ms = rule?.ms ?? (rule ? WIRE_FAULTS[rule.fault].defaultMs : undefined) ?? 0;
    if (faultable) {
      history.add(
        'proxy',
        operation,
        () => `received ${describeRequest(text, delivery)}${rule ? `; fault ${rule.fault}${ms ? ` (${ms} ms)` : ''}` : ''}`,
        delivery.n,
      );
    }
    try {
      switch (rule?.fault) {
        case undefined:
          reply(res, delivery, await forward(request, delivery));
          return;
        case 'drop':
          await forward(request, delivery);
          closeClient(res, delivery, 'the response was dropped after the target sent it');
          return;
        case 'close': {
          // The client gives up once its request is with the target (and MS later, when given): at once, the
          // target's connection closes right behind the request, before the target can have answered, so the
          // target always meets a client gone while it works, however busy the machine.
          const controller = new AbortController();
          let gaveUp = false;
          const giveUp = (): void => {
            if (gaveUp) return;
            gaveUp = true;
            closeClient(
              res,
              delivery,
              `the client gave up ${ms > 0 ? `${ms} ms after its request reached the target` : 'as soon as its request reached the target'}; the forwarded request is aborted, the target finishes what it started`,
            );
            controller.abort(new Error('the client went away'));
          };
          let timer: NodeJS.Timeout | undefined;
          const forwarded = forward(request, delivery, controller.signal, () => {
            if (ms > 0) timer = setTimeout(giveUp, ms);
            else giveUp();
          });
          await forwarded;
          clearTimeout(timer);
          // The target answered within MS, or the forward failed before the request was written: the client still gives up.
          giveUp();
          return;
        }
        case 'late': {
          closeClient(res, delivery, `the client timed out; the request is held until a retry of it has been answered (at most ${ms} ms)`);
          const held = performance.now();
          await new Promise<void>((resolve) => {
            const key = retryKeys.get(delivery)!;
            const waiting = lateWaiters.get(key) ?? new Set<() => void>();
            lateWaiters.set(key, waiting);
            const release = (): void => {
              clearTimeout(timer);
              waiting.delete(release);
              if (waiting.size === 0) lateWaiters.delete(key);
              resolve();
            };
            const timer = setTimeout(release, ms);
            waiting.add(release);
          });
          history.add(
            'proxy',
            operation,
            `forwarded the request the client gave up on, ${Math.round(performance.now() - held)} ms late`,
            delivery.n,
          );
          await forward(request, delivery);
          return;
        }
        case 'duplicate': {
          const first = await forward(request, delivery);
          history.add('proxy', operation, 'delivered the same request again', delivery.n);
          await forward(request, delivery);
          reply(res, delivery, first);
          return;
        }
        case 'overlap': {
          history.add('proxy', operation, 'delivered the same request twice at once', delivery.n);
          const both = [forward(request, delivery), forward(request, delivery)];
          const first = await Promise.race(both);
          reply(res, delivery, first);
          await Promise.all(both);
          return;
        }
        case 'delay':
          await new Promise((resolve) => setTimeout(resolve, ms));
          history.add('proxy', operation, `forwarded after ${ms} ms`, delivery.n);
          reply(res, delivery, await forward(request, delivery));
          return;
        case 'reorder': {
          await new Promise<void>((resolve) => {
            const release = (): void => {
              clearTimeout(timer);
              held.delete(release);
              resolve();
            };
            const timer = setTimeout(release, ms);
            held.add(release);
          });
          history.add('proxy', operation, 'forwarded after the request that overtook it (or its wait ran out)', delivery.n);
          reply(res, delivery, await forward(request, delivery));
          return;
        }
        case '500-before':
        case '503-before':
        case 'throttle-before':
          inject(res, delivery, rule.fault);
          return;
        case '500-after':
        case '503-after':
        case 'throttle-after':
          await forward(request, delivery);
          inject(res, delivery, rule.fault);
          return;
      }
    } finally {
      options.onDelivery?.(delivery);
      if (--active === 0) for (const resolve of idlers.splice(0)) resolve();
    }
  };

  const host = options.host ?? '127.0.0.1';
  const listener = await listen({ port: options.port ?? 0, host, keepAliveMs: 10_000 }, (req, res) => {
    void handle(req, res).catch((error: unknown) => {
      history.add('proxy', '-', `internal error: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.sent) gatewayPage(res, 502, 'Bad Gateway');
    });
  });
  const port = listener.port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    get schedule() {
      return schedule;
    },
    deliveries,
    idle() {
      return active === 0 ? Promise.resolve() : new Promise<void>((resolve) => idlers.push(resolve));
    },
    received(count) {
      return deliveries.length >= count ? Promise.resolve() : new Promise<void>((resolve) => arrivals.add({ count, resolve }));
    },
    reschedule(faults, seed = schedule.seed) {
      schedule = new FaultSchedule(typeof faults === 'string' ? parseFaults(faults) : [...faults], seed);
    },
    history,
    async close() {
      releaseHeld();
      for (const waiting of [...lateWaiters.values()]) for (const release of [...waiting]) release();
      await listener.close();
      await upstream.close().catch(() => undefined);
    },
  };
}

const NEEDS_LENGTH = new Set(['POST', 'PUT', 'PATCH']);

/** Operation names seen, each kept once as a string of its own (a slice of a request's head would keep the whole head). */
const OPERATIONS = new Map<string, string>();

/** "CreateEnvironmentTemplate" for X-Amz-Target AwsProton20200720.CreateEnvironmentTemplate; "METHOD /path" without one. */
function operationOf(amzTarget: string | undefined, req: ProxyRequest): string {
  const name = (amzTarget === undefined ? '' : amzTarget.slice(amzTarget.indexOf('.') + 1)) || `${req.method} ${req.url}`;
  const known = OPERATIONS.get(name);
  if (known !== undefined) return known;
  const own = Buffer.from(name, 'latin1').toString('latin1');
  if (OPERATIONS.size < 1_000) OPERATIONS.set(own, own);
  return own;
}

/** A request as the proxy forwards it, read from the client's header lines in one pass. */
interface Incoming {
  method: string;
  /** Its request line and header lines (the client's, less those of its connection), without the final empty line. */
  head: string;
  body: Buffer;
  /** X-Amz-Target, amz-sdk-request and amz-sdk-invocation-id, as req.headers would have them (repeats joined with ', '). */
  target: string | undefined;
  attempt: string | undefined;
  invocation: string | undefined;
}

function incoming(req: ProxyRequest): Incoming {
  const { method, body } = req;
  const raw = req.rawHeaders;
  let head = `${method} ${req.url} HTTP/1.1\r\n`;
  let target: string | undefined;
  let attempt: string | undefined;
  let invocation: string | undefined;
  let length = false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    head += `${name}: ${value}\r\n`;
    if (lower === 'x-amz-target') target = target === undefined ? value : `${target}, ${value}`;
    else if (lower === 'amz-sdk-request') attempt = attempt === undefined ? value : `${attempt}, ${value}`;
    else if (lower === 'amz-sdk-invocation-id') invocation = invocation === undefined ? value : `${invocation}, ${value}`;
    else if (lower === 'content-length') length = true;
  }
  // A body the client sent chunked (Transfer-Encoding is its connection's) goes on with its length.
  if (!length && (body.length > 0 || NEEDS_LENGTH.has(method))) head += `content-length: ${body.length}\r\n`;
  return { method, head, body, target, attempt, invocation };
}

function gatewayPage(res: ProxyResponse, status: number, title: string, extra: readonly string[] = []): void {
  const page = `<html><body><h1>${status} ${title}</h1><p>proton-conformance proxy</p></body></html>`;
  res.send(status, ['content-type', 'text/html', ...extra], page);
}

function attemptOf(value: string | undefined): number {
  const match = value === undefined ? null : /attempt=(\d+)/.exec(value);
  return match ? Number(match[1]) : 1;
}

/** "attempt 2, token abc…" / "name pc…-x": what tells one logical request from another. */
export function describeRequest(body: string, delivery: Pick<Delivery, 'attempt' | 'invocation'>): string {
  const parts = [`attempt ${delivery.attempt}`];
  if (delivery.invocation) parts.push(`invocation ${delivery.invocation}`);
  const key = logicalKey(body);
  if (key) parts.push(key);
  return parts.join(', ');
}

/** The token or name a request body carries ("token T", "name N"), for timelines. */
export function logicalKey(body: string): string | undefined {
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof input['clientToken'] === 'string') return `token ${shorten(input['clientToken'])}`;
  for (const member of ['name', 'id', 'templateName']) {
    if (typeof input[member] === 'string') {
      const minor = typeof input['minorVersion'] === 'string' ? ` ${String(input['majorVersion'])}.${input['minorVersion']}` : '';
      return `${member} ${shorten(input[member])}${minor}`;
    }
  }
  return undefined;
}

/** "HTTP 200 naming environment-template/x", "HTTP 200 empty", "ConflictException (HTTP 409)". */
export function summarizeAnswer(answer: { status: number; headers: Record<string, string>; body: string }): string {
  if (answer.status >= 200 && answer.status < 300) {
    const named = namedIn(answer.body);
    return named ? `HTTP ${answer.status} naming ${named}` : `HTTP ${answer.status} empty`;
  }
  const type = answer.headers['x-amzn-errortype']?.split(':')[0] ?? errorTypeIn(answer.body);
  return type ? `${type} (HTTP ${answer.status})` : `HTTP ${answer.status}`;
}

/** The resource a success body names: its ARN's resource part (with version numbers), or undefined when empty. */
export function namedIn(body: string): string | undefined {
  let output: Record<string, unknown>;
  try {
    output = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  for (const value of Object.values(output)) {
    if (value === null || typeof value !== 'object') continue;
    const resource = value as Record<string, unknown>;
    if (typeof resource['arn'] === 'string') {
      const arn = resource['arn'];
      const status = ['status', 'deploymentStatus'].map((field) => resource[field]).find((v) => typeof v === 'string');
      return `${arn.slice(arn.lastIndexOf(':') + 1)}${status ? ` (${String(status)})` : ''}`;
    }
  }
  return undefined;
}

function errorTypeIn(body: string): string | undefined {
  try {
    const type = (JSON.parse(body) as { __type?: unknown }).__type;
    return typeof type === 'string' ? type.slice(type.lastIndexOf('#') + 1) : undefined;
  } catch {
    return undefined;
  }
}

function shorten(value: string): string {
  return value.length > 40 ? `${value.slice(0, 18)}…${value.slice(-18)}` : value;
}
