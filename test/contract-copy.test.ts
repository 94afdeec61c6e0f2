// Issue 12.13: the contract lives in the project (docs/CONTRACT.md), kept
// identical to the shared copy (../shared/CONTRACT.md) when that is present;
// the README links inside the repository. Issue 16: so do the seed's English
// section (specs/seed/) and the API model (specs/model/); each is compared
// with its shared original when that is present, skipped when not.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const OURS = fileURLToPath(new URL('../docs/CONTRACT.md', import.meta.url));
const SHARED = fileURLToPath(new URL('../../shared/CONTRACT.md', import.meta.url));

describe('docs/CONTRACT.md', () => {
  it('is in the project', () => {
    expect(existsSync(OURS)).toBe(true);
    expect(readFileSync(OURS, 'utf8')).toMatch(/client-token\/same-token-same-params/);
  });

  it.skipIf(!existsSync(SHARED))('is identical to ../shared/CONTRACT.md (skipped when the shared copy is absent)', () => {
    expect(readFileSync(OURS, 'utf8')).toBe(readFileSync(SHARED, 'utf8'));
  });

  it('the READMEs link to it, never out of the repository', () => {
    for (const readme of ['../README.md', '../emulator/README.md', '../emulator/faults/README.md']) {
      const text = readFileSync(fileURLToPath(new URL(readme, import.meta.url)), 'utf8');
      expect(text, readme).not.toMatch(/shared\/CONTRACT\.md/);
    }
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    expect(readme).toContain('[docs/CONTRACT.md](docs/CONTRACT.md)');
    // The matrix legend has every symbol the console prints, '.' too.
    expect(readme).toMatch(/`\.` the rule does not apply/);
  });
});

const COPIES = [
  { ours: 'specs/seed/idempotency-section-en.txt', shared: 'seed/idempotency-section-en.txt' },
  { ours: 'specs/model/proton-2020-07-20.service-2.json', shared: 'reference/proton-2020-07-20.service-2.json' },
];

for (const { ours, shared } of COPIES) {
  describe(ours, () => {
    const own = fileURLToPath(new URL(`../${ours}`, import.meta.url));
    const original = fileURLToPath(new URL(`../../shared/${shared}`, import.meta.url));

    it('is in the project, with a README naming where it comes from', () => {
      expect(readFileSync(own, 'utf8').length).toBeGreaterThan(1000);
      const readme = readFileSync(join(dirname(own), 'README.md'), 'utf8');
      expect(readme).toContain(basename(own));
    });

    it.skipIf(!existsSync(original))(`is identical to ../shared/${shared} (skipped when the shared copy is absent)`, () => {
      expect(readFileSync(own, 'utf8')).toBe(readFileSync(original, 'utf8'));
    });
  });
}

describe('the project stands alone', () => {
  it('no file outside test/ names a path into ../shared', () => {
    const root = fileURLToPath(new URL('../', import.meta.url));
    const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
    const offenders = tracked.filter(
      (file) =>
        !file.startsWith('test/') &&
        /\.(ts|mts|mjs|js|json|md|sh)$|^\.ci\//.test(file) &&
        /\.\.\/shared\//.test(readFileSync(join(root, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
