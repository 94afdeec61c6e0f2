// List pagination as the model describes it: `maxResults` (1..100) and an
// opaque `nextToken` (base64, matching the model's NextToken pattern).
import { validation } from './protocol.ts';

/** Page size when the request names none. */
export const DEFAULT_PAGE_SIZE = 100;

const TOKEN = /^o:(\d{1,9})$/;

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export function paginate<T>(all: readonly T[], input: { maxResults?: number; nextToken?: string }): Page<T> {
  let offset = 0;
  if (input.nextToken !== undefined) {
    const match = TOKEN.exec(Buffer.from(input.nextToken, 'base64').toString('latin1'));
    if (match === null) throw validation('The nextToken is not valid: use the nextToken of a previous answer');
    offset = Number(match[1]);
  }
  const end = offset + (input.maxResults ?? DEFAULT_PAGE_SIZE);
  const items = all.slice(offset, end);
  return end < all.length ? { items, nextToken: Buffer.from(`o:${end}`, 'latin1').toString('base64') } : { items };
}
