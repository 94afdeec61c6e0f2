// Who is calling, and where, in open mode (the default): the account and
// region of a request, read from its SigV4 Authorization header
// (docs/emulator-hooks.md "Accounts"). The signature itself is not checked
// here; in strict mode (auth.ts) it is, and the account is the verified
// credential's.
import { createHash } from 'node:crypto';

export const DEFAULT_ACCOUNT = '123456789012';
export const DEFAULT_REGION = 'us-east-1';

export interface Caller {
  account: string;
  region: string;
}

// Credential=<key id>/<date>/<region>/<service>/aws4_request
const CREDENTIAL = /Credential=([^/,\s]+)\/[^/,\s]*\/([^/,\s]+)\//;
const TWELVE_DIGITS = /^\d{12}$/;
// What an ARN's region field accepts; anything else falls back to the default.
const REGION = /^[a-z0-9-]{1,32}$/;

const accountCache = new Map<string, string>();

/** A 12-digit key id is the account itself; any other maps to a stable 12-digit id. */
export function accountOf(accessKeyId: string | undefined): string {
  if (accessKeyId === undefined || accessKeyId === '') return DEFAULT_ACCOUNT;
  if (TWELVE_DIGITS.test(accessKeyId)) return accessKeyId;
  let account = accountCache.get(accessKeyId);
  if (account === undefined) {
    const digest = createHash('sha256').update(accessKeyId).digest();
    // 12 decimal digits from the first 6 bytes (2^48 > 10^12 keeps them well spread).
    account = (digest.readUIntBE(0, 6) % 1_000_000_000_000).toString().padStart(12, '0');
    if (accountCache.size > 10_000) accountCache.clear();
    accountCache.set(accessKeyId, account);
  }
  return account;
}

export function callerOf(authorization: string | undefined): Caller {
  const match = authorization === undefined ? null : CREDENTIAL.exec(authorization);
  if (match === null) return { account: DEFAULT_ACCOUNT, region: DEFAULT_REGION };
  const region = match[2] !== undefined && REGION.test(match[2]) ? match[2] : DEFAULT_REGION;
  return { account: accountOf(match[1]), region };
}
