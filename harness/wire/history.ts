// What the wire proxy (harness/wire/proxy.ts) saw and did: each delivery (what
// came in, the fault it met, every answer of the target, what the client was
// shown), and a history of events in time order (harness/types.ts WireEvent)
// that the checks' own clients add to: the evidence of a wire failure. Also
// the one-line texts those events are made of.
import type { WireFaultKind } from '../../specs/wire.ts';
import type { WireEvent } from '../types.ts';
import { splitHead } from './http1.ts';

/** An event as added: its text may still be a function (built when the history is read, off the hot path). */
type PendingEvent = Omit<WireEvent, 'what'> & { what: string | (() => string) };

/** The events of one cell's (or one proxy's) wire, in time order, bounded. */
export class WireHistory {
  private readonly pending: PendingEvent[] = [];
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
    const event: PendingEvent = { at: Math.max(0, Math.round((at - this.origin) * 10) / 10), who, operation, what };
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
 * When one forward of a delivery happened, by the proxy's clock (performance.now(), one clock for every proxy of a
 * process): the evidence of which interleaving a case met (harness/wire/interleavings.ts).
 */
export interface ForwardTiming {
  /** The whole request was handed to the target's connection. */
  sentAt?: number;
  /** The target's whole answer was read. */
  answeredAt?: number;
  /** The forward was aborted (the client gave up) before an answer was read. */
  abortedAt?: number;
  /** The forward failed without an answer (a reset, a refused connection). */
  failedAt?: number;
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
  /** When the proxy received it (performance.now()). */
  readonly receivedAt: number;
  /** Each forward to the target, in the order they began (two for a duplicate or an overlap; none for a fault that answers itself). */
  readonly forwards: ForwardTiming[];
}

/**
 * The answer as kept: the bytes received (its head's and its body's, views of
 * what the socket read); the header lines, their record and the text are made
 * again only if a check or a report reads them. A class, and no strings kept:
 * a long-lived proxy keeps every answer, and what it keeps is what the
 * garbage collector goes over on each request.
 */
export class KeptAnswer implements TargetAnswer {
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
    this.#lines ??= headerLines(this.head);
    return this.#lines;
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
    this.#text ??= this.raw.toString('utf8');
    return this.#text;
  }
}

/** The header lines of a head the upstream side has read (and checked) before. */
function headerLines(head: Buffer): string[] {
  const split = splitHead(head.toString('latin1'));
  return typeof split === 'string' ? [] : split.rawHeaders;
}

/** A delivery as kept: its body's bytes, decoded when first read. */
export class KeptDelivery implements Delivery {
  #raw: Buffer;
  #text: string | undefined;
  answers: Array<TargetAnswer | { error: string }> = [];
  invocation?: string;
  fault?: WireFaultKind;
  shown?: number | 'closed';
  readonly receivedAt = performance.now();
  readonly forwards: ForwardTiming[] = [];

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
    this.#text ??= this.#raw.toString('utf8');
    return this.#text;
  }
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
  const input = jsonOf(body);
  if (input === undefined) return undefined;
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
  const output = jsonOf(body);
  if (output === undefined) return undefined;
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
  const type = jsonOf(body)?.['__type'];
  return typeof type === 'string' ? type.slice(type.lastIndexOf('#') + 1) : undefined;
}

/** A JSON body's members; undefined when it is not JSON (or is JSON null). */
function jsonOf(body: string): Record<string, unknown> | undefined {
  try {
    return (JSON.parse(body) as Record<string, unknown> | null) ?? undefined;
  } catch {
    return undefined;
  }
}

function shorten(value: string): string {
  return value.length > 40 ? `${value.slice(0, 18)}…${value.slice(-18)}` : value;
}
