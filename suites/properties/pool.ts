// Originals shared between the runs of a property: a run names a slot; the
// first run to name it creates the original from its own generated values,
// later runs reuse it. Most runs then cost one request (the retry under test)
// instead of two. A replayed case runs alone, so it creates its original.
import type { Sent } from './world.ts';

export const POOL_SLOTS = 12;
/** Identical retries: more originals, so that more random inputs are retried. */
export const IDENTICAL_SLOTS = 16;

export class OriginalPool {
  private readonly slots = new Map<number, Sent>();

  async get(slot: number, create: () => Promise<Sent>): Promise<Sent> {
    const existing = this.slots.get(slot);
    if (existing) return existing;
    const made = await create();
    this.slots.set(slot, made);
    return made;
  }
}
