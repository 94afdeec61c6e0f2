// What the runner runs: the rules (specs/rules.ts), the checks
// (suites/registry.ts) and the operation entries (specs/operations/), behind
// one small interface so that tests can hand the runner fakes.
import type { CheckContext } from './context.ts';
import type { Capability, Category, Level, Outcome } from '../types.ts';

export interface CatalogRule {
  id: string;
  category: Category;
  level: Level;
  operations: readonly string[];
  /** Capabilities without which the rule is `skipped` (not even started). */
  requires: readonly Capability[];
  /** Capabilities the check uses when present (for exclusivity without accounts). */
  prefers: readonly Capability[];
  /** 'harness': the runner produces the verdicts itself (shape/responses-match-model). */
  checkedBy: string;
}

export type Check<O> = (ctx: CheckContext, operation: O) => Promise<Outcome>;

export interface Catalog<O = unknown> {
  rules: readonly CatalogRule[];
  checks: Readonly<Record<string, Check<O>>>;
  /** The operation entry handed to checks; undefined when there is none. */
  operation(name: string): O | undefined;
}
