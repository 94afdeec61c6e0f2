// Evidence in compact form for people: one line per request, one per
// response (status, error type, body), long bodies cut. The JSON report keeps
// the full exchanges.
import { EVIDENCE_BYTES } from '../harness/client/recorder.ts';
import type { Exchange } from '../harness/types.ts';

export interface EvidenceOptions {
  /** Exchanges shown (the latest). */
  limit: number;
  /** Characters of a body shown. */
  bodyChars: number;
  indent: string;
}

export function renderEvidence(evidence: readonly Exchange[], total: number | undefined, options: EvidenceOptions): string[] {
  const shown = evidence.slice(Math.max(0, evidence.length - options.limit));
  const hidden = (total ?? evidence.length) - shown.length;
  const lines: string[] = [];
  if (hidden > 0) {
    // Honest about what the JSON report has: all of them, or the latest that fit its size bound.
    const kept =
      (total ?? evidence.length) <= evidence.length
        ? `the JSON report has all ${evidence.length}`
        : `the JSON report keeps the latest ${evidence.length}, as many as fit in the evidence bound ` +
          `of ${Math.round(EVIDENCE_BYTES / 1024)} KB per cell`;
    lines.push(`${options.indent}... ${hidden} earlier exchange${hidden === 1 ? '' : 's'} not shown here (${kept})`);
  }
  for (const exchange of shown) {
    lines.push(`${options.indent}→ ${exchange.operation} ${compact(exchange.request.body, options.bodyChars)}`);
    if (exchange.response) {
      const type = errorType(exchange);
      lines.push(
        `${options.indent}← ${exchange.response.status}${type ? ` ${type}` : ''} ${compact(exchange.response.body, options.bodyChars)}`,
      );
    }
    if (exchange.error) lines.push(`${options.indent}× ${exchange.error}`);
    if (exchange.transient) {
      const then =
        exchange.transient.waitMs === undefined ? 'the step gave up' : `the same request sent again after ${exchange.transient.waitMs} ms`;
      lines.push(`${options.indent}  (transient: ${exchange.transient.kind}; ${then})`);
    }
  }
  return lines;
}

function errorType(exchange: Exchange): string | undefined {
  const response = exchange.response;
  if (!response || response.status < 300) return undefined;
  const header = response.headers['x-amzn-errortype'];
  if (header) return header.split(':')[0];
  const body = response.body;
  if (typeof body === 'object' && body !== null) {
    const type = (body as Record<string, unknown>)['__type'];
    if (typeof type === 'string') return type.slice(type.lastIndexOf('#') + 1);
  }
  return undefined;
}

export function compact(body: unknown, max: number): string {
  let text: string;
  if (body === '' || body === undefined) text = '(empty)';
  else if (typeof body === 'string') text = JSON.stringify(body);
  else {
    try {
      text = JSON.stringify(body) ?? String(body);
    } catch {
      text = String(body);
    }
  }
  return text.length > max ? `${text.slice(0, max)}... (${text.length} chars)` : text;
}
