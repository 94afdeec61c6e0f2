// Seeded pseudo-random numbers, so that what the emulator draws (a variant's
// latency, the weather) is the same from run to run for one seed.

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One of several independent streams drawn from one seed: the seed mixed with
 * the stream's salt, so that two decisions seeded alike do not draw the same
 * numbers (a throttled request would otherwise also be the one that fails).
 */
export function stream(seed: number, salt: number): () => number {
  return seeded(Math.imul((seed ^ salt) >>> 0, 0x9e3779b1));
}
