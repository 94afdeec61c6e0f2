// What must exist, kept as checks go. `Census`: a property's ledger, per List
// scope, of the identities that must be listed at its end (its runs report
// into it; it decides no run's verdict). `RunCensus`: one property run's own
// count, before and after, so that each run is judged on its own doings and
// a replay of it (seed and path) is judged the same way.
import type { CheckContext } from '../../harness/context.ts';
import type { Resource, ResourceSpec } from '../../specs/types.ts';
import { canonical, identityKey } from './compare.ts';
import { hookCount, listAll } from './observe.ts';
import { Violation } from './verdict.ts';

interface Scope {
  ref: Resource;
  expected: Set<string>;
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
    const items = await listAll(this.ctx, this.spec, ref);
    // Another open of the same scope may have finished first.
    if (!this.scopes.has(key)) this.scopes.set(key, { ref, expected: new Set(items.map((item) => identityKey(this.spec, item))) });
  }

  added(ref: Resource, resource: Resource): void {
    const scope = this.scopes.get(this.key(ref));
    if (!scope) throw new Error('Census: a scope was used before it was opened');
    scope.expected.add(identityKey(this.spec, resource));
  }

  removed(ref: Resource, resource: Resource): void {
    this.scopes.get(this.key(ref))?.expected.delete(identityKey(this.spec, resource));
  }

  /** List of each scope, identity by identity; a Violation on the first that differs. */
  async check(keys: Iterable<string> = this.scopes.keys()): Promise<void> {
    for (const key of keys) {
      const scope = this.scopes.get(key)!;
      const listed = new Set((await listAll(this.ctx, this.spec, scope.ref)).map((item) => identityKey(this.spec, item)));
      const extra = [...listed].filter((identity) => !scope.expected.has(identity));
      const missing = [...scope.expected].filter((identity) => !listed.has(identity));
      if (extra.length === 0 && missing.length === 0) continue;
      throw new Violation(
        `${this.spec.list.operation} ${key} lists ${listed.size} resources where the contract predicts ${scope.expected.size}` +
          `${extra.length ? `; unexpected: ${extra.slice(0, 3).join(', ')}` : ''}${missing.length ? `; missing: ${missing.slice(0, 3).join(', ')}` : ''}.`,
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
