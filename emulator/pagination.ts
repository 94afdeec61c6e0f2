// List pagination as the model describes it: `maxResults` (1..100) and an
// opaque `nextToken` (base64, matching the model's NextToken pattern). A page
// is a window of the items in the order of their keys, and the token carries
// the last key it showed: the next page starts after that key, wherever the
// items have moved since. Creating or deleting other items between two pages
// (other clients of the account, as on any busy account) never makes an
// untouched item skipped or listed twice, as an offset-based token would.
import { validation } from './protocol.ts';

/** Page size when the request names none. */
export const DEFAULT_PAGE_SIZE = 100;

const TOKEN = /^k:([\s\S]{0,2048})$/;

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** `keyOf`: a key unique among the items, whose order (code units) is the order of the list. */
export function paginate<T>(all: readonly T[], input: { maxResults?: number; nextToken?: string }, keyOf: (item: T) => string): Page<T> {
  const keyed = all.map((item) => ({ key: keyOf(item), item })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let start = 0;
  if (input.nextToken !== undefined) {
    const match = TOKEN.exec(Buffer.from(input.nextToken, 'base64').toString('utf8'));
    if (match === null) throw validation('The nextToken is not valid: use the nextToken of a previous answer');
    const after = match[1]!;
    start = keyed.findIndex(({ key }) => key > after);
    if (start === -1) start = keyed.length;
  }
  const end = start + (input.maxResults ?? DEFAULT_PAGE_SIZE);
  const items = keyed.slice(start, end).map(({ item }) => item);
  return end < keyed.length ? { items, nextToken: Buffer.from(`k:${keyed[end - 1]!.key}`, 'utf8').toString('base64') } : { items };
}

/** A version's key in list order: major, then minor, numerically. */
export function versionOrderKey(major: string, minor: string): string {
  return `${major.padStart(12, '0')}.${minor.padStart(12, '0')}`;
}
