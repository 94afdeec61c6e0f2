// What every part of the corpus builds with: the seed's random numbers, the
// names (deterministic from the seed, the same for both targets), and a
// sequence under construction that collects its cleanup and puts it in the
// deletion order of specs/resources.ts.
import { operationSpec } from '../../specs/operations/index.ts';
import { DELETION_ORDER } from '../../specs/resources.ts';
import type { CreateOperationSpec, Input, ResourceKind } from '../../specs/types.ts';
import type { ParitySequence, ParityStep } from '../types.ts';

/** Every name the corpus gives starts with this, then the seed's tag: `parity<tag>-<hint>-<n>`. */
export const PARITY_NAME_PREFIX = 'parity';

/** The seed's random numbers (mulberry32): one seed, one corpus. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** One of `items` (not empty). */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Random.pick: nothing to pick from');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A whole number in [0, below). */
  below(below: number): number {
    return Math.floor(this.next() * below);
  }
}

/** The seed's names: `parity<tag>-<hint>-<n>`, valid ResourceNames, unique within the corpus. */
export class Names {
  readonly prefix: string;
  private counter = 0;

  constructor(seed: number) {
    // A short tag of the seed (base 36), so that two seeds' names differ.
    const tag = (Math.abs(Math.trunc(seed)) % 36 ** 4).toString(36).padStart(4, '0');
    this.prefix = `${PARITY_NAME_PREFIX}${tag}`;
  }

  name(hint: string): string {
    this.counter += 1;
    return `${this.prefix}-${hint}-${this.counter}`;
  }

  /** A client token (printable ASCII, at most 64 characters), deterministic like the names. */
  token(hint: string): string {
    this.counter += 1;
    return `${this.prefix}-${hint}-token-${this.counter}`;
  }
}

/** What a corpus part is built with. */
export interface CorpusContext {
  seed: number;
  random: Random;
  names: Names;
}

/** A reference to a member of an earlier answer (ParityStep.from). */
export type From = Record<string, { step: number; path: string }>;

interface StepOptions {
  settle?: boolean;
  from?: From;
  /** Sent as the management account (ParityStep.account). */
  account?: 'management';
}

interface PendingCleanup {
  kind: ResourceKind;
  operation: string;
  input: Input;
  from?: From;
  account?: 'management';
}

/** The kinds whose deletion is asynchronous: what is deleted after one of them waits for it. */
const ASYNC_DELETION: ReadonlySet<ResourceKind> = new Set(['environment', 'service']);

/** A sequence under construction. */
export class SequenceBuilder {
  private readonly steps: ParityStep[] = [];
  private readonly cleanups: PendingCleanup[] = [];
  private asynchronous = false;

  constructor(readonly id: string) {}

  /** Adds a step; returns its index (for `from` of later steps). */
  step(operation: string, input: Input, intent: string, options: StepOptions = {}): number {
    const step: ParityStep = { operation, input, intent };
    if (options.settle === true) step.settle = true;
    if (options.from !== undefined) step.from = options.from;
    if (options.account !== undefined) step.account = options.account;
    this.steps.push(step);
    return this.steps.length - 1;
  }

  /** Says the sequence started something asynchronous: its cleanup first waits for it to settle. */
  startsAsync(): void {
    this.asynchronous = true;
  }

  /**
   * Says the sequence made a resource of `kind`, removed by this delete. Within
   * a kind, deletes run in the order they were registered.
   */
  made(kind: ResourceKind, operation: string, input: Input, options: { from?: From; account?: 'management' } = {}): void {
    this.cleanups.push({ kind, operation, input, ...options });
  }

  build(): ParitySequence {
    const ordered = DELETION_ORDER.flatMap((kind) => this.cleanups.filter((c) => c.kind === kind));
    const cleanup: ParityStep[] = [];
    let afterAsyncDelete = false;
    for (const [index, pending] of ordered.entries()) {
      const step: ParityStep = { operation: pending.operation, input: pending.input, intent: 'cleanup' };
      if ((index === 0 && this.asynchronous) || afterAsyncDelete) step.settle = true;
      if (pending.from !== undefined) step.from = pending.from;
      if (pending.account !== undefined) step.account = pending.account;
      cleanup.push(step);
      afterAsyncDelete = ASYNC_DELETION.has(pending.kind);
    }
    const operations = [...new Set(this.steps.map((s) => s.operation))];
    return { id: this.id, operations, steps: this.steps, cleanup };
  }
}

/** A template version as a sequence left it, for the order of its deletion. */
export interface VersionState {
  major: string;
  minor: string;
  published: boolean;
}

/**
 * The order in which a template's versions can be deleted (Proton's rules, as
 * the emulator applies them): versions that are not published first, then
 * published ones that are not their major version's recommended minor, then
 * the recommended minor versions, the template's recommended version last.
 */
export function versionDeletionOrder(versions: readonly VersionState[]): VersionState[] {
  const num = (v: string): number => Number(v);
  const published = versions.filter((v) => v.published);
  const recommendedMinor = new Map<string, number>();
  for (const v of published) recommendedMinor.set(v.major, Math.max(recommendedMinor.get(v.major) ?? -1, num(v.minor)));
  const isRecommendedMinor = (v: VersionState) => v.published && recommendedMinor.get(v.major) === num(v.minor);
  const topMajor = Math.max(-1, ...published.map((v) => num(v.major)));
  const rank = (v: VersionState): number => {
    if (!v.published) return 0;
    if (!isRecommendedMinor(v)) return 1;
    return num(v.major) === topMajor ? 3 : 2;
  };
  return [...versions].reverse().sort((a, b) => rank(a) - rank(b));
}

/** The suite's entry of a create operation (specs/operations/): its valid input, arbitrary and alternatives. */
export function createSpec(operation: string): CreateOperationSpec {
  const spec = operationSpec(operation);
  if (spec?.kind !== 'create') throw new Error(`${operation} is not a create operation of specs/operations`);
  return spec;
}
