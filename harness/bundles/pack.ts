// The suite's template bundles (fixtures/templates/): which there are, and
// each packed into the gzipped tar that Proton reads from S3, with the `tar`
// package. Packing is deterministic: the same directory gives the same bytes
// on every run and machine (sorted entries, one fixed mtime, portable headers
// without uid, gid or owner names, fixed modes), so an upload of an unchanged
// bundle is the same object.
//
// The bundle's folders sit at the root of the archive (`schema/schema.yaml`,
// `infrastructure/manifest.yaml`), as the AWS Proton User Guide shows a
// bundle's directory structure ("Wrap up template files for AWS Proton").
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create } from 'tar';

export type BundleKind = 'environment' | 'service';

export interface FixtureBundle {
  /** The folder's name under fixtures/templates/ ("environment", "service-broken"). */
  name: string;
  kind: BundleKind;
  /** Whether Proton registers it (DRAFT) or fails it (REGISTRATION_FAILED). */
  valid: boolean;
  /** Absolute path of the bundle's folder. */
  dir: string;
  /** For a broken bundle: words the failed version's statusMessage contains. */
  problem?: string;
}

/**
 * fixtures/templates/ of this installation: two folders up from the repo's
 * harness/bundles/pack.ts, three from the built dist/harness/bundles/pack.js (the
 * package ships fixtures/templates beside dist/, package.json "files").
 */
function findTemplatesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', '..', 'fixtures', 'templates'), join(here, '..', '..', '..', 'fixtures', 'templates')];
  const found = candidates.find((dir) => existsSync(join(dir, 'README.md')));
  if (found === undefined) {
    throw new Error(`the template bundles (fixtures/templates/) are not installed; looked in ${candidates.join(' and ')}`);
  }
  return found;
}

/** The folder that holds the fixture bundles. */
export const TEMPLATES_DIR: string = findTemplatesDir();

export const FIXTURE_BUNDLES: readonly FixtureBundle[] = Object.freeze([
  { name: 'environment', kind: 'environment', valid: true, dir: join(TEMPLATES_DIR, 'environment') },
  { name: 'service', kind: 'service', valid: true, dir: join(TEMPLATES_DIR, 'service') },
  {
    name: 'environment-broken',
    kind: 'environment',
    valid: false,
    dir: join(TEMPLATES_DIR, 'environment-broken'),
    problem: 'schema/schema.yaml does not parse',
  },
  {
    name: 'service-broken',
    kind: 'service',
    valid: false,
    dir: join(TEMPLATES_DIR, 'service-broken'),
    problem: 'instance_infrastructure/manifest.yaml names cloudformation.yaml, which is not in the bundle',
  },
] satisfies FixtureBundle[]);

/** The fixture bundle of this name; an unknown name throws, naming the known ones. */
export function fixtureBundle(name: string): FixtureBundle {
  const bundle = FIXTURE_BUNDLES.find((b) => b.name === name);
  if (bundle === undefined) throw new Error(`no fixture bundle "${name}" (known: ${FIXTURE_BUNDLES.map((b) => b.name).join(', ')})`);
  return bundle;
}

/** The mtime of every entry: the Unix epoch, so that nothing of the checkout's history leaks into the bytes. */
const FIXED_MTIME = new Date(0);
const FILE_MODE = 0o644;
const DIR_MODE = 0o755;

/** Every directory and regular file under `dir`, relative with `/`, parents before children, in code-unit order. */
async function entriesOf(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    const names = (await readdir(folder)).sort();
    for (const name of names) {
      const path = join(folder, name);
      const info = await stat(path);
      const rel = relative(dir, path).split(sep).join('/');
      if (info.isDirectory()) {
        out.push(rel);
        await walk(path);
      } else if (info.isFile()) {
        out.push(rel);
      }
    }
  };
  await walk(dir);
  return out;
}

/**
 * The directory packed as a gzipped tar: its contents at the archive's root
 * (`schema/schema.yaml`, not `environment/schema/...`), directories before
 * their files, the same bytes every time.
 */
export async function packBundle(dir: string): Promise<Uint8Array> {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) throw new Error(`packBundle: ${dir} is not a directory`);
  const entries = await entriesOf(dir);
  if (entries.length === 0) throw new Error(`packBundle: ${dir} is empty`);
  const stream = create(
    {
      cwd: dir,
      gzip: { level: 9 },
      portable: true,
      mtime: FIXED_MTIME,
      noDirRecurse: true,
      strict: true,
      onWriteEntry(entry) {
        if (entry.stat !== undefined) entry.stat.mode = entry.stat.isDirectory() ? DIR_MODE : FILE_MODE;
      },
    },
    entries,
  );
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  const bytes = Buffer.concat(chunks);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
