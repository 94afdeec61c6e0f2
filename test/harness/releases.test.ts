// The released suite versions verify knows (harness/outcomes/releases.ts):
// this installation's version is one of them, with the contract it ships.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { RELEASES } from '../../harness/outcomes/releases.ts';

describe('RELEASES', () => {
  it("lists package.json's version with the SHA-256 of docs/CONTRACT.md, each version once", async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const contract = createHash('sha256')
      .update(await readFile(new URL('../../docs/CONTRACT.md', import.meta.url)))
      .digest('hex');
    expect(RELEASES.filter((release) => release.version === pkg.version)).toEqual([
      { version: pkg.version, contract: `sha256:${contract}` },
    ]);
    expect(new Set(RELEASES.map((release) => release.version)).size).toBe(RELEASES.length);
    for (const release of RELEASES) {
      expect(release.version).toMatch(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/);
      expect(release.contract).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });
});
