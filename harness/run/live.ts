// --max-live-resources N: what a run lets exist at once on its target. Every
// successful Create* answer names a resource (its arn, or a connection's id),
// every successful Delete* of one frees its place; a Create* waits, before it
// is sent, while N of the run's resources exist. A wait that outlasts its
// bound makes the cell inconclusive (the bound was too low for what one cell
// needs at once: the plan says how many resources the run creates), never a
// failure. A target's own quota (ServiceQuotaExceededException) is met the
// same way by the weather layer: the same request again, after the run's own
// deletions (harness/client/weather.ts).
import type { ExchangeSink, RawExchange } from '../client/recorder.ts';
import { InconclusiveCheck } from '../types.ts';
import { sleep } from '../pace.ts';

/** The resources an answer names: its members' arn (or id). */
function named(body: string): string[] {
  if (!body.startsWith('{')) return [];
  let output: unknown;
  try {
    output = JSON.parse(body);
  } catch {
    return [];
  }
  const identities: string[] = [];
  for (const member of Object.values(output as Record<string, unknown>)) {
    if (member === null || typeof member !== 'object') continue;
    const { arn, id } = member as Record<string, unknown>;
    if (typeof arn === 'string') identities.push(arn);
    else if (typeof id === 'string') identities.push(id);
  }
  return identities;
}

export class LiveResources implements ExchangeSink {
  private readonly live = new Set<string>();
  private readonly gone = new Set<string>();
  /** The most that existed at once. */
  peak = 0;

  constructor(
    readonly max: number,
    private readonly waitMs = 300_000,
  ) {}

  get count(): number {
    return this.live.size;
  }

  record(exchange: RawExchange): void {
    const response = exchange.response;
    if (!response || response.status < 200 || response.status >= 300) return;
    if (exchange.operation.startsWith('Create')) {
      for (const identity of named(response.body)) if (!this.gone.has(identity)) this.live.add(identity);
      this.peak = Math.max(this.peak, this.live.size);
    } else if (exchange.operation.startsWith('Delete')) {
      for (const identity of named(response.body)) {
        this.live.delete(identity);
        this.gone.add(identity);
      }
    }
  }

  /** Resolves when a Create* may be sent (at once for any other operation). */
  async admit(operation: string, signal: AbortSignal | undefined): Promise<void> {
    if (!operation.startsWith('Create') || this.live.size < this.max) return;
    let waited = 0;
    while (this.live.size >= this.max) {
      if (waited >= this.waitMs) {
        throw new InconclusiveCheck(
          `${operation} waited ${Math.round(waited / 1000)} s for room under --max-live-resources ${this.max} (${this.live.size} ` +
            `of the run's resources exist): ` +
            'no deletion freed it; the bound is below what the cells need at once',
        );
      }
      const step = Math.min(250, this.waitMs - waited);
      await sleep(step, signal);
      waited += step;
    }
  }
}
