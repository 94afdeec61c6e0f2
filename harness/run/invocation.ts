// How printed commands start: the words that run this very installation, as
// it was run. Never `npx proton-conformance`, which outside the checkout asks
// the public registry for a package of that name.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (where package.json is): above harness/ in a checkout, above dist/harness/ when built (npm run build). */
const ROOT = packageRoot(resolve(dirname(fileURLToPath(import.meta.url)), '..'));

function packageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

/**
 * `npm start --` when run by `npm start` inside this checkout; else the
 * absolute path of the script that was used (the bin script, or this
 * installation's own tsx with the TypeScript entry).
 */
export function programWords(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string[] {
  const script = argv[1];
  if (env['npm_lifecycle_event'] === 'start' && isOurs(env['npm_package_json'])) {
    return cwd === ROOT ? ['npm', 'start', '--'] : ['npm', '--prefix', ROOT, 'start', '--'];
  }
  if (script === undefined) return [join(ROOT, 'bin', 'proton-conformance.js')];
  // Absolute: the command works from any directory.
  const absolute = isAbsolute(script) ? script : resolve(cwd, script);
  return absolute.endsWith('.ts') ? [join(ROOT, 'node_modules', '.bin', 'tsx'), absolute] : [absolute];
}

function isOurs(packageJson: string | undefined): boolean {
  if (packageJson === undefined || !existsSync(packageJson)) return false;
  try {
    return (
      (JSON.parse(readFileSync(packageJson, 'utf8')) as { name?: string }).name === 'proton-conformance' &&
      resolve(dirname(packageJson)) === ROOT
    );
  } catch {
    return false;
  }
}

/**
 * The version of the contract this installation checks: the SHA-256 of
 * docs/CONTRACT.md as shipped with it (the package's `files` include docs/),
 * so that the one document is the one fact. 'unknown' when it is missing.
 */
export function contractVersion(): string {
  try {
    return `sha256:${createHash('sha256')
      .update(readFileSync(join(ROOT, 'docs', 'CONTRACT.md')))
      .digest('hex')}`;
  } catch {
    return 'unknown';
  }
}

/** The version of this installation (package.json). */
export function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
