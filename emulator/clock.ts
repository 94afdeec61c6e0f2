// A virtual clock: the real clock plus an offset that only grows. Each
// account has its own, so one check's jump of eight hours leaves the others'
// resources alone. Nothing is scheduled on it: every transition and expiry is
// computed from `now()` when a request arrives.

export class VirtualClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): number {
    this.offsetMs += ms;
    return this.now();
  }
}
