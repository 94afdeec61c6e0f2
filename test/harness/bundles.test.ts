// The suite's template bundles (harness/bundles/pack.ts): the fixtures it knows,
// packed into gzipped tars that are the same bytes every time, with the
// bundle's folders at the archive's root, found from the repository and from
// the layout of the built package.
import { chmod, cp, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE_BUNDLES, fixtureBundle, packBundle, TEMPLATES_DIR } from '../../harness/bundles/pack.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Listed {
  path: string;
  type: string;
  mode: number | undefined;
  uid: number | undefined;
  gid: number | undefined;
  uname: string | undefined;
  gname: string | undefined;
  mtime: number | undefined;
  data: string;
}

/** Every entry of a gzipped tar, with its header fields and contents. */
function list(bytes: Uint8Array): Promise<Listed[]> {
  return new Promise((resolve, reject) => {
    const entries: Listed[] = [];
    const parser = new Parser({ strict: true });
    parser.on('entry', (entry: ReadEntry) => {
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () =>
        entries.push({
          path: entry.path,
          type: entry.type,
          mode: entry.mode,
          uid: entry.uid,
          gid: entry.gid,
          uname: entry.uname,
          gname: entry.gname,
          mtime: entry.mtime?.getTime(),
          data: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    parser.on('error', reject);
    parser.on('close', () => resolve(entries));
    parser.end(Buffer.from(bytes));
  });
}

const temporary: string[] = [];
/** A fresh directory under the checkout's .tmp/ (ignored by git; imports there resolve from node_modules). */
async function scratch(prefix: string): Promise<string> {
  await mkdir(join(ROOT, '.tmp'), { recursive: true });
  const dir = await mkdtemp(join(ROOT, '.tmp', prefix));
  temporary.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of temporary) await rm(dir, { recursive: true, force: true });
});

describe('FIXTURE_BUNDLES', () => {
  it('names the four bundles of fixtures/templates, each folder there, the broken ones with their problem', () => {
    expect(TEMPLATES_DIR).toBe(join(ROOT, 'fixtures', 'templates'));
    expect(FIXTURE_BUNDLES.map((b) => [b.name, b.kind, b.valid])).toEqual([
      ['environment', 'environment', true],
      ['service', 'service', true],
      ['environment-broken', 'environment', false],
      ['service-broken', 'service', false],
    ]);
    for (const bundle of FIXTURE_BUNDLES) {
      expect(existsSync(join(bundle.dir, 'schema', 'schema.yaml')), bundle.name).toBe(true);
      expect(bundle.problem === undefined, bundle.name).toBe(bundle.valid);
    }
    expect(fixtureBundle('service-broken').problem).toBe(
      'instance_infrastructure/manifest.yaml names cloudformation.yaml, which is not in the bundle',
    );
    expect(() => fixtureBundle('nope')).toThrow(
      'no fixture bundle "nope" (known: environment, service, environment-broken, service-broken)',
    );
  });
});

describe('packBundle', () => {
  it('gives the same bytes on every call, for every bundle', async () => {
    for (const bundle of FIXTURE_BUNDLES) {
      const [a, b] = [await packBundle(bundle.dir), await packBundle(bundle.dir)];
      expect(Buffer.from(a).equals(Buffer.from(b)), bundle.name).toBe(true);
      expect(a.byteLength).toBeGreaterThan(500);
    }
  });

  it("lists the bundle's folders at the archive's root, sorted, with portable headers and the files' contents", async () => {
    const expected: Record<string, string[]> = {
      environment: [
        'infrastructure/',
        'infrastructure/cloudformation.yaml',
        'infrastructure/manifest.yaml',
        'schema/',
        'schema/schema.yaml',
      ],
      service: [
        'instance_infrastructure/',
        'instance_infrastructure/cloudformation.yaml',
        'instance_infrastructure/manifest.yaml',
        'pipeline_infrastructure/',
        'pipeline_infrastructure/cloudformation.yaml',
        'pipeline_infrastructure/manifest.yaml',
        'schema/',
        'schema/schema.yaml',
      ],
      'environment-broken': [
        'infrastructure/',
        'infrastructure/cloudformation.yaml',
        'infrastructure/manifest.yaml',
        'schema/',
        'schema/schema.yaml',
      ],
      'service-broken': [
        'instance_infrastructure/',
        'instance_infrastructure/cloudformation.yml',
        'instance_infrastructure/manifest.yaml',
        'schema/',
        'schema/schema.yaml',
      ],
    };
    for (const bundle of FIXTURE_BUNDLES) {
      const entries = await list(await packBundle(bundle.dir));
      expect(
        entries.map((e) => e.path),
        bundle.name,
      ).toEqual(expected[bundle.name]);
      for (const entry of entries) {
        const directory = entry.path.endsWith('/');
        expect(entry.type).toBe(directory ? 'Directory' : 'File');
        expect(entry.mode).toBe(directory ? 0o755 : 0o644);
        // No owner: portable headers carry neither ids nor names.
        expect([entry.uid ?? 0, entry.gid ?? 0, entry.uname ?? '', entry.gname ?? '']).toEqual([0, 0, '', '']);
        if (!directory) {
          expect(entry.mtime).toBe(0);
          expect(entry.data).toBe(await readFile(join(bundle.dir, entry.path), 'utf8'));
        }
      }
    }
  });

  it('the gzip header carries no time and the tar no pax header of times or owners', async () => {
    const bytes = Buffer.from(await packBundle(FIXTURE_BUNDLES[0]!.dir));
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(bytes.readUInt32LE(4)).toBe(0); // MTIME
    const tar = gunzipSync(bytes).toString('latin1');
    expect(tar).not.toMatch(/ctime=|atime=|uname=|gname=/);
    expect(tar).not.toContain(process.env['USER'] ?? 'no-such-user-name');
  });

  it("ignores the copy's times and permissions: a touched, group-writable copy packs to the same bytes", async () => {
    const original = fixtureBundle('service');
    const dir = await scratch('bundle-copy-');
    await cp(original.dir, dir, { recursive: true });
    const later = new Date('2031-05-06T07:08:09Z');
    for (const path of ['schema/schema.yaml', 'instance_infrastructure/manifest.yaml']) {
      await utimes(join(dir, path), later, later);
      await chmod(join(dir, path), 0o664);
    }
    await chmod(join(dir, 'schema'), 0o775);
    expect(Buffer.from(await packBundle(dir)).equals(Buffer.from(await packBundle(original.dir)))).toBe(true);
    // And the bytes do follow the contents.
    await writeFile(join(dir, 'schema', 'schema.yaml'), '# changed\n', { flag: 'a' });
    expect(Buffer.from(await packBundle(dir)).equals(Buffer.from(await packBundle(original.dir)))).toBe(false);
  });

  it('refuses what is not a directory, or an empty one', async () => {
    await expect(packBundle(join(TEMPLATES_DIR, 'README.md'))).rejects.toThrow(/is not a directory/);
    await expect(packBundle(join(TEMPLATES_DIR, 'no-such-bundle'))).rejects.toThrow(/is not a directory/);
    const empty = await scratch('bundle-empty-');
    await expect(packBundle(empty)).rejects.toThrow(/is empty/);
  });
});

describe('the fixtures directory from the built package', () => {
  it('dist/harness/bundles/pack.js finds fixtures/templates beside dist/, as the package ships them', async () => {
    // The built package's layout: <package>/dist/harness/bundles/pack.js and
    // <package>/fixtures/templates (package.json "files"). Laid out under
    // .tmp/ so that imports still resolve from this checkout's node_modules.
    const pkg = await scratch('bundle-layout-');
    await mkdir(join(pkg, 'dist', 'harness', 'bundles'), { recursive: true });
    await cp(join(ROOT, 'harness', 'bundles', 'pack.ts'), join(pkg, 'dist', 'harness', 'bundles', 'pack.ts'));
    await cp(join(TEMPLATES_DIR, 'README.md'), join(pkg, 'fixtures', 'templates', 'README.md'));
    await cp(join(TEMPLATES_DIR, 'environment'), join(pkg, 'fixtures', 'templates', 'environment'), { recursive: true });
    const built = (await import(join(pkg, 'dist', 'harness', 'bundles', 'pack.ts'))) as typeof import('../../harness/bundles/pack.ts');
    expect(built.TEMPLATES_DIR).toBe(join(pkg, 'fixtures', 'templates'));
    const environment = built.FIXTURE_BUNDLES.find((b) => b.name === 'environment')!;
    expect(environment.dir).toBe(join(pkg, 'fixtures', 'templates', 'environment'));
    expect(
      Buffer.from(await built.packBundle(environment.dir)).equals(Buffer.from(await packBundle(fixtureBundle('environment').dir))),
    ).toBe(true);

    // package.json ships the folder.
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(manifest.files).toContain('fixtures/templates');
  });
});
