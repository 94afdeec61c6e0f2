// --rules and --operations: which cells (rule x operation) a run has. A
// pattern or operation that selects nothing is a usage error, never an empty
// run that "passes".
import type { CatalogRule } from './catalog.ts';
import { UsageError } from '../errors.ts';

export interface CellPlan {
  rule: CatalogRule;
  operation: string;
  /** A property case of this cell to replay alone (--rerun-failed: the shrunk case its report printed). */
  path?: string;
}

export interface Selection {
  /** Cells the runner runs, in catalog order. */
  cells: CellPlan[];
  /** Harness-checked rules selected (shape/responses-match-model). */
  harnessRules: CatalogRule[];
  /**
   * True when only harness rules were selected: the cells then run to
   * exercise the operations, and only the harness rules are reported.
   */
  exerciseOnly: boolean;
}

export interface SelectionOptions {
  /** Comma-separated globs (`client-token/*`) or substrings of rule ids. */
  rules?: string;
  /** Comma-separated operation names (case-insensitive). */
  operations?: string;
}

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** Glob (`*`, `?`) anchored on the whole id, else a substring; both case-insensitive. */
export function ruleMatcher(pattern: string): (id: string) => boolean {
  const lower = pattern.toLowerCase();
  if (!/[*?]/.test(lower)) return (id) => id.toLowerCase().includes(lower);
  const source = lower
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const regex = new RegExp(`^${source}$`);
  return (id) => regex.test(id.toLowerCase());
}

export function selectCells(rules: readonly CatalogRule[], options: SelectionOptions = {}): Selection {
  const chosenRules = chooseRules(rules, options.rules);
  const operations = chooseOperations(rules, options.operations);
  const inScope = (operation: string): boolean => operations === undefined || operations.has(operation);
  const harnessRules = chosenRules.filter((rule) => rule.checkedBy === 'harness');
  const checked = chosenRules.filter((rule) => rule.checkedBy !== 'harness');
  let cells = plan(checked, inScope);
  let exerciseOnly = false;
  if (checked.length === 0 && harnessRules.length > 0) {
    // Only the shape rule: run every other rule on the chosen operations to
    // exercise them, and report the shape rule alone.
    cells = plan(
      rules.filter((rule) => rule.checkedBy !== 'harness'),
      inScope,
    );
    exerciseOnly = true;
  }
  if (cells.length === 0) {
    const ruleList = chosenRules.map((rule) => rule.id).join(', ');
    throw new UsageError(`no rule selected by --rules applies to the operations selected by --operations (rules: ${ruleList})`);
  }
  return { cells, harnessRules, exerciseOnly };
}

function plan(rules: readonly CatalogRule[], inScope: (operation: string) => boolean): CellPlan[] {
  return rules.flatMap((rule) => rule.operations.filter(inScope).map((operation) => ({ rule, operation })));
}

function chooseRules(rules: readonly CatalogRule[], patterns: string | undefined): CatalogRule[] {
  if (patterns === undefined) return [...rules];
  const list = splitList(patterns);
  if (list.length === 0) throw new UsageError('--rules: empty pattern');
  const chosen = new Set<CatalogRule>();
  for (const pattern of list) {
    // An exact id is that rule alone, even when it is part of a longer id.
    const exact = rules.filter((rule) => rule.id.toLowerCase() === pattern.toLowerCase());
    const matches = exact.length > 0 ? exact : rules.filter((rule) => ruleMatcher(pattern)(rule.id));
    if (matches.length === 0) {
      const categories = [...new Set(rules.map((rule) => rule.id.split('/')[0]))].map((c) => `${c}/*`).join(', ');
      throw new UsageError(`--rules: '${pattern}' matches no rule (try one of: ${categories})`);
    }
    for (const rule of matches) chosen.add(rule);
  }
  return rules.filter((rule) => chosen.has(rule));
}

function chooseOperations(rules: readonly CatalogRule[], list: string | undefined): Set<string> | undefined {
  if (list === undefined) return undefined;
  const names = splitList(list);
  if (names.length === 0) throw new UsageError('--operations: empty list');
  const known = new Map<string, string>();
  for (const rule of rules) for (const operation of rule.operations) known.set(operation.toLowerCase(), operation);
  const chosen = new Set<string>();
  for (const name of names) {
    const operation = known.get(name.toLowerCase());
    if (!operation) {
      throw new UsageError(
        `--operations: unknown operation '${name}' (the contract's operations: ${[...new Set(known.values())].join(', ')})`,
      );
    }
    chosen.add(operation);
  }
  return chosen;
}
