// The exchanges of one cell, kept as raw text while the cell runs (cheap) and
// turned into redacted, parsed Exchanges (harness/types.ts) only for the
// evidence a report keeps. Long property runs keep only their latest
// exchanges: a ring buffer bounds the memory of a cell.
import type { Exchange } from './types.ts';
import { redactBody, redactHeaders, scrub } from './redact.ts';

/** One exchange as it happened on the wire, before redaction. */
export interface RawExchange {
  operation: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  response?: { status: number; headers: Record<string, string>; body: string };
  error?: string;
  /** The target answered, but the client was shown a network error (ClientOptions.loseResponses). */
  lost?: boolean;
  /** Weather (harness/weather.ts): the request was sent again after it (after waitMs), unless its step gave up. */
  transient?: Exchange['transient'];
  startedAt: number;
  durationMs: number;
}

/** Where a recording client reports: the cell's recorder, the run's shape ledger and request count. */
export interface ExchangeSink {
  record(exchange: RawExchange): void;
}

export class Recorder implements ExchangeSink {
  private readonly ring: RawExchange[] = [];
  private next = 0;
  /** Every exchange recorded, including those the ring has dropped. */
  total = 0;
  /** After `freeze()`, exchanges are validated and counted but are not evidence. */
  private frozen = false;

  constructor(
    private readonly capacity = 200,
    private readonly forward: readonly ExchangeSink[] = [],
  ) {}

  /** From now on exchanges (a cell's cleanups) are not part of the evidence. */
  freeze(): void {
    this.frozen = true;
  }

  record(exchange: RawExchange): void {
    for (const sink of this.forward) sink.record(exchange);
    if (this.frozen) return;
    this.total++;
    if (this.ring.length < this.capacity) this.ring.push(exchange);
    else this.ring[this.next] = exchange;
    this.next = (this.next + 1) % this.capacity;
  }

  /** The latest `limit` exchanges, oldest first, redacted. */
  evidence(limit = this.capacity): Exchange[] {
    const ordered = this.ring.length < this.capacity ? this.ring : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return ordered.slice(Math.max(0, ordered.length - limit)).map(toExchange);
  }

  /** How many recorded exchanges `evidence()` can no longer show. */
  get dropped(): number {
    return this.total - this.ring.length;
  }
}

export function toExchange(raw: RawExchange): Exchange {
  const exchange: Exchange = {
    operation: raw.operation,
    request: { headers: redactHeaders(raw.requestHeaders), body: redactBody(parseBody(raw.requestBody)) },
    startedAt: raw.startedAt,
    durationMs: raw.durationMs,
  };
  if (raw.response && !raw.lost) {
    exchange.response = {
      status: raw.response.status,
      headers: redactHeaders(raw.response.headers),
      body: redactBody(parseBody(raw.response.body)),
    };
  }
  if (raw.error !== undefined) exchange.error = scrub(raw.error);
  if (raw.transient !== undefined) exchange.transient = { ...raw.transient };
  return exchange;
}

/** JSON when it parses, else the text itself (an empty body is the empty string). */
export function parseBody(text: string): unknown {
  if (text === '') return '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Counts every request a run sends (SDK attempts and hooks). */
export class RequestCounter implements ExchangeSink {
  count = 0;
  record(): void {
    this.count++;
  }
}

/**
 * Counts the resources a run created: every successful Create* answer names
 * its resource (an arn, or a connection's id); an answer naming one already
 * seen (a retry that returned the original) counts once.
 */
export class CreationCounter implements ExchangeSink {
  private readonly seen = new Set<string>();

  get count(): number {
    return this.seen.size;
  }

  record(exchange: RawExchange): void {
    if (!exchange.operation.startsWith('Create') || exchange.lost || !exchange.response) return;
    const { status, body } = exchange.response;
    if (status < 200 || status >= 300 || !body.startsWith('{')) return;
    let output: unknown;
    try {
      output = JSON.parse(body);
    } catch {
      return;
    }
    for (const member of Object.values(output as Record<string, unknown>)) {
      if (member === null || typeof member !== 'object') continue;
      const { arn, id } = member as Record<string, unknown>;
      const identity = typeof arn === 'string' ? arn : typeof id === 'string' ? id : undefined;
      if (identity !== undefined) this.seen.add(identity);
    }
  }
}
