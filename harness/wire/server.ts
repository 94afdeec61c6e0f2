// The wire proxy's server (harness/wire/proxy.ts says what the proxy does): it
// listens for clients (harness/wire/http1.ts), forwards each request to the
// target over kept-alive connections (harness/wire/upstream.ts), plays the
// fault the schedule gives it (harness/wire/faults.ts), and records what it
// saw and did (harness/wire/history.ts).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FAULTABLE_OPERATION, WIRE_FAULTS } from '../../specs/wire.ts';
import type { WireFaultKind } from '../../specs/wire.ts';
import { INJECTED_HEADER } from '../client/weather.ts';
import { FaultSchedule, faultRules } from './faults.ts';
import type { FaultRule } from './faults.ts';
import { describeRequest, KeptAnswer, KeptDelivery, summarizeAnswer, WireHistory } from './history.ts';
import type { Delivery, ForwardTiming, TargetAnswer } from './history.ts';
import { listen } from './http1.ts';
import type { ProxyRequest, ProxyResponse } from './http1.ts';
import { attemptOf, HOP_BY_HOP, incoming, operationOf } from './incoming.ts';
import type { Incoming } from './incoming.ts';
import { Upstream } from './upstream.ts';

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
  /**
   * Holds the first `together` watched deliveries until all of them are in the proxy's hands (a gate; at most
   * togetherMs), then forwards them at once: identical requests sent at once meet at the target however busy
   * the machine that sends them. Later deliveries pass.
   */
  together?: number;
  /** How long a group of `together` waits for its last member before the proxy lets go of those it holds (default TOGETHER_MS). */
  togetherMs?: number;
  /** Called once when a group of `together` is let go before it filled: `came` of `of` had come within `ms`. */
  onGroupExpired?: (came: number, of: number, ms: number) => void;
  /**
   * A `late` delivery is let go only by an answered retry of its own call (the same SDK invocation: a later attempt
   * of it), not by another call with the same operation and body: where several clients send one request at once,
   * the original then reaches the target after its own retry, whichever client the target answers first.
   */
  lateByCall?: boolean;
}

/** How long the proxy waits by default for the rest of a group (ProxyOptions.together) before it lets go of those it holds. */
export const TOGETHER_MS = 5_000;

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
  /** From now on, the next `count` watched deliveries are held until all have come, then forwarded at once (as `together`). */
  gather(count: number): void;
  readonly history: WireHistory;
  close(): Promise<void>;
}

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const origin = new URL(options.target).origin;
  const schedule = new FaultSchedule(faultRules(options.faults), options.seed ?? 0);
  const proxy = new WireProxy(origin, schedule, options.history ?? new WireHistory(), options.onDelivery);
  proxy.lateByCall = options.lateByCall === true;
  proxy.togetherMs = options.togetherMs ?? TOGETHER_MS;
  if (options.onGroupExpired) proxy.onGroupExpired = options.onGroupExpired;
  if (options.together !== undefined && options.together > 1) proxy.gather(options.together);
  const host = options.host ?? '127.0.0.1';
  const listener = await listen({ port: options.port ?? 0, host, keepAliveMs: 10_000 }, (req, res) => proxy.serve(req, res));
  const port = listener.port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    get schedule() {
      return proxy.schedule;
    },
    deliveries: proxy.deliveries,
    idle: () => proxy.idle(),
    received: (count) => proxy.received(count),
    reschedule(faults, seed = proxy.schedule.seed) {
      proxy.schedule = new FaultSchedule(faultRules(faults), seed);
    },
    gather: (count) => proxy.gather(count),
    history: proxy.history,
    async close() {
      proxy.releaseAll();
      await listener.close();
      await proxy.upstream.close().catch(() => undefined);
    },
  };
}

type Answer = TargetAnswer | { error: string };

/** A delivery in the proxy's hands: the client's request as it goes on, its record, and the client's response. */
interface Exchange {
  request: Incoming;
  delivery: KeptDelivery;
  res: ProxyResponse;
  /** What tells a retry of this call from another call with the same input (retryKeyOf); '' for a delivery not watched. */
  retryKey: string;
  /** The fault's time argument: its :MS, else its default; 0 without one. */
  ms: number;
}

/** What one proxy holds: its schedule, its deliveries, and those it has in hand. */
class WireProxy {
  readonly deliveries: KeptDelivery[] = [];
  /** Deliveries held for reordering, each released by the next forward answered. */
  private readonly held = new Set<() => void>();
  /** Late deliveries waiting for a retry of the same call to be answered, by retry key and by their bytes (lateKeys). */
  private readonly lateWaiters = new Map<string, Set<() => void>>();
  /** Deliveries the proxy is still working on (held, forwarding, late), and who waits for none. */
  private active = 0;
  private readonly idlers: Array<() => void> = [];
  /** Who waits for the proxy to have received so many deliveries in all. */
  private readonly arrivals = new Set<{ count: number; resolve: () => void }>();
  /** Kept-alive connections to the target, one request at a time on each (harness/wire/http1.ts says why not undici and node:http). */
  readonly upstream: Upstream;
  /** The group being gathered (ProxyOptions.together): how many more to wait for, and those held. */
  private group: { size: number; missing: number; held: Set<() => void>; expired?: boolean } | undefined;
  /** ProxyOptions.lateByCall: a late delivery waits for its own call's retry alone. */
  lateByCall = false;
  /** ProxyOptions.togetherMs: the bound of a group's wait. */
  togetherMs = TOGETHER_MS;
  /** ProxyOptions.onGroupExpired. */
  onGroupExpired?: (came: number, of: number, ms: number) => void;

  constructor(
    origin: string,
    public schedule: FaultSchedule,
    readonly history: WireHistory,
    private readonly onDelivery?: (delivery: Delivery) => void,
  ) {
    this.upstream = new Upstream(origin, { connections: 64 });
  }

  idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.idlers.push(resolve));
  }

  received(count: number): Promise<void> {
    return this.deliveries.length >= count ? Promise.resolve() : new Promise<void>((resolve) => this.arrivals.add({ count, resolve }));
  }

  /** From now on, the next `count` watched deliveries are held until all have come (ProxyOptions.together). */
  gather(count: number): void {
    this.group = { size: count, missing: count, held: new Set() };
  }

  /** A watched delivery joins the group being gathered: held until the group is complete (the last one releases all). */
  private async join(x: Exchange): Promise<void> {
    const group = this.group;
    if (group === undefined || group.missing <= 0) return;
    group.missing--;
    if (group.missing === 0) {
      this.group = undefined;
      for (const release of [...group.held]) release();
      return;
    }
    const since = performance.now();
    await hold(group.held, this.togetherMs);
    if (group.missing > 0 && !group.expired) {
      // The wait ran out: the others go too, and the group is over (told once, by the first whose wait ran out).
      group.expired = true;
      if (this.group === group) this.group = undefined;
      for (const release of [...group.held]) release();
      this.onGroupExpired?.(group.size - group.missing, group.size, this.togetherMs);
    }
    const waited = Math.round(performance.now() - since);
    const until = group.expired ? '; the requests sent with it did not all come' : ' until the requests sent with it had come';
    this.history.add('proxy', x.delivery.operation, `held ${waited} ms${until}`, x.delivery.n);
  }

  /** Lets go of every delivery held (the proxy is closing). */
  releaseAll(): void {
    this.releaseHeld();
    if (this.group) for (const release of [...this.group.held]) release();
    for (const waiting of [...this.lateWaiters.values()]) for (const release of [...waiting]) release();
  }

  /** Handles one request; an internal failure is recorded, and answered 502 if nothing was sent yet. */
  serve(req: ProxyRequest, res: ProxyResponse): void {
    this.handle(req, res).catch((error: unknown) => {
      this.history.add('proxy', '-', `internal error: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.sent) gatewayPage(res, 502, 'Bad Gateway');
    });
  }

  private async handle(req: ProxyRequest, res: ProxyResponse): Promise<void> {
    const exchange = this.admit(req, res);
    const { delivery } = exchange;
    // Reads, hooks and STS pass untouched and unrecorded in the history (their bodies decoded only if asked).
    const text = delivery.watched ? delivery.body : '';
    const rule = delivery.watched ? this.schedule.next(`${delivery.operation}\u0000${text}`) : undefined;
    if (rule) delivery.fault = rule.fault;
    const ms = rule?.ms ?? (rule ? WIRE_FAULTS[rule.fault].defaultMs : undefined) ?? 0;
    exchange.ms = ms;
    if (delivery.watched) {
      const fault = rule ? `; fault ${rule.fault}${ms ? ` (${ms} ms)` : ''}` : '';
      this.history.add('proxy', delivery.operation, () => `received ${describeRequest(text, delivery)}${fault}`, delivery.n);
    }
    try {
      if (delivery.watched) await this.join(exchange);
      if (rule === undefined) this.reply(exchange, await this.forward(exchange));
      else await this.play(exchange, rule.fault);
    } finally {
      this.onDelivery?.(delivery);
      this.active--;
      if (this.active === 0) for (const resolve of this.idlers.splice(0)) resolve();
    }
  }

  /** Takes a request in: its delivery, numbered and kept, counted as in hand; who waited for it told. */
  private admit(req: ProxyRequest, res: ProxyResponse): Exchange {
    const request = incoming(req);
    const operation = operationOf(request.target, req);
    const watched = FAULTABLE_OPERATION.test(operation);
    const delivery = new KeptDelivery(this.deliveries.length + 1, operation, req.body, attemptOf(request.attempt), watched);
    const invocation = request.invocation;
    if (invocation !== undefined) delivery.invocation = invocation.slice(0, 8);
    const retryKey = watched ? retryKeyOf(invocation, operation, delivery.body) : '';
    this.deliveries.push(delivery);
    this.active++;
    if (this.arrivals.size > 0) this.tellArrivals();
    return { request, delivery, res, retryKey, ms: 0 };
  }

  /** Resolves who waited for as many deliveries as the proxy has now received. */
  private tellArrivals(): void {
    for (const waiter of [...this.arrivals]) {
      if (this.deliveries.length < waiter.count) continue;
      this.arrivals.delete(waiter);
      waiter.resolve();
    }
  }

  /** Plays the delivery's fault. */
  private async play(x: Exchange, fault: WireFaultKind): Promise<void> {
    switch (fault) {
      case 'drop':
        await this.forward(x);
        this.closeClient(x, 'the response was dropped after the target sent it');
        return;
      case 'close':
        return this.giveUp(x);
      case 'late':
        return this.forwardLate(x);
      case 'duplicate':
        return this.duplicate(x);
      case 'overlap':
        return this.overlap(x);
      case 'delay':
        await sleep(x.ms);
        this.history.add('proxy', x.delivery.operation, `forwarded after ${x.ms} ms`, x.delivery.n);
        this.reply(x, await this.forward(x));
        return;
      case 'reorder':
        await hold(this.held, x.ms);
        this.history.add('proxy', x.delivery.operation, 'forwarded after the request that overtook it (or its wait ran out)', x.delivery.n);
        this.reply(x, await this.forward(x));
        return;
      case '500-before':
      case '503-before':
      case 'throttle-before':
        this.inject(x, fault);
        return;
      case '500-after':
      case '503-after':
      case 'throttle-after':
        await this.forward(x);
        this.inject(x, fault);
        return;
    }
  }

  /**
   * The client gives up once its request is with the target (and MS later, when given): at once, the target's
   * connection closes right behind the request, before the target can have answered, so the target always meets
   * a client gone while it works, however busy the machine.
   */
  private async giveUp(x: Exchange): Promise<void> {
    const { ms } = x;
    const controller = new AbortController();
    let gaveUp = false;
    const giveUp = (): void => {
      if (gaveUp) return;
      gaveUp = true;
      const when = ms > 0 ? `${ms} ms after its request reached the target` : 'as soon as its request reached the target';
      this.closeClient(x, `the client gave up ${when}; the forwarded request is aborted, the target finishes what it started`);
      controller.abort(new Error('the client went away'));
    };
    let timer: NodeJS.Timeout | undefined;
    await this.forward(x, controller.signal, () => {
      if (ms > 0) timer = setTimeout(giveUp, ms);
      else giveUp();
    });
    clearTimeout(timer);
    // The target answered within MS, or the forward failed before the request was written: the client still gives up.
    giveUp();
  }

  /** The client times out at once; the request goes on once a retry of it has been answered (or MS ran out). */
  private async forwardLate(x: Exchange): Promise<void> {
    const { delivery, retryKey } = x;
    this.closeClient(x, `the client timed out; the request is held until a retry of it has been answered (at most ${x.ms} ms)`);
    const since = performance.now();
    const keys = lateKeys(retryKey, delivery, this.lateByCall);
    await new Promise<void>((resolve) => {
      const release = (): void => {
        clearTimeout(timer);
        for (const key of keys) {
          const waiting = this.lateWaiters.get(key);
          waiting?.delete(release);
          if (waiting?.size === 0) this.lateWaiters.delete(key);
        }
        resolve();
      };
      const timer = setTimeout(release, x.ms);
      for (const key of keys) {
        const waiting = this.lateWaiters.get(key) ?? new Set<() => void>();
        this.lateWaiters.set(key, waiting);
        waiting.add(release);
      }
    });
    const late = Math.round(performance.now() - since);
    this.history.add('proxy', delivery.operation, `forwarded the request the client gave up on, ${late} ms late`, delivery.n);
    await this.forward(x);
  }

  private async duplicate(x: Exchange): Promise<void> {
    const first = await this.forward(x);
    this.history.add('proxy', x.delivery.operation, 'delivered the same request again', x.delivery.n);
    await this.forward(x);
    this.reply(x, first);
  }

  private async overlap(x: Exchange): Promise<void> {
    this.history.add('proxy', x.delivery.operation, 'delivered the same request twice at once', x.delivery.n);
    const both = [this.forward(x), this.forward(x)];
    this.reply(x, await Promise.race(both));
    await Promise.all(both);
  }

  /** One forward to the target; resolves with its answer or the failure (never rejects). */
  private async forward(x: Exchange, signal?: AbortSignal, onWritten?: () => void): Promise<Answer> {
    const { request, delivery } = x;
    const timing: ForwardTiming = {};
    delivery.forwards.push(timing);
    const written = (): void => {
      timing.sentAt = performance.now();
      onWritten?.();
    };
    try {
      const answer = await this.upstream.send(request.method, request.head, request.body, signal, written);
      timing.answeredAt = performance.now();
      const got = new KeptAnswer(answer.status, answer.head, answer.body, answer.rawHeaders);
      delivery.answers.push(got);
      if (delivery.watched) this.history.add('target', delivery.operation, () => `answered ${summarizeAnswer(got)}`, delivery.n);
      return got;
    } catch (error) {
      const failed = {
        error: error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error),
      };
      delivery.answers.push(failed);
      if (signal?.aborted) timing.abortedAt = performance.now();
      else timing.failedAt = performance.now();
      const what = signal?.aborted
        ? 'answer not awaited (the forwarded request was aborted with the client connection)'
        : `no answer (${failed.error})`;
      this.history.add('target', delivery.operation, what, delivery.n);
      return failed;
    } finally {
      this.forwarded(x, timing.answeredAt !== undefined);
    }
  }

  /**
   * A request has been forwarded (and, when `answered`, answered): the ones held for reordering may go now, and,
   * once it was answered, the late originals of this very request (its retry has overtaken them; an aborted or
   * failed forward overtook nothing).
   */
  private forwarded({ delivery, retryKey }: Exchange, answered: boolean): void {
    if (delivery.fault !== 'reorder' && this.held.size > 0) this.releaseHeld();
    if (answered && delivery.fault !== 'late' && delivery.watched && this.lateWaiters.size > 0)
      for (const key of lateKeys(retryKey, delivery, this.lateByCall))
        for (const release of [...(this.lateWaiters.get(key) ?? [])]) release();
  }

  private releaseHeld(): void {
    for (const release of [...this.held]) release();
  }

  /** Gives the client the target's answer (a 502 where none came). */
  private reply({ res, delivery }: Exchange, answer: Answer): void {
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
    if (!delivery.watched) return;
    const what = delivery.shown === 502 ? 'HTTP 502 (the target did not answer)' : `the target's answer (HTTP ${delivery.shown})`;
    this.history.add('proxy', delivery.operation, `gave the client ${what}`, delivery.n);
  }

  private closeClient({ res, delivery }: Exchange, why: string): void {
    res.close();
    delivery.shown = 'closed';
    this.history.add('proxy', delivery.operation, `closed the client's connection without an answer (${why})`, delivery.n);
  }

  /** Answers the client a 500, 503 or ThrottlingException made up by the proxy. */
  private inject({ res, delivery }: Exchange, fault: WireFaultKind): void {
    const status = fault.startsWith('500') ? 500 : fault.startsWith('503') ? 503 : 429;
    if (status === 503) gatewayPage(res, 503, 'Service Unavailable', [INJECTED_HEADER, fault]);
    else injectedError(res, status, fault);
    delivery.shown = status;
    const what =
      status === 500 ? 'InternalServerException (HTTP 500)' : status === 503 ? 'HTTP 503 (gateway page)' : 'ThrottlingException (HTTP 429)';
    const instead = fault.endsWith('before') ? 'without forwarding' : "instead of the target's answer";
    this.history.add('proxy', delivery.operation, `answered ${what} itself, ${instead}`, delivery.n);
  }
}

/** An InternalServerException (500) or a ThrottlingException (429) as the service writes one, marked as the proxy's. */
function injectedError(res: ProxyResponse, status: 500 | 429, fault: WireFaultKind): void {
  const type = status === 500 ? 'InternalServerException' : 'ThrottlingException';
  const message = status === 500 ? 'We encountered an internal error. Please try again.' : 'Rate exceeded';
  const text = JSON.stringify({ __type: `com.amazonaws.proton#${type}`, message: `${message} (injected by the proton-conformance proxy)` });
  const headers = ['content-type', 'application/x-amz-json-1.0', 'x-amzn-requestid', randomUUID(), 'x-amzn-errortype', type];
  // Counted apart from the target's weather by the harness (harness/client/weather.ts).
  headers.push(INJECTED_HEADER, fault);
  res.send(status, headers, text);
}

/**
 * What tells a retry of one call from another call with the same input: the
 * SDK's invocation id (kept across its retries and the harness's resends),
 * else the request itself (operation and body).
 */
function retryKeyOf(invocation: string | undefined, operation: string, body: string): string {
  // The invocation id copied out of the request's head (a slice of it would keep the head).
  return invocation !== undefined ? Buffer.from(`invocation ${invocation}`, 'latin1').toString('latin1') : `${operation}\u0000${body}`;
}

/**
 * What releases a late delivery: a retry of the same call (its retry key: the SDK's invocation id, which its own
 * retries keep) or of the same logical request (the same operation and body: an explicit retry with the same token
 * or name is a new invocation), once answered; the same call alone when `byCall` (ProxyOptions.lateByCall).
 */
function lateKeys(retryKey: string, delivery: Delivery, byCall: boolean): string[] {
  const bytes = `${delivery.operation}\u0000${delivery.body}`;
  return bytes === retryKey || byCall ? [retryKey] : [retryKey, bytes];
}

function gatewayPage(res: ProxyResponse, status: number, title: string, extra: readonly string[] = []): void {
  const page = `<html><body><h1>${status} ${title}</h1><p>proton-conformance proxy</p></body></html>`;
  res.send(status, ['content-type', 'text/html', ...extra], page);
}

/** Waits until released (by the function it puts in `waiting`, which takes itself out) or until `ms` has passed. */
function hold(waiting: Set<() => void>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const release = (): void => {
      clearTimeout(timer);
      waiting.delete(release);
      resolve();
    };
    const timer = setTimeout(release, ms);
    waiting.add(release);
  });
}
