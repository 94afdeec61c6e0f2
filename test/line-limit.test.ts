// The line limit of `npm run lint` (scripts/line-limit.ts): which lines of a
// text it reports, and that its limit is the width Biome formats at.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LINE_LIMIT, longLines } from '../scripts/line-limit.ts';

describe('longLines', () => {
  it('reports each line over the limit with its 1-based number and length', () => {
    const text = ['short', 'x'.repeat(11), 'y'.repeat(10), '', 'z'.repeat(12)].join('\n');
    expect(longLines(text, 10)).toEqual([
      { line: 2, length: 11 },
      { line: 5, length: 12 },
    ]);
  });

  it('reports nothing for lines at or under the limit', () => {
    expect(longLines(`${'a'.repeat(LINE_LIMIT)}\n\n${'b'.repeat(LINE_LIMIT - 1)}\n`)).toEqual([]);
    expect(longLines('')).toEqual([]);
  });

  it('fails a line one character over the default limit', () => {
    expect(longLines(`ok\n${'c'.repeat(LINE_LIMIT + 1)}`)).toEqual([{ line: 2, length: LINE_LIMIT + 1 }]);
  });

  it('counts characters, not bytes or UTF-16 units, and not the line end', () => {
    expect(longLines(`${'é'.repeat(10)}\r\n${'😀'.repeat(10)}\n`, 10)).toEqual([]);
    expect(longLines('é'.repeat(11), 10)).toEqual([{ line: 1, length: 11 }]);
  });

  it('has the limit Biome formats at (biome.json formatter.lineWidth)', () => {
    const biome = JSON.parse(readFileSync(new URL('../biome.json', import.meta.url), 'utf8'));
    expect(biome.formatter.lineWidth).toBe(LINE_LIMIT);
  });
});
