// A model of the contract: what a create should answer, given what was sent
// before. Tokens (client-token category) and names (idempotent-create) each
// have one. A prediction lists every outcome the contract allows; more than
// one where timing is within the measuring error or the seed is silent.
import { TOKEN_LIFETIME_MS } from '../../specs/rules.ts';
import type { Interval } from './timeline.ts';

export type Expected = { kind: 'new' } | { kind: 'original'; key: string } | { kind: 'mismatch' } | { kind: 'conflict' };

export type Observed =
  | Expected
  | { kind: 'other'; key: string }
  /** The very resource (same identity and creation time) the model knows was deleted. */
  | { kind: 'deleted'; key: string }
  | { kind: 'error'; name: string; message: string };

export function allows(predicted: readonly Expected[], observed: Observed): boolean {
  return predicted.some((expected) => {
    if (expected.kind !== observed.kind) return false;
    return expected.kind !== 'original' || (observed.kind === 'original' && observed.key === expected.key);
  });
}

export function explain(outcome: Observed): string {
  switch (outcome.kind) {
    case 'new':
      return 'a new resource';
    case 'original':
      return `the original resource (${outcome.key})`;
    case 'other':
      return `another existing resource (${outcome.key})`;
    case 'deleted':
      return `the deleted resource (${outcome.key}) again, not a new one`;
    case 'mismatch':
      return 'ValidationException naming the idempotent parameter mismatch';
    case 'conflict':
      return 'ConflictException';
    case 'error':
      return `${outcome.name}: ${outcome.message}`;
  }
}

export function explainAll(predicted: readonly Expected[]): string {
  return predicted.map(explain).join(' or ');
}

interface TokenEntry {
  fingerprint: string;
  key: string;
  issued: Interval;
  deleted: boolean;
}

/** Client tokens: bound to the parameters and resource of the request that created it, for eight hours. */
export class TokenModel {
  private readonly entries = new Map<string, TokenEntry>();

  /**
   * `weak`: a token too short to carry the run's salt (suites/lib/tokens.ts),
   * which another run, cell or earlier test run may have bound to another
   * request: unknown here, it may still answer a mismatch.
   */
  predict(token: string, fingerprint: string, at: Interval, weak = false): Expected[] {
    const entry = this.entries.get(token);
    if (!entry) return weak ? [{ kind: 'new' }, { kind: 'mismatch' }] : [{ kind: 'new' }];
    const youngest = at.start - entry.issued.end;
    const oldest = at.end - entry.issued.start;
    let live: Expected[];
    if (fingerprint !== entry.fingerprint) {
      // Silent in the seed: different parameters and a deleted original.
      live = entry.deleted ? [{ kind: 'mismatch' }, { kind: 'new' }] : [{ kind: 'mismatch' }];
    } else {
      live = entry.deleted ? [{ kind: 'new' }] : [{ kind: 'original', key: entry.key }];
    }
    if (oldest < TOKEN_LIFETIME_MS) return live;
    if (youngest >= TOKEN_LIFETIME_MS) return [{ kind: 'new' }];
    return dedupe([...live, { kind: 'new' }]);
  }

  /** A request with this token created `key`: the token now names it, from this request on. */
  created(token: string, fingerprint: string, at: Interval, key: string): void {
    this.entries.set(token, { fingerprint, key, issued: at, deleted: false });
  }

  deleted(key: string): void {
    for (const entry of this.entries.values()) if (entry.key === key) entry.deleted = true;
  }

  has(token: string): boolean {
    return this.entries.has(token);
  }

  /** The resource the token was last bound to (deleted or expired or not). */
  keyOf(token: string): string | undefined {
    return this.entries.get(token)?.key;
  }
}

interface NameEntry {
  fingerprint: string;
  key: string;
  modified: boolean;
}

/** Idempotent creates: the name is the identity; a retry answers by how the resource has fared. */
export class NameModel {
  private readonly entries = new Map<string, NameEntry>();

  predict(name: string, fingerprint: string): Expected[] {
    const entry = this.entries.get(name);
    if (!entry) return [{ kind: 'new' }];
    if (fingerprint !== entry.fingerprint) {
      // Silent in the seed: different parameters and a modified original.
      return entry.modified ? [{ kind: 'mismatch' }, { kind: 'conflict' }] : [{ kind: 'mismatch' }];
    }
    return entry.modified ? [{ kind: 'conflict' }] : [{ kind: 'original', key: entry.key }];
  }

  created(name: string, fingerprint: string, key: string): void {
    this.entries.set(name, { fingerprint, key, modified: false });
  }

  modified(name: string): void {
    const entry = this.entries.get(name);
    if (entry) entry.modified = true;
  }

  keyOf(name: string): string | undefined {
    return this.entries.get(name)?.key;
  }

  /** The name is free again (and never reused by the suites: re-creating is not a retry). */
  deleted(name: string): void {
    this.entries.delete(name);
  }
}

function dedupe(outcomes: Expected[]): Expected[] {
  const seen = new Set<string>();
  return outcomes.filter((outcome) => {
    const key = JSON.stringify(outcome);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
