// The catalogues themselves: every fault names an existing MUST rule of the
// four categories and says what it does; at least two per such rule; names
// unique across the category files; unknown names refused everywhere.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { asyncDeleteFaults } from '../../emulator/faults/async-delete.ts';
import { clientTokenFaults } from '../../emulator/faults/client-token.ts';
import { idempotentCreateFaults } from '../../emulator/faults/idempotent-create.ts';
import { idempotentDeleteFaults } from '../../emulator/faults/idempotent-delete.ts';
import { wireFaults } from '../../emulator/faults/wire.ts';
import { durationsProblem } from '../../emulator/durations.ts';
import { startEmulator } from '../../emulator/index.ts';
import { behaviourOf, CONFORMING, FAULTS, VARIANTS } from '../../emulator/policy.ts';
import { UsageError } from '../../harness/errors.ts';
import { parseMutationArgs } from '../../mutation/args.ts';
import { faultSubjects, mustRulesOfCategories, variantSubjects } from '../../mutation/subjects.ts';
import { ruleById } from '../../specs/rules.ts';

const byFile = [clientTokenFaults, idempotentCreateFaults, idempotentDeleteFaults, asyncDeleteFaults, wireFaults];

describe('the fault catalogue', () => {
  it('has every fault of the category files, each name once', () => {
    const names = byFile.flatMap((faults) => Object.keys(faults));
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(FAULTS).sort()).toEqual([...names].sort());
    for (const name of names) expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('targets MUST rules of the four categories, each fault one rule, in the file of its category', () => {
    const categories = ['client-token', 'idempotent-create', 'idempotent-delete', 'async-delete', 'wire'];
    byFile.forEach((faults, index) => {
      for (const [name, fault] of Object.entries(faults)) {
        const rule = ruleById(fault.rule);
        expect(rule, `${name} names ${fault.rule}`).toBeDefined();
        expect(rule?.level, name).toBe('MUST');
        expect(rule?.category, name).toBe(categories[index]);
      }
    });
  });

  it('has at least two faults for every MUST rule of the four categories, 32 or more in all', () => {
    const rules = mustRulesOfCategories();
    expect(rules).toHaveLength(20);
    for (const rule of rules) {
      const faults = Object.entries(FAULTS)
        .filter(([, fault]) => fault.rule === rule)
        .map(([name]) => name);
      expect(faults.length, `${rule}: ${faults.join(', ')}`).toBeGreaterThanOrEqual(2);
    }
    expect(Object.keys(FAULTS).length).toBeGreaterThanOrEqual(32);
  });

  it('says what each fault does in one sentence', () => {
    for (const [name, fault] of Object.entries(FAULTS)) {
      expect(fault.description, name).toMatch(/^[A-Z].{20,}\.$/s);
      expect(fault.description.split(/\.\s+[A-Z]/).length, `${name}: one sentence`).toBe(1);
    }
  });

  it('changes the policy: every fault overrides at least one decision', () => {
    for (const name of Object.keys(FAULTS)) {
      const { policy } = behaviourOf([name]);
      const changed = (Object.keys(CONFORMING) as (keyof typeof CONFORMING)[]).filter((key) => policy[key] !== CONFORMING[key]);
      expect(changed.length, name).toBeGreaterThan(0);
    }
  });
});

describe('the variant catalogue', () => {
  it('describes each variant and sets only valid durations', () => {
    expect(Object.keys(VARIANTS).length).toBeGreaterThanOrEqual(5);
    for (const [name, variant] of Object.entries(VARIANTS)) {
      expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(variant.description, name).toMatch(/^[A-Z].{20,}[.)]$/s);
      if (variant.durations) expect(durationsProblem(variant.durations), name).toBeUndefined();
      expect(() => behaviourOf([], [name])).not.toThrow();
    }
  });

  it('shares no name with a fault', () => {
    for (const name of Object.keys(VARIANTS)) expect(Object.hasOwn(FAULTS, name), name).toBe(false);
  });
});

describe('emulator/faults/README.md', () => {
  const readme = readFileSync(new URL('../../emulator/faults/README.md', import.meta.url), 'utf8');
  it('lists every fault with its rule, and every variant', () => {
    for (const [name, fault] of Object.entries(FAULTS)) expect(readme, name).toContain(`| \`${name}\` | \`${fault.rule}\` |`);
    for (const name of Object.keys(VARIANTS)) expect(readme, name).toContain(`| \`${name}\` |`);
    expect(readme.match(/^\| `[a-z0-9-]+` \| `[a-z-]+\/[a-z-]+` \|/gm)).toHaveLength(Object.keys(FAULTS).length);
  });
});

describe('unknown names', () => {
  it('are refused by the policy, the emulator and the mutation runner', async () => {
    expect(() => behaviourOf(['no-such-fault'])).toThrow(/unknown fault "no-such-fault" \(known: token-/);
    expect(() => behaviourOf([], ['no-such-variant'])).toThrow(/unknown variant "no-such-variant"/);
    expect(() => behaviourOf(['toString'])).toThrow(/unknown fault/);
    await expect(startEmulator({ faults: ['no-such-fault'] })).rejects.toThrow(/unknown fault/);
    expect(() => faultSubjects(['no-such-fault'])).toThrow(UsageError);
    expect(() => variantSubjects(['no-such-variant'])).toThrow(UsageError);
  });
});

describe('npm run mutation flags', () => {
  it('reads the lists, the scope and the flaky mode', () => {
    expect(parseMutationArgs([])).toMatchObject({ numRuns: 100, scope: 'full' });
    expect(parseMutationArgs(['--faults', 'a,b'])).toMatchObject({ faults: ['a', 'b'], variants: [] });
    expect(parseMutationArgs(['--variants', 'x'])).toMatchObject({ faults: [], variants: ['x'] });
    expect(parseMutationArgs(['--faults', 'all', '--variants', 'none']).faults).toBeUndefined();
    expect(parseMutationArgs(['--flaky']).flaky).toBe(20);
    expect(parseMutationArgs(['--flaky', '3', '--seed', '5'])).toMatchObject({ flaky: 3, seed: 5 });
    expect(parseMutationArgs(['--flaky', '--num-runs', '7'])).toMatchObject({ flaky: 20, numRuns: 7 });
    expect(() => parseMutationArgs(['--scope', 'some'])).toThrow(UsageError);
    expect(() => parseMutationArgs(['--seed', 'x'])).toThrow(UsageError);
    expect(() => parseMutationArgs(['--bogus'])).toThrow(UsageError);
  });
});
