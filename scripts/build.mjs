// `npm run build` (and `npm pack`, through prepack): the package as it ships,
// compiled JavaScript with type declarations in dist/, runnable with no
// TypeScript tooling (tsc rewrites the sources' relative .ts imports to .js,
// tsconfig.build.json). The embedded emulator's worker entry is plain
// JavaScript that registers tsx to load the TypeScript emulator in a
// checkout; its built copy loads the compiled emulator instead. The build
// fails when anything in dist/ still needs tsx or a .ts file.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');

rmSync(DIST, { recursive: true, force: true });
const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });

/** Copies a worker entry (.mjs) into dist/, without tsx: each replacement must apply exactly once. */
function copyWorker(relative) {
  let text = readFileSync(join(ROOT, relative), 'utf8');
  const replacements = [
    [/^import \{ register \} from 'tsx\/esm\/api';\r?\n/m, ''],
    [/^register\(\);\r?\n/m, ''],
    [/(['"])(\.\.?\/[^'"]+)\.ts\1/g, (_m, quote, path) => `${quote}${path}.js${quote}`],
  ];
  for (const [pattern, replacement] of replacements) {
    const count = (text.match(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`)) ?? []).length;
    if (count === 0) throw new Error(`build: ${relative} no longer matches ${pattern} (update scripts/build.mjs)`);
    text = text.replace(pattern, replacement);
  }
  writeFileSync(join(DIST, relative), `// Built from ${relative} by scripts/build.mjs: loads the compiled emulator, no tsx.\n${text}`);
}
copyWorker('harness/target/emulator-thread.mjs');

chmodSync(join(DIST, 'cli', 'bin.js'), 0o755);

// Nothing shipped may need TypeScript tooling at run time.
const offenders = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(m?js)$/.test(name)) {
      const text = readFileSync(path, 'utf8');
      if (/from ['"]tsx|import\(['"]tsx|from ['"]typescript['"]/.test(text)) offenders.push(`${path}: imports tsx or typescript`);
      if (/(from|import\()\s*['"]\.\.?\/[^'"]+\.ts['"]/.test(text)) offenders.push(`${path}: imports a .ts file`);
    }
  }
};
walk(DIST);
if (offenders.length > 0) throw new Error(`build: dist/ needs TypeScript tooling:\n${offenders.join('\n')}`);
if (!existsSync(join(DIST, 'library', 'api.d.ts'))) throw new Error('build: no type declarations (dist/library/api.d.ts)');
process.stdout.write(`build: dist/ written (${readdirSync(DIST).join(', ')})\n`);
