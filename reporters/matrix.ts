// The matrix: one block per category (its operations as columns, its rules as
// rows with their level), a verdict symbol per cell, '.' where the rule does
// not apply. Wide blocks (shape, general) wrap their columns to the width.
import type { Category, Level, RuleResult, Verdict } from '../harness/types.ts';
import { NOT_APPLICABLE, SYMBOL, padEnd } from './style.ts';
import type { Palette } from './style.ts';

export interface MatrixOptions {
  palette: Palette;
  /** Terminal width to wrap columns at. */
  width: number;
  /** Short column name of each operation. */
  names: ReadonlyMap<string, string>;
}

interface Row {
  rule: string;
  level: Level;
  cells: Map<string, Verdict>;
}

interface Block {
  category: Category;
  operations: string[];
  rows: Row[];
}

/** Blocks in report order: categories as they first appear, rows as rules first appear. */
export function blocksOf(results: readonly RuleResult[]): Block[] {
  const blocks = new Map<Category, Block>();
  for (const result of results) {
    let block = blocks.get(result.category);
    if (!block) {
      block = { category: result.category, operations: [], rows: [] };
      blocks.set(result.category, block);
    }
    if (!block.operations.includes(result.operation)) block.operations.push(result.operation);
    let row = block.rows.find((r) => r.rule === result.rule);
    if (!row) {
      row = { rule: result.rule, level: result.level, cells: new Map() };
      block.rows.push(row);
    }
    row.cells.set(result.operation, result.verdict);
  }
  return [...blocks.values()];
}

/** Every operation in matrix order (for the short names and the legend). */
export function matrixOperations(results: readonly RuleResult[]): string[] {
  const seen: string[] = [];
  for (const block of blocksOf(results)) for (const operation of block.operations) if (!seen.includes(operation)) seen.push(operation);
  return seen;
}

export function renderMatrix(results: readonly RuleResult[], options: MatrixOptions): string[] {
  const blocks = blocksOf(results);
  // "  SHOULD  " + the rule, then two spaces before the first column.
  const labelWidth = Math.max(24, ...blocks.flatMap((b) => b.rows.map((r) => ruleLabel(r.rule).length + 12)));
  const lines: string[] = [];
  for (const block of blocks) {
    const columns = block.operations.map((operation) => ({ operation, name: options.names.get(operation) ?? operation }));
    const widthOf = (name: string): number => Math.max(name.length, 1) + 2;
    let start = 0;
    while (start < columns.length) {
      let end = start;
      let used = labelWidth;
      while (end < columns.length && (end === start || used + widthOf(columns[end]!.name) <= options.width)) {
        used += widthOf(columns[end]!.name);
        end++;
      }
      const slice = columns.slice(start, end);
      const title = start === 0 ? block.category : `${block.category} (continued)`;
      lines.push(
        padEnd(options.palette.bold(title), labelWidth) +
          slice
            .map((c) => padEnd(c.name, widthOf(c.name)))
            .join('')
            .trimEnd(),
      );
      for (const row of block.rows) {
        const label = `  ${row.level.padEnd(7)} ${ruleLabel(row.rule)}`;
        const cells = slice.map((c) => {
          const verdict = row.cells.get(c.operation);
          const symbol = verdict ? options.palette.verdict(verdict, SYMBOL[verdict]) : options.palette.dim(NOT_APPLICABLE);
          // Under the middle of its column name.
          const before = Math.floor((Math.max(c.name.length, 1) - 1) / 2);
          return padEnd(' '.repeat(before) + symbol, widthOf(c.name));
        });
        lines.push((padEnd(label, labelWidth) + cells.join('')).trimEnd());
      }
      start = end;
    }
    lines.push('');
  }
  return lines;
}

/** The rule id without its category (the block title names it). */
function ruleLabel(rule: string): string {
  const slash = rule.indexOf('/');
  return slash === -1 ? rule : rule.slice(slash + 1);
}

export function legendLines(names: ReadonlyMap<string, string>, width: number): string[] {
  const verdicts = (Object.keys(SYMBOL) as Verdict[]).map((v) => `${SYMBOL[v]} ${v}`).join('  ');
  const lines = [`${verdicts}  ${NOT_APPLICABLE} does not apply`];
  let line = '';
  for (const [operation, name] of names) {
    const entry = `${name} ${operation}`;
    if (line && line.length + 3 + entry.length > width) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} · ${entry}` : entry;
  }
  if (line) lines.push(line);
  return lines;
}
