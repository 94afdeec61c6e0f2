// The suites' own machinery: the contract model's predictions (the 8-hour
// boundary measured with intervals), the token generators, comparisons.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { environmentTemplate, environmentTemplateVersion } from '../../specs/resources.ts';
import { commandFor } from '../../specs/commands.ts';
import { TOKEN_LIFETIME_MS } from '../../specs/rules.ts';
import type { CallResult, ProtonOperation } from '../../specs/commands.ts';
import { changedFields, fingerprint, identityKey, normalize } from '../../suites/lib/compare.ts';
import { NameModel, TokenModel, allows, explain } from '../../suites/lib/contract-model.ts';
import { classify } from '../../suites/lib/create.ts';
import {
  SALT_LENGTH,
  TOKEN_PATTERN,
  casedTokenArb,
  caseVariant,
  invalidTokenArb,
  lettered,
  saltInPlace,
  saltToken,
  validTokenArb,
} from '../../suites/lib/tokens.ts';

const at = (start: number, end = start + 5) => ({ start, end });

describe('TokenModel', () => {
  const model = new TokenModel();
  model.created('t', 'p', at(1_000), 'key-1');

  it('predicts the original before eight hours, a new resource at eight hours, either when the measure straddles it', () => {
    expect(model.predict('t', 'p', at(1_000 + TOKEN_LIFETIME_MS - 1_000))).toEqual([{ kind: 'original', key: 'key-1' }]);
    expect(model.predict('t', 'p', at(1_005 + TOKEN_LIFETIME_MS))).toEqual([{ kind: 'new' }]);
    expect(model.predict('t', 'p', at(1_000 + TOKEN_LIFETIME_MS - 2))).toEqual([{ kind: 'original', key: 'key-1' }, { kind: 'new' }]);
  });

  it('predicts a mismatch for other parameters, a new resource for an unknown token', () => {
    expect(model.predict('t', 'other', at(2_000))).toEqual([{ kind: 'mismatch' }]);
    expect(model.predict('T', 'p', at(2_000))).toEqual([{ kind: 'new' }]);
  });

  it('predicts a new resource once the original is deleted (and either answer for other parameters: the seed is silent)', () => {
    const deleted = new TokenModel();
    deleted.created('t', 'p', at(0), 'key-1');
    deleted.deleted('key-1');
    expect(deleted.predict('t', 'p', at(10))).toEqual([{ kind: 'new' }]);
    expect(deleted.predict('t', 'other', at(10))).toEqual([{ kind: 'mismatch' }, { kind: 'new' }]);
  });

  it('judges outcomes by kind and, for the original, by key', () => {
    expect(allows([{ kind: 'original', key: 'a' }], { kind: 'original', key: 'a' })).toBe(true);
    expect(allows([{ kind: 'original', key: 'a' }], { kind: 'other', key: 'b' })).toBe(false);
    expect(allows([{ kind: 'new' }], { kind: 'error', name: 'ValidationException', message: '' })).toBe(false);
  });
});

describe('NameModel', () => {
  it('predicts the original, a conflict once modified, a mismatch for other parameters', () => {
    const model = new NameModel();
    expect(model.predict('n', 'p')).toEqual([{ kind: 'new' }]);
    model.created('n', 'p', 'key');
    expect(model.predict('n', 'p')).toEqual([{ kind: 'original', key: 'key' }]);
    expect(model.predict('n', 'q')).toEqual([{ kind: 'mismatch' }]);
    model.modified('n');
    expect(model.predict('n', 'p')).toEqual([{ kind: 'conflict' }]);
    expect(model.predict('n', 'q')).toEqual([{ kind: 'mismatch' }, { kind: 'conflict' }]);
  });
});

describe('tokens', () => {
  it('generates valid tokens inside the contract and invalid ones outside it', () => {
    fc.assert(
      fc.property(validTokenArb, (token) => TOKEN_PATTERN.test(token)),
      { seed: 1 },
    );
    fc.assert(
      fc.property(invalidTokenArb, (token) => !TOKEN_PATTERN.test(token)),
      { seed: 1 },
    );
  });

  it('makes case variants that differ in case only', () => {
    fc.assert(
      fc.property(lettered, fc.array(fc.nat(63), { minLength: 1 }), (token, picks) => {
        const variant = caseVariant(token, picks);
        return TOKEN_PATTERN.test(token) && variant !== token && variant.toLowerCase() === token.toLowerCase();
      }),
      { seed: 1 },
    );
  });
});

describe('classify', () => {
  const version = (minor: string, createdAt: number) => ({
    templateName: 't',
    majorVersion: '1',
    minorVersion: minor,
    arn: `arn:aws:proton:us-east-1:123456789012:environment-template/t:1.${minor}`,
    createdAt: new Date(createdAt),
    status: 'DRAFT',
  });
  const answer = (resource: Record<string, unknown>): CallResult => ({ ok: true, output: { environmentTemplateVersion: resource } });
  const key = (resource: Record<string, unknown>) => identityKey(environmentTemplateVersion, resource);
  const none = { live: new Set<string>(), deleted: new Set<string>() };

  it("calls the token's original the original, whatever was predicted (never 'another existing resource')", () => {
    const original = version('1', 1_000);
    const observed = classify(environmentTemplateVersion, answer({ ...original, status: 'PUBLISHED' }), key(original), {
      ...none,
      live: new Set([key(original)]),
    });
    expect(observed).toEqual({ kind: 'original', key: key(original) });
    expect(allows([{ kind: 'new' }], observed)).toBe(false);
    expect(explain(observed)).toMatch(/^the original resource/);
  });

  it(
    "takes a version re-created under the deleted one's numbers (a later createdAt) for a new resource, and the deleted one itself " +
      'for what it is',
    () => {
      const deleted = version('1', 1_000);
      const seen = { live: new Set<string>(), deleted: new Set([key(deleted)]) };
      expect(classify(environmentTemplateVersion, answer(version('1', 5_000)), key(deleted), seen)).toEqual({ kind: 'new' });
      const again = classify(environmentTemplateVersion, answer({ ...deleted, status: 'DRAFT' }), key(deleted), seen);
      expect(again).toEqual({ kind: 'deleted', key: key(deleted) });
      expect(allows([{ kind: 'new' }], again)).toBe(false);
    },
  );

  it('names another live resource as such', () => {
    const other = version('2', 1_000);
    expect(classify(environmentTemplateVersion, answer(other), undefined, { ...none, live: new Set([key(other)]) })).toEqual({
      kind: 'other',
      key: key(other),
    });
  });
});

describe('token salts', () => {
  const salt = '123456789012';

  it('keep tokens valid and, for the case property, the variant a variant in case only', () => {
    expect(salt).toHaveLength(SALT_LENGTH);
    fc.assert(
      fc.property(validTokenArb, (token) => TOKEN_PATTERN.test(saltToken(token, salt)) && saltToken(token, salt).endsWith(salt)),
      { seed: 1 },
    );
    fc.assert(
      fc.property(casedTokenArb, fc.array(fc.nat(63), { minLength: 1 }), (token, picks) => {
        const salted = saltToken(token, salt);
        const variant = caseVariant(salted, picks);
        return TOKEN_PATTERN.test(salted) && variant !== salted && variant.toLowerCase() === salted.toLowerCase() && variant.endsWith(salt);
      }),
      { seed: 1 },
    );
    // A UUID-shaped token stays UUID-shaped.
    expect(saltToken('0f8fad5b-d9cb-469f-a165-70867728950e', salt)).toBe('0f8fad5b-d9cb-469f-a165-123456789012');
  });

  it('salt in place keeping every length from 1 to 64; a token too short for the salt is weak', () => {
    fc.assert(
      fc.property(validTokenArb, (token) => {
        const { token: salted, weak } = saltInPlace(token, salt);
        return (
          TOKEN_PATTERN.test(salted) &&
          salted.length === token.length &&
          weak === token.length <= SALT_LENGTH &&
          (weak || salted.endsWith(salt))
        );
      }),
      { seed: 1 },
    );
  });

  it('let a weak token meet an earlier binding elsewhere: a mismatch is then allowed', () => {
    const model = new TokenModel();
    expect(model.predict('~', 'p', at(0), true)).toEqual([{ kind: 'new' }, { kind: 'mismatch' }]);
    expect(model.predict('~', 'p', at(0))).toEqual([{ kind: 'new' }]);
  });
});

describe('operation names', () => {
  it("are the SDK commands' names: a misspelled one does not typecheck (npm test typechecks this file)", () => {
    // @ts-expect-error 'UpdateEnvironmentTemplat' is no operation of the SDK
    const misspelled: ProtonOperation = 'UpdateEnvironmentTemplat';
    const spelled: ProtonOperation = 'UpdateEnvironmentTemplate';
    expect(commandFor(spelled)).toBeTypeOf('function');
    expect(() => commandFor(misspelled)).toThrow('@aws-sdk/client-proton has no command for operation UpdateEnvironmentTemplat');
  });
});

describe('comparisons', () => {
  it('normalizes dates and key order; the token is not a parameter', () => {
    expect(normalize({ b: new Date(0), a: [1] })).toEqual({ a: [1], b: '1970-01-01T00:00:00.000Z' });
    expect(fingerprint({ a: 1, clientToken: 'x' })).toBe(fingerprint({ clientToken: 'y', a: 1 }));
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: 2 }));
  });

  it('compares identity on the identity fields and changes outside progress fields', () => {
    const a = { templateName: 't', majorVersion: '1', minorVersion: '0', arn: 'x', status: 'DRAFT' };
    expect(identityKey(environmentTemplateVersion, a)).toBe(identityKey(environmentTemplateVersion, { ...a, status: 'PUBLISHED' }));
    expect(identityKey(environmentTemplateVersion, a)).not.toBe(identityKey(environmentTemplateVersion, { ...a, minorVersion: '1' }));
    const t = { name: 'n', arn: 'a', createdAt: new Date(1), lastModifiedAt: new Date(1), description: 'd' };
    expect(changedFields(environmentTemplate, t, { ...t, lastModifiedAt: new Date(2) })).toEqual([]);
    expect(changedFields(environmentTemplate, t, { ...t, description: 'e' })).toEqual(['description']);
  });
});
