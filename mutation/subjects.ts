// What a mutation analysis runs the suite against: each fault of the
// catalogue (with the rule it targets) and each conforming variant, and which
// cells each run needs.
import { FAULTS, VARIANTS } from '../emulator/policy.ts';
import type { Weather } from '../emulator/weather.ts';
import { UsageError } from '../harness/errors.ts';
import { CATEGORY_OPERATIONS, RULES, WIRE_OPERATIONS } from '../specs/rules.ts';

/** The four categories of the seed, and the wire category (their creates and deletes under wire faults). */
export type ContractCategory = keyof typeof CATEGORY_OPERATIONS | 'wire';

/** The operations of a category of faults. */
export function operationsOf(category: ContractCategory): readonly string[] {
  return category === 'wire' ? WIRE_OPERATIONS : CATEGORY_OPERATIONS[category];
}

export interface FaultSubject {
  kind: 'fault';
  name: string;
  targetRule: string;
  category: ContractCategory;
  description: string;
}

export interface VariantSubject {
  kind: 'variant';
  name: string;
  description: string;
}

export type Subject = FaultSubject | VariantSubject;

/** How much of the suite a fault run has: its target's category (plus the cross-category rules on its operations), or all of it. */
export type FaultScope = 'category' | 'full';

/** The rules and operations a run selects (harness/run/select.ts syntax); undefined: every cell. */
export interface CellFilter {
  rules?: string;
  operations?: string;
}

export function categoryOf(ruleId: string): ContractCategory {
  const category = ruleId.split('/')[0] ?? '';
  if (!Object.hasOwn(CATEGORY_OPERATIONS, category) && category !== 'wire')
    throw new Error(`rule ${ruleId} is in no category of the contract`);
  return category as ContractCategory;
}

function pick<T>(names: readonly string[] | undefined, all: Readonly<Record<string, T>>, what: string): string[] {
  if (names === undefined) return Object.keys(all);
  for (const name of names) {
    if (!Object.hasOwn(all, name)) throw new UsageError(`unknown ${what} '${name}' (known: ${Object.keys(all).join(', ')})`);
  }
  return [...new Set(names)];
}

export function faultSubjects(names?: readonly string[]): FaultSubject[] {
  return pick(names, FAULTS, 'fault').map((name) => {
    const fault = FAULTS[name]!;
    return { kind: 'fault', name, targetRule: fault.rule, category: categoryOf(fault.rule), description: fault.description };
  });
}

/** Whether a variant is weather (a preset of the emulator's weather option, issue 11). */
export function isWeatherVariant(name: string): boolean {
  return Object.hasOwn(VARIANTS, name) && VARIANTS[name]!.weather !== undefined;
}

/**
 * The variants to run, each a subject of its own: by default every variant,
 * the weather ones too (a conforming target that throttles or fails after
 * acting must get no failure); --weather also adds them to every subject.
 */
export function variantSubjects(names?: readonly string[]): VariantSubject[] {
  const chosen = names ?? Object.keys(VARIANTS);
  return pick(chosen, VARIANTS, 'variant').map((name) => ({ kind: 'variant', name, description: VARIANTS[name]!.description }));
}

/** Every weather variant of the catalogue. */
export function allWeatherVariants(): string[] {
  return Object.keys(VARIANTS).filter(isWeatherVariant);
}

/** The weather variants --weather names, checked (a usage error for any other name). */
export function weatherVariants(names: readonly string[] = []): string[] {
  const known = allWeatherVariants();
  for (const name of names) {
    if (!isWeatherVariant(name)) throw new UsageError(`--weather: '${name}' is not a weather variant (known: ${known.join(', ')})`);
  }
  return [...new Set(names)];
}

/** The weather of a run, as reports record it: the variants and the rates they bring. */
export interface WeatherRecord extends Weather {
  variants: string[];
}

/** The MUST rules of the four categories and of the wire category: those every fault must target. */
export function mustRulesOfCategories(): string[] {
  return RULES.filter(
    (rule) => rule.level === 'MUST' && (Object.hasOwn(CATEGORY_OPERATIONS, rule.category) || rule.category === 'wire'),
  ).map((rule) => rule.id);
}

/**
 * The cells of a fault's run: with scope 'category', every rule of the
 * target's category and the cross-category rules (shape, general), on the
 * category's operations, so that "caught by" lists every rule of those that
 * fails; with 'full', the whole suite.
 */
export function faultCells(subject: FaultSubject, scope: FaultScope): CellFilter {
  if (scope === 'full') return {};
  return { rules: `${subject.category}/*,general/*,shape/*`, operations: operationsOf(subject.category).join(',') };
}
