// Synthetic static credentials, one account per cell, for targets with the
// `accounts` capability: the emulator derives the account from the access key
// id (a 12-digit key id is the account id itself), so every cell gets its own
// resources, tokens, clock and durations and cells can run side by side.
import { randomBytes } from 'node:crypto';
import { registerSecret } from '../client/redact.ts';

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * A 12-digit account id unique to (run, cell): seven digits of the run id's
 * hash (so runs against a long-lived emulator rarely meet) and five of the
 * cell index (so no two cells of a run share one).
 */
export function cellAccountId(runId: string, cellIndex: number): string {
  if (!Number.isInteger(cellIndex) || cellIndex < 0 || cellIndex >= 100_000) {
    throw new RangeError(`cell index out of range: ${cellIndex}`);
  }
  const runPart = String((hash(runId) % 9_000_000) + 1_000_000);
  return `${runPart}${String(cellIndex).padStart(5, '0')}`;
}

export function cellCredentials(runId: string, cellIndex: number): StaticCredentials {
  // The secret is random even though the emulator ignores it: nothing in a
  // report should look like a reusable credential.
  const secretAccessKey = randomBytes(30).toString('base64');
  registerSecret(secretAccessKey);
  return { accessKeyId: cellAccountId(runId, cellIndex), secretAccessKey };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}
