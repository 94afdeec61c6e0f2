// Pagination by key: items created or deleted between two pages (other
// clients of a busy account) never make an untouched item skipped or listed
// twice. With offsets they did: the suite's List-based counts saw a
// template "missing" when another cell deleted one between two pages.
import { describe, expect, it } from 'vitest';
import { paginate, type Paging } from '../../emulator/pagination.ts';

const names = (count: number, prefix: string): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

/** Every page of `table` (10 a page), `between` run after each. */
function listAll(table: Set<string>, between: (page: number) => void, paging?: Paging): string[] {
  const seen: string[] = [];
  let nextToken: string | undefined;
  let page = 0;
  do {
    const result = paginate([...table], { maxResults: 10, ...(nextToken ? { nextToken } : {}) }, (name) => name, paging);
    seen.push(...result.items);
    nextToken = result.nextToken;
    between(page++);
  } while (nextToken);
  return seen;
}

describe('key-based pagination', () => {
  it('lists every untouched item exactly once while others are created and deleted between pages', () => {
    const mine = names(25, 'm');
    const table = new Set([...names(30, 'a'), ...mine, ...names(30, 'z')]);
    let other = 0;
    const seen = listAll(table, (page) => {
      // Another client: deletes two of the earliest items and creates three before and after.
      for (const name of [...table].filter((n) => n.startsWith('a')).slice(0, 2)) table.delete(name);
      for (let i = 0; i < 3; i++) table.add(`${page % 2 ? 'b' : 'y'}${other++}`);
    });
    for (const name of mine)
      expect(
        seen.filter((n) => n === name),
        name,
      ).toHaveLength(1);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('returns items in key order and refuses a token it did not make', () => {
    expect(paginate(['b', 'c', 'a'], {}, (x) => x).items).toEqual(['a', 'b', 'c']);
    expect(() => paginate(['a'], { nextToken: Buffer.from('o:10').toString('base64') }, (x) => x)).toThrow(/nextToken is not valid/);
  });
});

describe('offset pagination (the offset-paging variant)', () => {
  const listByOffset = (table: Set<string>, between: (page: number) => void) => listAll(table, between, { by: 'offset' });

  it('lists every item once when nothing changes between pages', () => {
    const table = new Set(names(35, 'a'));
    expect(listByOffset(table, () => undefined)).toEqual([...table]);
  });

  it('skips an item when one before the position is deleted, and repeats one when one is created there', () => {
    const deleted = new Set(names(30, 'm'));
    const skipped = listByOffset(deleted, (page) => {
      if (page === 0) deleted.delete('m000');
    });
    expect(skipped).not.toContain('m010');
    const created = new Set(names(30, 'm'));
    const repeated = listByOffset(created, (page) => {
      if (page === 0) created.add('a000');
    });
    expect(repeated.filter((name) => name === 'm009')).toHaveLength(2);
  });

  it('holds at most maxPage items a page, whatever maxResults asks', () => {
    const first = paginate(names(25, 'a'), { maxResults: 100 }, (x) => x, { by: 'offset', maxPage: 10 });
    expect(first.items).toEqual(names(10, 'a'));
    expect(
      paginate(names(25, 'a'), { maxResults: 100, nextToken: first.nextToken! }, (x) => x, { by: 'offset', maxPage: 10 }).items,
    ).toHaveLength(10);
  });

  it('refuses a key token, as the key paging refuses an offset one', () => {
    const key = paginate(names(3, 'a'), { maxResults: 1 }, (x) => x).nextToken!;
    expect(() => paginate(names(3, 'a'), { nextToken: key }, (x) => x, { by: 'offset' })).toThrow(/nextToken is not valid/);
  });
});
