// specs/rules.ts against docs/CONTRACT.md and the seed (specs/seed/): every rule there,
// nothing else, with its level, its operations and verbatim citations; and
// a check registered for every rule the harness does not check itself.
import { describe, expect, it } from 'vitest';
import { ALL_OPERATIONS, CATEGORY_OPERATIONS, RULES, TOKEN_LIFETIME_MS } from '../../specs/rules.ts';
import { OPERATIONS } from '../../specs/operations/index.ts';
import { checks } from '../../suites/registry.ts';
import { readContract, readSeed } from './contract.ts';

const contract = readContract();

describe('specs/rules.ts', () => {
  it('reads the contract (sanity of the parser)', () => {
    expect(contract.length).toBe(24);
    expect(contract.find((rule) => rule.id === 'client-token/expiry')?.operations).toEqual([
      'CreateEnvironmentTemplateVersion',
      'CreateServiceTemplateVersion',
      'CreateEnvironmentAccountConnection',
    ]);
  });

  it('has exactly the rules of CONTRACT.md, in its order', () => {
    expect(RULES.map((rule) => rule.id)).toEqual(contract.map((rule) => rule.id));
  });

  it.each(contract.map((rule) => [rule.id, rule] as const))('%s: level, category and operations as CONTRACT.md says', (id, expected) => {
    const rule = RULES.find((candidate) => candidate.id === id)!;
    expect(rule.level).toBe(expected.level);
    expect(rule.category).toBe(expected.category);
    expect([...rule.operations].sort()).toEqual([...expected.operations].sort());
  });

  it('applies the rules across categories to all fourteen operations', () => {
    expect(new Set(ALL_OPERATIONS).size).toBe(14);
    for (const id of ['shape/responses-match-model', 'general/exact-resource-count']) {
      expect([...RULES.find((rule) => rule.id === id)!.operations].sort()).toEqual([...ALL_OPERATIONS].sort());
    }
  });

  it('cites sentences that are in the seed, verbatim', () => {
    const seed = readSeed();
    for (const rule of RULES) {
      expect(rule.cites.length, rule.id).toBeGreaterThan(0);
      for (const sentence of rule.cites) expect(seed.includes(sentence), `${rule.id}: ${sentence}`).toBe(true);
    }
  });

  it("holds the token lifetime the seed gives: 'eight hours after a request is made'", () => {
    const sentence = RULES.find((rule) => rule.id === 'client-token/expiry')!.cites.find((cite) => cite.includes('expire'));
    expect(sentence).toMatch(/\beight hours\b/);
    expect(TOKEN_LIFETIME_MS).toBe(8 * 3_600_000);
  });

  it('registers a check for every rule but the harness-checked one, and none for unknown rules', () => {
    const checked = RULES.filter((rule) => rule.checkedBy !== 'harness').map((rule) => rule.id);
    expect(Object.keys(checks).sort()).toEqual([...checked].sort());
    expect(RULES.filter((rule) => rule.checkedBy === 'harness').map((rule) => rule.id)).toEqual(['shape/responses-match-model']);
  });

  it(
    'requires no capability (expiry prefers the clock and skips itself without it or a --phase), and says why each rule is checked ' +
      'how it is',
    () => {
      for (const rule of RULES) {
        expect(rule.how.length, rule.id).toBeGreaterThan(20);
        expect(rule.requires, rule.id).toEqual([]);
      }
      expect(RULES.find((rule) => rule.id === 'client-token/expiry')?.prefers).toEqual(['clock']);
    },
  );

  it('gives every operation of a category an entry of that category', () => {
    for (const [category, operations] of Object.entries(CATEGORY_OPERATIONS)) {
      for (const name of operations) expect(OPERATIONS[name].category, name).toBe(category);
    }
  });
});
