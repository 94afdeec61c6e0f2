// Client tokens as the contract speaks of them: 1 to 64 printable ASCII
// characters ([!-~]), case-sensitive; and the tokens it says are rejected.
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { charsArb } from '../../specs/values.ts';

export const TOKEN_PATTERN = /^[!-~]{1,64}$/;

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
 * A UUID-shaped token with at least one letter: the shape SDKs generate, which
 * an implementation may treat apart (e.g. fold its case).
 */
export const uuidLettered: Arbitrary<string> = fc.uuid().filter((token) => /[a-f]/i.test(token));

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

/** Characters outside [!-~]: space, controls, DEL, non-ASCII letters and symbols. */
const outsideArb = fc.constantFrom(' ', '\t', '\n', '\u0001', '\u007f', 'é', '€', 'ß', '中', '\u00a0');

/** Tokens the contract says are rejected: longer than 64, or with a character outside [!-~]. */
export const invalidTokenArb: Arbitrary<string> = fc.oneof(
  charsArb(PRINTABLE, 65, 100),
  fc
    .tuple(charsArb(PRINTABLE, 0, 40), outsideArb, charsArb(PRINTABLE, 0, 20))
    .map(([before, char, after]) => `${before}${char}${after}`),
);
