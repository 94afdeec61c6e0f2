// A package anyone can install: `npm pack` (which builds dist/ through
// prepack), the tarball installed into an empty folder with `npm install
// --omit=dev` (dependencies from the npm registry), then the installed CLI
// against its embedded emulator to a PASS, the library entry point, and the
// vitest entry point resolved, with no TypeScript tooling installed. And the
// package stands alone (issue 20): every relative link of its README, and of
// the documents it ships to other documents, and every schema path the
// messages cite, is a file in the package.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, run, said } from './support.ts';

const exec = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

/** Relative links of a Markdown text (no scheme, no bare anchor), without their anchors. */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((found) => found[1]!)
    .filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link) && !link.startsWith('#'))
    .map((link) => link.split('#')[0]!);
}

/** Files of `root`, relative to it. */
async function filesOf(root: string, under = ''): Promise<string[]> {
  const entries = await readdir(join(root, under), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? filesOf(root, join(under, entry.name)) : Promise.resolve([join(under, entry.name)]))),
  );
  return nested.flat();
}

describe('the package', () => {
  let dir = '';
  let tarball = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pc-package-'));
    await exec(NPM, ['pack', '--pack-destination', dir, '--silent'], { cwd: ROOT, env, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
    tarball = (await readdir(dir)).find((name) => name.endsWith('.tgz')) ?? '';
  }, 400_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('links only to what it ships: the README, the documents, the schema paths its messages cite', async () => {
    const unpacked = join(dir, 'unpacked');
    await mkdir(unpacked);
    await exec('tar', ['-xzf', join(dir, tarball), '-C', unpacked]);
    const root = join(unpacked, 'package');
    const shipped = new Set(await filesOf(root));
    const exists = (path: string): boolean => shipped.has(path) || [...shipped].some((file) => file.startsWith(`${path}/`));
    const missing: string[] = [];
    // Every relative link of the README; of the other documents, those to documents (the contributors' pages in docs/ also
    // link to source files, which a checkout has and the package does not).
    const documents = [...shipped].filter((file) => file.endsWith('.md'));
    for (const file of documents) {
      for (const link of relativeLinks(await readFile(join(root, file), 'utf8'))) {
        const target = normalize(join(dirname(file), link)).replace(/\/$/, '');
        if (file !== 'README.md' && !/\.(md|json|ya?ml|xsd)$/.test(target)) continue;
        if (!exists(target)) missing.push(`${file} -> ${link}`);
      }
    }
    expect(missing).toEqual([]);
    expect(relativeLinks(await readFile(join(root, 'README.md'), 'utf8')).length).toBeGreaterThan(10);
    // Paths the messages cite (as text, not as the imports beside them): each a file of the package.
    const cited = new Set<string>();
    for (const file of [...shipped].filter((name) => /^dist\/.*\.js$/.test(name)))
      for (const found of (await readFile(join(root, file), 'utf8')).matchAll(/(?<![\w./-])specs\/[\w./-]+\.(?:json|xsd)/g))
        cited.add(found[0]);
    expect(cited).toContain('specs/expectations.schema.json');
    expect([...cited].filter((path) => !shipped.has(path))).toEqual([]);
  });

  it('packs, installs into an empty folder with --omit=dev, and runs the installed CLI to a PASS', { timeout: 600_000 }, async () => {
    expect(tarball).toMatch(/^proton-conformance-\d+\.\d+\.\d+\.tgz$/);
    const { stdout: listing } = await exec('tar', ['-tzf', join(dir, tarball)]);
    expect(listing).toContain('package/dist/cli/bin.js');
    expect(listing).toContain('package/dist/library/api.d.ts');
    expect(listing).toContain('package/dist/harness/target/emulator-thread.mjs');
    expect(listing).not.toMatch(/^package\/(cli|harness|test)\/.*\.ts$/m);

    const app = join(dir, 'app');
    await mkdir(app);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }));
    await exec(NPM, ['install', '--omit=dev', '--no-audit', '--no-fund', join(dir, tarball)], {
      cwd: app,
      env,
      timeout: 400_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    // No TypeScript tooling at run time.
    for (const tool of ['tsx', 'typescript', 'vitest', 'esbuild']) expect(existsSync(join(app, 'node_modules', tool)), tool).toBe(false);

    const bin = join(app, 'node_modules', '.bin', 'proton-conformance');
    const cli = await run(
      ['--rules', 'client-token/format', '--num-runs', '2', '--seed', '5', '--json', join(app, 'report.json')],
      {},
      bin,
      [],
      app,
    );
    expect(cli.code, said(cli)).toBe(0);
    expect(cli.stdout).toMatch(/embedded emulator/);
    expect(cli.stdout).toMatch(/^PASS \(every MUST cell passed\): 3 /m);
    expect(cli.stderr).not.toMatch(/warning|error|\n\s+at /i);
    const written = JSON.parse(await readFile(join(app, 'report.json'), 'utf8')) as { tool?: { version?: string } };
    const ours = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(written.tool?.version).toBe(ours.version);

    // The library entry point returns the report; the vitest entry point resolves.
    const script = [
      "const { runConformance } = await import('proton-conformance');",
      "const report = await runConformance({ rules: 'client-token/format', numRuns: 2, seed: 5 });",
      'console.log(JSON.stringify({ exitCode: report.exitCode, summary: report.summary, vitest: ' +
        "import.meta.resolve('proton-conformance/vitest') }));",
    ].join('\n');
    const library = await run(['--input-type=module', '-e', script], {}, process.execPath, [], app);
    expect(library.code, said(library)).toBe(0);
    const answer = JSON.parse(library.stdout.trim().split('\n').at(-1)!) as { exitCode: number; summary: { pass: number }; vitest: string };
    expect(answer.exitCode).toBe(0);
    expect(answer.summary.pass).toBe(3);
    expect(answer.vitest).toMatch(/node_modules\/proton-conformance\/dist\/library\/vitest\.js$/);
  });
});
