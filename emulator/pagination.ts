// List pagination as the model describes it: `maxResults` (1..100) and an
// opaque `nextToken` (base64, matching the model's NextToken pattern). A page
// is a window of the items in the order of their keys. By default the token
// carries the last key it showed: the next page starts after that key,
// wherever the items have moved since, so creating or deleting other items
// between two pages (other clients of the account, as on any busy account)
// never makes an untouched item skipped or listed twice. By offset (the
// `offset-paging` variant, as many services page and as this emulator did
// before) the token carries a position: an item deleted before it makes the
// next page skip one, an item created before it makes the next page repeat
// one. The contract promises nothing about a List's consistency; both conform.
import { validation } from './protocol.ts';

/** Page size when the request names none. */
export const DEFAULT_PAGE_SIZE = 100;

/**
 * How a List pages: what its nextToken carries (the last key shown, or the
 * position of the next item), and at most how many items a page holds
 * whatever `maxResults` asks (a page may hold fewer than asked, as a service's
 * may).
 */
export interface Paging {
  by: 'key' | 'offset';
  maxPage?: number;
}

const BY_KEY: Paging = { by: 'key' };

const KEY_TOKEN = /^k:([\s\S]{0,2048})$/;
const OFFSET_TOKEN = /^o:(\d{1,9})$/;

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** Where the page a token asks for starts, in `keys` (sorted); a ValidationException for a token of another kind. */
function startOf(keys: readonly string[], nextToken: string, by: Paging['by']): number {
  const text = Buffer.from(nextToken, 'base64').toString('utf8');
  const match = (by === 'key' ? KEY_TOKEN : OFFSET_TOKEN).exec(text);
  if (match === null) throw validation('The nextToken is not valid: use the nextToken of a previous answer');
  if (by === 'offset') return Math.min(Number(match[1]), keys.length);
  const after = match[1]!;
  const start = keys.findIndex((key) => key > after);
  return start === -1 ? keys.length : start;
}

/** `keyOf`: a key unique among the items, whose order (code units) is the order of the list. */
export function paginate<T>(
  all: readonly T[],
  input: { maxResults?: number; nextToken?: string },
  keyOf: (item: T) => string,
  paging: Paging = BY_KEY,
): Page<T> {
  const keyed = all.map((item) => ({ key: keyOf(item), item })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const start =
    input.nextToken === undefined
      ? 0
      : startOf(
          keyed.map(({ key }) => key),
          input.nextToken,
          paging.by,
        );
  const end = start + Math.min(input.maxResults ?? DEFAULT_PAGE_SIZE, paging.maxPage ?? DEFAULT_PAGE_SIZE);
  const items = keyed.slice(start, end).map(({ item }) => item);
  if (end >= keyed.length) return { items };
  return { items, nextToken: encode(paging.by === 'key' ? `k:${keyed[end - 1]!.key}` : `o:${end}`) };
}

/** A version's key in list order: major, then minor, numerically. */
export function versionOrderKey(major: string, minor: string): string {
  return `${major.padStart(12, '0')}.${minor.padStart(12, '0')}`;
}
