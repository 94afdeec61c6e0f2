// parity/ sits on top (docs/architecture.md): it may use specs/, harness/ and
// reporters/, never suites/; nothing below it imports it (the CLI's
// subcommand and the tests are above it).
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && /\.(ts|mjs)$/.test(entry.name)).map((entry) => join(entry.parentPath, entry.name));
}

/** The files of `dirs` whose imports name a path matching `target`. */
async function importers(dirs: readonly string[], target: RegExp): Promise<string[]> {
  const found: string[] = [];
  for (const dir of dirs) {
    for (const file of await sources(dir)) {
      const text = await readFile(file, 'utf8');
      const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((match) => match[1]!);
      if (specifiers.some((specifier) => target.test(specifier))) found.push(relative(ROOT, file));
    }
  }
  return found;
}

describe('parity/ in the layers', () => {
  it('nothing below parity/ imports it', async () => {
    expect(await importers(['specs', 'harness', 'suites', 'emulator', 'reporters', 'library'], /(^|\/)parity\//)).toEqual([]);
  });

  it('parity/ imports neither suites/ nor cli/', async () => {
    expect(await importers(['parity'], /(^|\/)(suites|cli)\//)).toEqual([]);
  });
});
