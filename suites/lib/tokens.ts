// Client tokens as the contract speaks of them: 1 to 64 printable ASCII
// characters ([!-~]), case-sensitive; and the tokens it says are rejected.
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import type { CheckContext } from '../../harness/run/context.ts';
import type { Input } from '../../specs/types.ts';
import { charsArb } from '../../specs/values.ts';
import type { Interval } from './timeline.ts';

export const TOKEN_PATTERN = /^[!-~]{1,64}$/;

/** Length of a salt: digits only, so that salting never adds or removes a letter (case variants stay meaningful). */
export const SALT_LENGTH = 12;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What salting keeps of a UUID-shaped token: all but its last group. */
const UUID_KEPT = 24;

/** The printable ASCII characters, ! to ~. */
const PRINTABLE = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join('');
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Any valid token. */
export const validTokenArb: Arbitrary<string> = charsArb(PRINTABLE, 1, 64);

/** A valid token with at least one letter, so that it has case variants. */
export const lettered: Arbitrary<string> = fc
  .tuple(charsArb(PRINTABLE, 0, 31), charsArb(LETTERS, 1, 1), charsArb(PRINTABLE, 0, 32))
  .map(([before, letter, after]) => `${before}${letter}${after}`);

function flip(char: string): string {
  const upper = char.toUpperCase();
  return upper === char ? char.toLowerCase() : upper;
}

/**
 * A UUID-shaped token with at least one letter before its last group (which
 * the salt takes): the shape SDKs generate, which an implementation may treat
 * apart (e.g. fold its case).
 */
export const uuidLettered: Arbitrary<string> = fc.uuid().filter((token) => /[a-f]/i.test(token.slice(0, UUID_KEPT)));

/** Tokens with a letter, UUID-shaped ones among them. */
export const casedTokenArb: Arbitrary<string> = fc.oneof(lettered, uuidLettered);

/** The token with the letters at the chosen positions (mod the letter count) in the other case. */
export function caseVariant(token: string, picks: readonly number[]): string {
  const letters = [...token].flatMap((char, index) => (/[A-Za-z]/.test(char) ? [index] : []));
  if (letters.length === 0) throw new Error(`token ${JSON.stringify(token)} has no letter`);
  const flipped = new Set(picks.map((pick) => letters[pick % letters.length]!));
  return [...token].map((char, index) => (flipped.has(index) ? flip(char) : char)).join('');
}

/** A lettered token and a case variant of it (differs in case only, never equal). */
export const tokenAndVariantArb: Arbitrary<[string, string]> = fc
  .tuple(lettered, fc.array(fc.nat(63), { minLength: 1, maxLength: 8 }))
  .map(([token, picks]) => [token, caseVariant(token, picks)]);

/**
 * Salts for the tokens a cell's properties generate. A seed draws the same
 * tokens in every cell and every run; a salt unique to the run, the cell and
 * the token keeps a token from meeting a request of another cell (tokens may
 * be scoped per account, and cells may share one) or of an earlier run against
 * a long-lived target (tokens live eight hours). Replaying seed and path
 * replays the same case shape, under another salt.
 */
export class TokenSalt {
  private counter = 0;

  private constructor(private readonly base: string) {}

  private static readonly salts = new WeakMap<CheckContext, TokenSalt>();

  static of(ctx: CheckContext): TokenSalt {
    let salt = TokenSalt.salts.get(ctx);
    if (!salt) {
      // The cell's names carry the run id and the cell index: eight digits of their hash.
      salt = new TokenSalt(String(fnv(ctx.uniqueName('token-salt')) % 100_000_000).padStart(8, '0'));
      TokenSalt.salts.set(ctx, salt);
    }
    return salt;
  }

  /** The latest generated tokens and how they were sent (a replayed case quotes them). */
  private readonly sent: Array<[string, string]> = [];

  /** Notes that the generated token `raw` was sent as `salted`. */
  noteSent(raw: string, salted: string): void {
    if (this.sent.length >= 8) this.sent.shift();
    this.sent.push([raw, salted]);
  }

  /** The latest generated tokens and how they were sent, oldest first. */
  sentTokens(): Array<[string, string]> {
    return [...this.sent];
  }

  /** A new salt: SALT_LENGTH digits, unique in the cell (for 10,000 tokens). */
  next(): string {
    const salt = `${this.base}${String(this.counter % 10_000).padStart(4, '0')}`;
    this.counter++;
    return salt;
  }
}

function fnv(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/**
 * A generated token made unique: a UUID-shaped one keeps its shape (the salt
 * is its last group); any other gets the salt appended, its end cut where the
 * whole would pass 64 characters (the letter `lettered` puts in its first 32
 * stays). 1 to 64 characters of [!-~] in, 13 to 64 out.
 */
export function saltToken(token: string, salt: string): string {
  if (UUID.test(token)) return `${token.slice(0, UUID_KEPT)}${salt}`;
  return `${token.slice(0, 64 - salt.length)}${salt}`;
}

/**
 * A generated token salted in place, its length kept (for the format: every
 * length from 1 to 64 is tried). `weak`: too short to carry the whole salt,
 * it may be bound already, elsewhere (contract-model.ts predicts with it).
 */
export function saltInPlace(token: string, salt: string): { token: string; weak: boolean } {
  if (token.length <= salt.length) return { token, weak: true };
  return { token: `${token.slice(0, token.length - salt.length)}${salt}`, weak: false };
}

/** The request that first bound a short token in a cell, and the resource it created. */
export interface ShortBinding {
  input: Input;
  /** identityKey of the resource. */
  key: string;
  /** When the request was in flight (real time: the cells that send short tokens never move the clock). */
  at: Interval;
}

/**
 * The short tokens a cell has bound (those saltInPlace leaves as they are, and
 * the format edges' one character). A short token is drawn again and again
 * (there are 94 of one character): sent anew with other parameters, it would
 * test the mismatch (client-token/same-token-different-params), and the
 * format cell would fail, or not, with the seed, on a target whose mismatch
 * answer is wrong. Whoever sends a short token again in the cell sends it with
 * the parameters of its first request: an identical retry, which the contract
 * answers with that first resource.
 */
export class ShortTokens {
  private static readonly cells = new WeakMap<CheckContext, ShortTokens>();
  private readonly bindings = new Map<string, ShortBinding>();

  static of(ctx: CheckContext): ShortTokens {
    let tokens = ShortTokens.cells.get(ctx);
    if (!tokens) {
      tokens = new ShortTokens();
      ShortTokens.cells.set(ctx, tokens);
    }
    return tokens;
  }

  /** The request that first bound `token` in the cell, if one did. */
  binding(token: string): ShortBinding | undefined {
    return this.bindings.get(token);
  }

  /** `token` created a resource: the first binding is kept. */
  bound(token: string, binding: ShortBinding): void {
    if (!this.bindings.has(token)) this.bindings.set(token, binding);
  }
}

/** Characters outside [!-~]: space, controls, DEL, non-ASCII letters and symbols. */
const outsideArb = fc.constantFrom(' ', '\t', '\n', '\u0001', '\u007f', 'é', '€', 'ß', '中', '\u00a0');

/** Tokens the contract says are rejected: longer than 64, or with a character outside [!-~]. */
export const invalidTokenArb: Arbitrary<string> = fc.oneof(
  charsArb(PRINTABLE, 65, 100),
  fc.tuple(charsArb(PRINTABLE, 0, 40), outsideArb, charsArb(PRINTABLE, 0, 20)).map(([before, char, after]) => `${before}${char}${after}`),
);
