// Virtual time as the target sees it, tracked locally: the real clock plus
// the offset the hooks' clock has been advanced by. Only differences matter
// (token ages), and the unknown part of the offset cancels out in them.
import type { CheckContext } from '../../harness/run/context.ts';

/** When a request was in flight: it reached the target between start and end. */
export interface Interval {
  start: number;
  end: number;
}

export class Timeline {
  private offset = 0;

  constructor(private readonly ctx: CheckContext) {}

  now(): number {
    return Date.now() + this.offset;
  }

  /** Advances the target's clock (needs the clock capability). */
  async advance(ms: number): Promise<void> {
    if (!this.ctx.hooks) throw new Error('advance needs the clock capability');
    await this.ctx.hooks.advance(ms);
    this.offset += ms;
  }

  /**
   * Waits until now() reaches `at` on a target whose clock cannot be moved:
   * real time (or, in a rehearsal, the rehearsal emulator's clock: CheckContext.sleep).
   */
  async sleepUntil(at: number): Promise<void> {
    const ms = at - this.now();
    if (ms <= 0) return;
    this.ctx.signal.throwIfAborted();
    this.offset += await this.ctx.sleep(ms);
  }

  /** Runs `request` and records when it was in flight. */
  async timed<T>(request: () => Promise<T>): Promise<{ value: T; at: Interval }> {
    const start = this.now();
    const value = await request();
    return { value, at: { start, end: this.now() } };
  }
}
