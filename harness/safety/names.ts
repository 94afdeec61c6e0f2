// Names a run gives what it creates: the run id is inside every name and tag,
// so that a later sweep of a real account can find what a run left behind.
import { randomBytes } from 'node:crypto';

export const NAME_PREFIX = 'pc';
export const TAG_RUN = 'proton-conformance:run';
export const TAG_CELL = 'proton-conformance:cell';

/** A short lower-case id: time (base 36) then randomness, e.g. `mf3k2a9x7q`. */
export function newRunId(): string {
  const time = Date.now().toString(36).slice(-6);
  const random = randomBytes(3).readUIntBE(0, 3).toString(36).padStart(4, '0').slice(-4);
  return `${time}${random}`;
}

const MAX_NAME = 100;
const MAX_HINT = 40;

/**
 * `pc<run>-<cell>-<hint>-<n>`: a valid ResourceName (alphanumeric first, then
 * [0-9A-Za-z_-]) of at most 100 characters, unique per run, cell and call.
 */
export function makeUniqueName(runId: string, cellIndex: number, counter: number, hint: string): string {
  const cleanHint = hint
    .replace(/[^0-9A-Za-z_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, MAX_HINT)
    .replace(/[-_]+$/, '');
  const parts = [`${NAME_PREFIX}${runId}`, String(cellIndex), ...(cleanHint ? [cleanHint] : []), String(counter)];
  return parts.join('-').slice(0, MAX_NAME);
}

export const RESOURCE_NAME = /^[0-9A-Za-z]+[0-9A-Za-z_-]*$/;
