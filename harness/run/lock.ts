// Exclusivity for targets without per-account isolation: every cell holds the
// lock shared; a cell that moves the clock or changes durations (which would
// touch every other cell's resources) upgrades to exclusive, waiting until it
// runs alone. Waiting writers block new readers so they are not starved.

export class CellLock {
  private readers = 0;
  private writer = false;
  private waitingWriters = 0;
  private readonly waiters: Array<() => void> = [];

  async acquireShared(): Promise<void> {
    while (this.writer || this.waitingWriters > 0) await this.wait();
    this.readers++;
  }

  releaseShared(): void {
    this.readers--;
    this.wake();
  }

  async acquireExclusive(): Promise<void> {
    this.waitingWriters++;
    try {
      while (this.writer || this.readers > 0) await this.wait();
    } finally {
      this.waitingWriters--;
    }
    this.writer = true;
  }

  releaseExclusive(): void {
    this.writer = false;
    this.wake();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}

/** One cell's hold on the lock: shared at first, exclusive after `upgrade()`. */
export class CellHold {
  private mode: 'none' | 'shared' | 'exclusive' = 'none';
  private upgrading: Promise<void> | undefined;
  /** The cell has left: an upgrade asked for later (a check that outlived its cell) is not made. */
  private left = false;

  constructor(private readonly lock: CellLock | undefined) {}

  async enter(): Promise<void> {
    if (!this.lock) return;
    await this.lock.acquireShared();
    this.mode = 'shared';
  }

  get exclusive(): boolean {
    return this.mode === 'exclusive';
  }

  /** The upgrade in progress, if any: requests wait for it before they are sent. */
  pending(): Promise<void> | undefined {
    return this.upgrading && this.mode !== 'exclusive' ? this.upgrading : undefined;
  }

  /** Waits until the cell runs alone; a no-op with per-account isolation. */
  upgrade(): Promise<void> {
    if (!this.lock || this.mode === 'exclusive' || this.left) return Promise.resolve();
    this.upgrading ??= (async () => {
      if (this.mode === 'shared') this.lock!.releaseShared();
      this.mode = 'none';
      await this.lock!.acquireExclusive();
      this.mode = 'exclusive';
    })();
    return this.upgrading;
  }

  leave(): void {
    if (!this.lock) return;
    if (this.mode === 'shared') this.lock.releaseShared();
    if (this.mode === 'exclusive') this.lock.releaseExclusive();
    this.mode = 'none';
    this.left = true;
    // An upgrade still waiting (a check that timed out asked for it) gives the
    // lock back as soon as it gets it: the cell has gone, and holding it would
    // stop every other cell for good.
    const upgrading = this.upgrading;
    this.upgrading = undefined;
    if (upgrading) {
      void upgrading.then(() => {
        if (this.mode === 'exclusive') this.lock!.releaseExclusive();
        this.mode = 'none';
      });
    }
  }
}
