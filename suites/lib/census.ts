// What a property expects to exist, kept as it goes: per List scope, the
// identities that must be listed; across the account, the hooks' count of the
// kind. Checked cheaply after every run (the count, or List where there are
// no counts) and exactly (List, identity by identity) at the end.
import type { CheckContext } from '../../harness/context.ts';
import type { Resource, ResourceSpec } from '../../specs/types.ts';
import { canonical, identityKey } from './compare.ts';
import { hookCount, listAll } from './observe.ts';
import { Violation } from './verdict.ts';

interface Scope {
  ref: Resource;
  expected: Set<string>;
}

export class Census {
  private readonly scopes = new Map<string, Scope>();
  private expectedCount: number | undefined;
  private touched = new Set<string>();

  constructor(
    private readonly ctx: CheckContext,
    private readonly spec: ResourceSpec,
  ) {}

  /** Reads the hooks' count once, before anything is created. */
  async start(): Promise<void> {
    this.expectedCount = await hookCount(this.ctx, this.spec);
  }

  private scopeKey(ref: Resource): string {
    return canonical(this.spec.list.input(ref));
  }

  /** Lists the scope the first time it is met, so that later runs know what was there. */
  async open(ref: Resource): Promise<void> {
    const key = this.scopeKey(ref);
    this.touched.add(key);
    if (this.scopes.has(key)) return;
    const items = await listAll(this.ctx, this.spec, ref);
    this.scopes.set(key, { ref, expected: new Set(items.map((item) => identityKey(this.spec, item))) });
  }

  added(ref: Resource, resource: Resource): void {
    const scope = this.scopes.get(this.scopeKey(ref));
    if (!scope) throw new Error('Census: a scope was used before it was opened');
    scope.expected.add(identityKey(this.spec, resource));
    if (this.expectedCount !== undefined) this.expectedCount++;
  }

  removed(ref: Resource, resource: Resource): void {
    const scope = this.scopes.get(this.scopeKey(ref));
    if (scope?.expected.delete(identityKey(this.spec, resource)) && this.expectedCount !== undefined) this.expectedCount--;
  }

  /** After a run: the hooks' count where there is one, else List of the scopes the run touched. */
  async checkRun(): Promise<void> {
    const touched = [...this.touched];
    this.touched = new Set();
    const count = await hookCount(this.ctx, this.spec);
    if (count !== undefined && this.expectedCount !== undefined) {
      if (count !== this.expectedCount) {
        await this.resync();
        throw new Violation(`the target counts ${count} ${this.spec.countKey}, the contract predicts ${this.expectedCount}.`);
      }
      return;
    }
    for (const key of touched) await this.checkScope(key);
  }

  /** List of the scopes touched since the last check, identity by identity. */
  async checkTouched(): Promise<void> {
    const touched = [...this.touched];
    this.touched = new Set();
    for (const key of touched) await this.checkScope(key);
  }

  /** At the end: every scope listed, identity by identity. */
  async checkExact(): Promise<void> {
    for (const key of this.scopes.keys()) await this.checkScope(key);
  }

  private async checkScope(key: string): Promise<void> {
    const scope = this.scopes.get(key)!;
    const listed = new Set((await listAll(this.ctx, this.spec, scope.ref)).map((item) => identityKey(this.spec, item)));
    const extra = [...listed].filter((identity) => !scope.expected.has(identity));
    const missing = [...scope.expected].filter((identity) => !listed.has(identity));
    if (extra.length === 0 && missing.length === 0) return;
    const predicted = scope.expected.size;
    scope.expected = listed;
    throw new Violation(
      `${this.spec.list.operation} ${key} lists ${listed.size} resources where the contract predicts ${predicted}` +
        `${extra.length ? `; unexpected: ${extra.slice(0, 3).join(', ')}` : ''}${missing.length ? `; missing: ${missing.slice(0, 3).join(', ')}` : ''}.`,
    );
  }

  /** After a violation: expect what is there, so that later runs (and shrinking) start true. */
  async resync(): Promise<void> {
    for (const scope of this.scopes.values()) {
      scope.expected = new Set((await listAll(this.ctx, this.spec, scope.ref)).map((item) => identityKey(this.spec, item)));
    }
    this.expectedCount = await hookCount(this.ctx, this.spec);
  }
}
