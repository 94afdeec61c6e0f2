// A wire history (harness/wire/proxy.ts, RuleResult.history) as a timeline for the
// console: one line per event, time since the history began, who (a client,
// the proxy, the target, the check), the proxy's delivery number and what
// happened. A long history keeps its beginning (the first faults) and its end
// (the outcome).
import type { WireEvent } from '../harness/types.ts';

export interface TimelineOptions {
  /** Events shown at most. */
  limit: number;
  indent: string;
  /** Characters of an event's text at most. */
  width?: number;
}

export function renderTimeline(events: readonly WireEvent[], options: TimelineOptions): string[] {
  if (events.length === 0) return [];
  const shown = events.length <= options.limit ? [...events] : undefined;
  const head = shown ?? events.slice(0, Math.ceil(options.limit / 2));
  const tail = shown ? [] : events.slice(events.length - Math.floor(options.limit / 2));
  const who = Math.min(18, Math.max(...events.map((event) => event.who.length)));
  const line = (event: WireEvent): string => {
    const at = `+${event.at.toFixed(1)} ms`.padStart(12);
    const delivery = event.delivery === undefined ? '    ' : `#${event.delivery}`.padEnd(4);
    const operation = event.operation === '-' ? '' : `${event.operation}: `;
    const text = `${operation}${event.what}`;
    const width = options.width ?? 220;
    return `${options.indent}${at}  ${event.who.padEnd(who)}  ${delivery}  ${text.length > width ? `${text.slice(0, width - 1)}…` : text}`;
  };
  const lines = head.map(line);
  if (tail.length > 0)
    lines.push(`${options.indent}${' '.repeat(12)}  ... ${events.length - head.length - tail.length} events`, ...tail.map(line));
  return lines;
}
