// Issue 16: the two tiers (vitest.config.ts, projects "fast" and "slow")
// partition the test files: each test/**/*.test.ts runs in exactly one, as
// vitest itself resolves the projects' globs, and every slow entry names a
// file that exists.
import { readdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVitest } from 'vitest/node';
import type { Vitest } from 'vitest/node';
import { SLOW_TESTS } from '../vitest.config.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function testFiles(): string[] {
  return readdirSync(resolve(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => `test/${file.split('\\').join('/')}`)
    .sort();
}

describe('the test tiers', () => {
  let vitest: Vitest;
  const tiers = new Map<string, string[]>();

  beforeAll(async () => {
    vitest = await createVitest('test', { root: ROOT, config: resolve(ROOT, 'vitest.config.ts'), watch: false });
    for (const project of vitest.projects) {
      const { testFiles: files } = await project.globTestFiles();
      tiers.set(project.name, files.map((file) => relative(ROOT, file)).sort());
    }
  });
  afterAll(async () => {
    await vitest?.close();
  });

  it('are two: fast and slow, neither empty', () => {
    expect([...tiers.keys()].sort()).toEqual(['fast', 'slow']);
    for (const [name, files] of tiers) expect(files.length, name).toBeGreaterThan(0);
  });

  it('run every test file in exactly one tier', () => {
    const counted = new Map<string, string[]>();
    for (const file of testFiles()) counted.set(file, []);
    for (const [name, files] of tiers) for (const file of files) counted.set(file, [...(counted.get(file) ?? []), name]);
    const wrong = [...counted]
      .filter(([, names]) => names.length !== 1)
      .map(([file, names]) => `${file}: ${names.join(', ') || 'no tier'}`);
    expect(wrong).toEqual([]);
  });

  it('list no slow file that does not exist', () => {
    const slow = tiers.get('slow') ?? [];
    for (const pattern of SLOW_TESTS) {
      const prefix = pattern.replace(/\*.*$/, '');
      expect(
        slow.some((file) => (pattern.includes('*') ? file.startsWith(prefix) : file === pattern)),
        pattern,
      ).toBe(true);
    }
  });
});
