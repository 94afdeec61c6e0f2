// The exchanges of one cell, kept as raw text while the cell runs (cheap) and
// turned into redacted, parsed Exchanges (harness/types.ts) only for the
// evidence a report keeps. Long property runs keep only their latest
// exchanges: a byte budget (EVIDENCE_BYTES) bounds the memory of a cell.
import type { Exchange } from '../types.ts';
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
  /** Weather (harness/client/weather.ts): the request was sent again after it (after waitMs), unless its step gave up. */
  transient?: Exchange['transient'];
  startedAt: number;
  durationMs: number;
}

/** Where a recording client reports: the cell's recorder, the run's shape ledger and request count. */
export interface ExchangeSink {
  record(exchange: RawExchange): void;
}

/** Evidence a cell keeps: its latest exchanges, up to this many bytes (bodies and headers, roughly as the report writes them). */
export const EVIDENCE_BYTES = 512 * 1024;

export class Recorder implements ExchangeSink {
  private ring: RawExchange[] = [];
  private sizes: number[] = [];
  private head = 0;
  private bytes = 0;
  /** Every exchange recorded, including those the ring has dropped. */
  total = 0;
  /** After `freeze()`, exchanges are validated and counted but are not evidence. */
  private frozen = false;

  /**
   * `capacity`: exchanges kept at most (a safety net); `budgetBytes`: the
   * real bound, so that a failing case's few large exchanges and a long
   * run's many small ones are kept alike.
   */
  constructor(
    private readonly capacity = 10_000,
    private readonly forward: readonly ExchangeSink[] = [],
    readonly budgetBytes = EVIDENCE_BYTES,
  ) {}

  /** From now on exchanges (a cell's cleanups) are not part of the evidence. */
  freeze(): void {
    this.frozen = true;
  }

  record(exchange: RawExchange): void {
    for (const sink of this.forward) sink.record(exchange);
    if (this.frozen) return;
    this.total++;
    const size = sizeOf(exchange);
    this.ring.push(exchange);
    this.sizes.push(size);
    this.bytes += size;
    while (this.ring.length - this.head > 1 && (this.bytes > this.budgetBytes || this.ring.length - this.head > this.capacity)) {
      this.bytes -= this.sizes[this.head]!;
      this.head++;
    }
    if (this.head > 1024) {
      this.ring = this.ring.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }

  /** The latest `limit` exchanges kept, oldest first, redacted. */
  evidence(limit = Number.POSITIVE_INFINITY): Exchange[] {
    const kept = this.ring.length - this.head;
    return this.ring.slice(this.head + Math.max(0, kept - limit)).map(toExchange);
  }

  /** How many recorded exchanges `evidence()` can no longer show. */
  get dropped(): number {
    return this.total - (this.ring.length - this.head);
  }
}

function sizeOf(exchange: RawExchange): number {
  let size = 300 + exchange.requestBody.length + (exchange.error?.length ?? 0);
  for (const [name, value] of Object.entries(exchange.requestHeaders)) size += name.length + value.length + 8;
  if (exchange.response) {
    size += exchange.response.body.length;
    for (const [name, value] of Object.entries(exchange.response.headers)) size += name.length + value.length + 8;
  }
  return size;
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
