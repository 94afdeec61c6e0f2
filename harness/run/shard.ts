// `--shard i/n`: one of n disjoint parts of a selection, so that n machines
// run one run between them (`proton-conformance merge` joins their reports).
// The split depends only on the selected cells (rule x operation), never on
// the seed, the time or the machine: every shard of the same flags agrees on
// who runs what, even with different seeds, and the same seed gives the same
// cells in the same shard. Property cells (the long ones) and scenario cells
// are dealt out separately, in an order fixed by a hash of their names, so
// that each shard gets its share of both.
import { UsageError } from '../errors.ts';
import type { CellPlan, Selection } from './select.ts';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** The report's `shard`: which part this is, and how many cells the whole selection has. */
export interface ShardInfo extends Shard {
  /** Cells of the whole (unsharded) selection. */
  totalCells: number;
  /** Cells this shard ran. */
  cells: number;
}

export function parseShard(raw: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  if (!match) throw new UsageError(`--shard: '${raw}' is not i/n (e.g. 2/3: the second of three shards)`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > 1000) throw new UsageError(`--shard: ${count} shards is out of range (1 to 1000)`);
  if (index < 1 || index > count) throw new UsageError(`--shard: shard ${index} of ${count} does not exist (1 to ${count})`);
  return { index, count };
}

/** FNV-1a, 32 bits: stable across Node versions and machines. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The shard (1-based) of every cell of `cells`, keyed by the plan. */
export function assignShards(cells: readonly CellPlan[], count: number): Map<CellPlan, number> {
  const assigned = new Map<CellPlan, number>();
  const key = (plan: CellPlan): string => `${plan.rule.id} ${plan.operation}`;
  const kinds = [
    cells.filter((plan) => plan.rule.checkedBy.includes('property')),
    cells.filter((plan) => !plan.rule.checkedBy.includes('property')),
  ];
  let next = 0;
  for (const kind of kinds) {
    const ordered = [...kind].sort((a, b) => hash(key(a)) - hash(key(b)) || key(a).localeCompare(key(b)));
    for (const plan of ordered) assigned.set(plan, (next++ % count) + 1);
  }
  return assigned;
}

/** The selection narrowed to one shard (its harness rules kept: each shard judges the responses it received). */
export function shardSelection(selection: Selection, shard: Shard): { selection: Selection; info: ShardInfo } {
  const assigned = assignShards(selection.cells, shard.count);
  const cells = selection.cells.filter((plan) => assigned.get(plan) === shard.index);
  return {
    selection: { ...selection, cells },
    info: { ...shard, totalCells: selection.cells.length, cells: cells.length },
  };
}
