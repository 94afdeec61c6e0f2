// The wire proxy's faults (harness/wire/proxy.ts): the grammar of a --faults
// spec (KIND[:MS][@WHEN], the kinds in specs/wire.ts) and the seeded schedule
// that says which eligible delivery meets which fault.
import { WIRE_FAULT_KINDS, WIRE_FAULTS } from '../../specs/wire.ts';
import type { WireFaultKind } from '../../specs/wire.ts';

/** When a fault applies to an eligible delivery (a Create* or Delete*). */
export type FaultWhen =
  /** The first delivery of each distinct request (operation and body): retries and resends of it pass. */
  | { kind: 'first' }
  /** The Nth eligible delivery (1-based, in arrival order). */
  | { kind: 'nth'; n: number }
  /** Each eligible delivery with this probability, from the seeded schedule. */
  | { kind: 'rate'; rate: number };

export interface FaultRule {
  fault: WireFaultKind;
  when: FaultWhen;
  /** The fault's time argument (close, delay, reorder), milliseconds. */
  ms?: number;
}

/**
 * Parses a fault spec: comma-separated `KIND[:MS][@WHEN]`, WHEN one of
 * `first` (the first delivery of each distinct request), `N` (the Nth
 * eligible delivery), a rate (`0.25` or `25%`); without @WHEN, every eligible
 * delivery. Throws an Error with a one-line message.
 */
export function parseFaults(spec: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (item === '' || item === 'none') continue;
    const match = /^([a-z0-9-]+)(?::(\d+))?(?:@(.+))?$/.exec(item);
    if (!match) throw new Error(`fault '${item}' is not KIND[:MS][@WHEN] (e.g. drop@first, delay:30@0.5, 500-after@2)`);
    const [, kind, ms, when] = match;
    if (!(WIRE_FAULT_KINDS as string[]).includes(kind!)) throw new Error(`unknown fault '${kind}' (known: ${WIRE_FAULT_KINDS.join(', ')})`);
    const fault = kind as WireFaultKind;
    if (ms !== undefined && WIRE_FAULTS[fault].defaultMs === undefined) throw new Error(`fault '${kind}' takes no :MS`);
    const rule: FaultRule = { fault, when: parseWhen(when, item) };
    if (ms !== undefined) rule.ms = Number(ms);
    rules.push(rule);
  }
  return rules;
}

function parseWhen(when: string | undefined, item: string): FaultWhen {
  if (when === undefined) return { kind: 'rate', rate: 1 };
  if (when === 'first') return { kind: 'first' };
  if (/^[1-9]\d*$/.test(when)) return { kind: 'nth', n: Number(when) };
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(when);
  const rate = percent ? Number(percent[1]) / 100 : /^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(when) ? Number(when) : NaN;
  if (!(rate >= 0 && rate <= 1)) throw new Error(`fault '${item}': @${when} is not first, a delivery number or a rate (0..1 or N%)`);
  return { kind: 'rate', rate };
}

/** The spec of a list of rules, as parseFaults reads it. */
export function faultSpec(rules: readonly FaultRule[]): string {
  if (rules.length === 0) return 'none';
  return rules.map((rule) => `${rule.fault}${rule.ms !== undefined ? `:${rule.ms}` : ''}${whenSpec(rule.when)}`).join(',');
}

/** "@first", "@N", "@RATE"; "" for every eligible delivery. */
function whenSpec(when: FaultWhen): string {
  if (when.kind === 'first') return '@first';
  if (when.kind === 'nth') return `@${when.n}`;
  return when.rate === 1 ? '' : `@${when.rate}`;
}

/** The rules of a spec, or the rules themselves (copied). */
export function faultRules(faults: string | readonly FaultRule[] | undefined): FaultRule[] {
  return typeof faults === 'string' ? parseFaults(faults) : [...(faults ?? [])];
}

/** mulberry32 of (seed, delivery, rule): each decision drawn on its own, so a run replays whatever the timing. */
function draw(seed: number, delivery: number, rule: number): number {
  let t = (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(delivery, 0x85ebca6b) + Math.imul(rule + 1, 0xc2b2ae35)) >>> 0;
  t = (t + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** The seeded schedule: which fault (if any) each eligible delivery meets. */
export class FaultSchedule {
  private readonly seen = new Set<string>();
  private eligible = 0;

  constructor(
    readonly rules: readonly FaultRule[],
    readonly seed: number,
  ) {}

  /** The rule for the next eligible delivery of `key` (operation and body); undefined: it passes. */
  next(key: string): FaultRule | undefined {
    this.eligible++;
    const n = this.eligible;
    const first = !this.seen.has(key);
    this.seen.add(key);
    const due = (rule: FaultRule, index: number): boolean => {
      const when = rule.when;
      if (when.kind === 'first') return first;
      if (when.kind === 'nth') return when.n === n;
      return when.rate >= 1 || draw(this.seed, n, index) < when.rate;
    };
    return this.rules.find(due);
  }
}
