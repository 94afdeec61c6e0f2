// What must exist, kept as checks go. `Census`: a property's ledger, per List
// scope, of the identities that must be listed at its end (its runs report
// into it; it decides no run's verdict). `RunCensus`: one property run's own
// count, before and after, so that each run is judged on its own doings and
// a replay of it (seed and path) is judged the same way.
import type { CheckContext } from '../../harness/run/context.ts';
import type { Resource, ResourceSpec } from '../../specs/types.ts';
import { canonical, identityKey } from './compare.ts';
import { settle } from './evidence.ts';
import { hookCount, listing } from './observe.ts';
import { mark } from './sightings.ts';
import type { Mark } from './sightings.ts';
import { Violation } from './verdict.ts';

interface Scope {
  ref: Resource;
  /** What must be listed, by identity key. */
  expected: Map<string, Resource>;
  /** What was deleted since the scope was opened: must not be listed. */
  gone: Map<string, Resource>;
  /** The cell's sightings when the scope was opened: a resource there before is not new. */
  since: Mark;
}

/** Identity keys per List scope: what List must show. */
class Scopes {
  private readonly scopes = new Map<string, Scope>();

  constructor(
    private readonly ctx: CheckContext,
    private readonly spec: ResourceSpec,
  ) {}

  key(ref: Resource): string {
    return canonical(this.spec.list.input(ref));
  }

  has(ref: Resource): boolean {
    return this.scopes.has(this.key(ref));
  }

  /** Lists the scope the first time it is met: what was there before. */
  async open(ref: Resource): Promise<void> {
    const key = this.key(ref);
    if (this.scopes.has(key)) return;
    const items = await listing(this.ctx, this.spec, ref);
    const since = mark(this.ctx, this.spec);
    // Another open of the same scope may have finished first.
    if (!this.scopes.has(key)) this.scopes.set(key, { ref, expected: items, gone: new Map(), since });
  }

  added(ref: Resource, resource: Resource): void {
    const scope = this.scopes.get(this.key(ref));
    if (!scope) throw new Error('Census: a scope was used before it was opened');
    const identity = identityKey(this.spec, resource);
    scope.expected.set(identity, resource);
    scope.gone.delete(identity);
  }

  removed(ref: Resource, resource: Resource): void {
    const scope = this.scopes.get(this.key(ref));
    if (!scope) return;
    const identity = identityKey(this.spec, resource);
    scope.expected.delete(identity);
    scope.gone.set(identity, resource);
  }

  /** List of each scope, identity by identity, settled (evidence.ts); a Violation on the first that differs. */
  async check(keys: Iterable<string> = this.scopes.keys()): Promise<void> {
    for (const key of keys) {
      const scope = this.scopes.get(key)!;
      const first = await listing(this.ctx, this.spec, scope.ref);
      const { items, old } = await settle(this.ctx, this.spec, scope.ref, first, {
        present: scope.expected,
        absent: scope.gone,
        since: scope.since,
      });
      // There before the scope was opened: the opening List lacked it.
      for (const [identity, resource] of old) scope.expected.set(identity, resource);
      const extra = [...items.keys()].filter((identity) => !scope.expected.has(identity));
      const missing = [...scope.expected.keys()].filter((identity) => !items.has(identity));
      if (extra.length === 0 && missing.length === 0) continue;
      throw new Violation(
        `${this.spec.list.operation} ${key} lists ${items.size} resources where the contract predicts ${scope.expected.size}` +
          `${extra.length ? `; unexpected: ${extra.slice(0, 3).join(', ')}` : ''}` +
          `${missing.length ? `; missing: ${missing.slice(0, 3).join(', ')}` : ''}.`,
      );
    }
  }
}

/** A property's ledger: every scope its runs touched, checked exactly (List, identity by identity) at the end. */
export class Census {
  private readonly scopes: Scopes;

  constructor(ctx: CheckContext, spec: ResourceSpec) {
    this.scopes = new Scopes(ctx, spec);
  }

  open(ref: Resource): Promise<void> {
    return this.scopes.open(ref);
  }

  added(ref: Resource, resource: Resource): void {
    this.scopes.added(ref, resource);
  }

  removed(ref: Resource, resource: Resource): void {
    this.scopes.removed(ref, resource);
  }

  checkExact(): Promise<void> {
    return this.scopes.check();
  }
}

/**
 * One run's count: the hooks' count of the kind, before the run and after it,
 * when it speaks of this cell alone (CheckContext.runsAlone); else List of the
 * scopes the run touched, before and after, identity by identity.
 */
export class RunCensus {
  private baseline: number | undefined;
  private delta = 0;
  private readonly scopes: Scopes;
  private readonly touched = new Set<string>();

  constructor(
    private readonly ctx: CheckContext,
    private readonly spec: ResourceSpec,
  ) {
    this.scopes = new Scopes(ctx, spec);
  }

  /**
   * `known`: the count a run just before this one ended with, when it ended
   * checked (nothing is sent between two runs of a cell that runs alone): it
   * spares a hook call per run and is the count a fresh read would give.
   */
  async start(known?: number): Promise<void> {
    this.baseline = known ?? (await hookCount(this.ctx, this.spec));
  }

  private get counting(): boolean {
    return this.baseline !== undefined;
  }

  async open(ref: Resource): Promise<void> {
    if (this.counting) return;
    this.touched.add(this.scopes.key(ref));
    await this.scopes.open(ref);
  }

  added(ref: Resource, resource: Resource): void {
    this.delta++;
    if (!this.counting) this.scopes.added(ref, resource);
  }

  removed(ref: Resource, resource: Resource): void {
    this.delta--;
    if (!this.counting && this.scopes.has(ref)) this.scopes.removed(ref, resource);
  }

  /** After the run: the target shows what the run predicts. Resolves with the hooks' count it read, if any. */
  async check(): Promise<number | undefined> {
    if (this.baseline !== undefined) {
      const expected = this.baseline + this.delta;
      const count = await hookCount(this.ctx, this.spec);
      // Undefined: the cell no longer runs alone (cannot happen once it did); nothing to compare.
      if (count !== undefined && count !== expected) {
        throw new Violation(
          `the target counts ${count} ${this.spec.countKey}, the contract predicts ${expected} (${this.baseline} before the run, ` +
            `${this.delta >= 0 ? `${this.delta} more` : `${-this.delta} fewer`} after what it did).`,
        );
      }
      return count;
    }
    await this.scopes.check(this.touched);
    return undefined;
  }
}
