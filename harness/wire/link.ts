// A cell's wire proxies (CheckContext.throughProxy): each a proxy of its own
// (harness/wire/proxy.ts) in front of the cell's target, with one fault schedule,
// and clients routed through it on the cell's account. Every proxy and client
// of the cell writes to one history, which the runner attaches to a result
// that does not pass; the proxies are closed with the cell.
import type { ProtonClient } from '@aws-sdk/client-proton';
import type { ClientOptions, WireLink, WireLinkOptions } from '../run/context.ts';
import { findInterleaving } from './interleavings.ts';
import { attemptOf } from '../client/http-handler.ts';
import { faultSpec, parseFaults } from './faults.ts';
import type { FaultRule } from './faults.ts';
import { logicalKey, summarizeAnswer, WireHistory } from './history.ts';
import { startProxy } from './server.ts';
import type { RunningProxy } from './server.ts';
import type { ExchangeSink, RawExchange } from '../client/recorder.ts';
import type { InterleavingCount, PacedCost, WireEvent } from '../types.ts';

export interface WireLinks {
  throughProxy(faults: string | readonly FaultRule[], seed?: number, options?: WireLinkOptions): Promise<WireLink>;
  /** The cell's history, when it used a proxy. */
  history(): WireEvent[] | undefined;
  /** The interleavings the cell's checks intended and those exercised (WireLink.tally); undefined when none was counted. */
  interleavings(): InterleavingCount | undefined;
  /** The retries at a client's pace the cell's checks counted (WireLink.pace); undefined when none. */
  paced(): PacedCost | undefined;
  close(): Promise<void>;
}

/**
 * `clientAt(endpoint, sink, options)` builds a recording client of the cell
 * at another endpoint (the proxy's) whose exchanges also go to `sink`.
 */
export function createWireLinks(
  target: string,
  cellSeed: number,
  clientAt: (endpoint: string, sink: ExchangeSink, options: ClientOptions) => ProtonClient,
): WireLinks {
  let history: WireHistory | undefined;
  const proxies: RunningProxy[] = [];
  let clients = 0;
  let count: InterleavingCount | undefined;
  let paced: PacedCost | undefined;
  return {
    async throughProxy(faults, seed = cellSeed, options = {}) {
      history ??= new WireHistory();
      const rules = typeof faults === 'string' ? parseFaults(faults) : faults;
      const proxy = await startProxy({ target, faults: rules, seed, history, ...options });
      proxies.push(proxy);
      let spec = faultSpec(rules);
      let from = 0;
      const shared = history;
      const number = proxies.length;
      shared.add('check', '-', `proxy ${number} at ${proxy.url}, faults ${spec}, seed ${seed}`);
      return {
        client(options: ClientOptions & { label?: string } = {}) {
          const label = options.label ?? `client ${++clients}`;
          const { label: _label, ...clientOptions } = options;
          return clientAt(proxy.url, { record: (exchange) => clientEvent(shared, label, exchange) }, clientOptions);
        },
        get deliveries() {
          return proxy.deliveries.slice(from);
        },
        get faults() {
          return spec;
        },
        seed,
        idle: () => proxy.idle(),
        received: (count) => proxy.received(from + count),
        reschedule(next) {
          const nextRules = typeof next === 'string' ? parseFaults(next) : next;
          proxy.reschedule(nextRules, seed);
          from = proxy.deliveries.length;
          spec = faultSpec(nextRules);
          shared.add('check', '-', `proxy ${number}: faults now ${spec}, seed ${seed}`);
        },
        gather(count) {
          proxy.gather(count);
          shared.add('check', '-', `proxy ${number}: the next ${count} creates and deletes held until all have come`);
        },
        history: shared,
        note(what: string) {
          shared.add('check', '-', what);
        },
        interleaving(interleaving) {
          const finding = findInterleaving(interleaving, proxy.deliveries.slice(from));
          shared.add('check', '-', `interleaving ${interleaving} ${finding.happened ? 'happened' : 'did not happen'}: ${finding.evidence}`);
          return finding;
        },
        tally(intended, exercised) {
          count ??= { intended: 0, exercised: 0 };
          count.intended += intended;
          count.exercised += exercised;
        },
        pace(cost) {
          paced ??= { retries: 0, reads: 0, waitedMs: 0, settleMs: 0 };
          paced.retries += cost.retries;
          paced.reads += cost.reads;
          paced.waitedMs += cost.waitedMs;
          paced.settleMs = Math.max(paced.settleMs, cost.settleMs);
        },
      };
    },
    interleavings: () => (count ? { ...count } : undefined),
    paced: () => (paced ? { ...paced } : undefined),
    history() {
      if (!history) return undefined;
      const events = history.sorted();
      if (history.dropped > 0)
        events.push({ at: events.at(-1)?.at ?? 0, who: 'check', operation: '-', what: `(${history.dropped} later events not kept)` });
      return events;
    },
    async close() {
      await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
    },
  };
}

/** What a client sent and saw, as one event at the time it sent. */
function clientEvent(history: WireHistory, label: string, exchange: RawExchange): void {
  const started = exchange.startedAt - (Date.now() - performance.now());
  // The text is made when the history is read (a failure), not on every request.
  const what = (): string => {
    const key = logicalKey(exchange.requestBody);
    const invocation = exchange.requestHeaders['amz-sdk-invocation-id']?.slice(0, 8);
    const sent =
      `sent attempt ${attemptOf(exchange.requestHeaders)}` + `${invocation ? ` of invocation ${invocation}` : ''}${key ? ` (${key})` : ''}`;
    const saw = exchange.response
      ? exchange.lost
        ? 'saw its response lost (harness)'
        : `saw ${summarizeAnswer(exchange.response)}`
      : `saw ${exchange.error ?? 'no answer'}`;
    const resent = exchange.transient
      ? exchange.transient.waitMs !== undefined
        ? `; the same bytes again in ${exchange.transient.waitMs} ms (weather)`
        : '; given up (weather)'
      : '';
    return `${sent}; ${saw} after ${exchange.durationMs.toFixed(1)} ms${resent}`;
  };
  history.add(label, exchange.operation, what, undefined, started);
}
