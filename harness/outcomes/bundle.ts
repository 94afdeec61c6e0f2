// A certification bundle (`--certify DIR`; `proton-conformance verify DIR`,
// harness/outcomes/verify.ts): what a run leaves for a reviewer who did not
// watch it. Its files, by name, and its manifest: SHA256SUMS, one
// `<sha-256>  <file>` line per other file, as `sha256sum -c` reads it.
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The files of a bundle. `expectations` only when the run had --expect. */
export const BUNDLE_FILES = {
  report: 'report.json',
  junit: 'junit.xml',
  log: 'console.log',
  target: 'target.json',
  versions: 'versions.json',
  expectations: 'expectations.json',
  manifest: 'SHA256SUMS',
} as const;

/** Every file a bundle must hold besides its manifest. */
export const REQUIRED_FILES: readonly string[] = [
  BUNDLE_FILES.report,
  BUNDLE_FILES.junit,
  BUNDLE_FILES.log,
  BUNDLE_FILES.target,
  BUNDLE_FILES.versions,
];

/** `target.json`: what was certified. */
export interface TargetFile {
  endpoint: string;
  /** --target-name and --target-version, when given. */
  name?: string;
  version?: string;
}

/** `versions.json`: the suite that ran and the contract it checked. */
export interface VersionsFile {
  suite: { name: 'proton-conformance'; version: string };
  /** The SHA-256 of docs/CONTRACT.md (harness/run/invocation.ts contractVersion). */
  contract: { version: string };
  createdAt: string;
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes DIR/SHA256SUMS over every other file of DIR (sorted by name). */
export async function writeManifest(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((name) => name !== BUNDLE_FILES.manifest).sort();
  const lines = await Promise.all(names.map(async (name) => `${sha256(await readFile(join(dir, name)))}  ${name}\n`));
  await writeFile(join(dir, BUNDLE_FILES.manifest), lines.join(''));
}

/** A manifest's lines as file -> hash; a line that is not `<64 hex>  <plain file name>` is a problem, returned as text. */
export function parseManifest(text: string): Map<string, string> | string {
  const entries = new Map<string, string>();
  const lines = text.split('\n').filter((line) => line !== '');
  for (const [i, line] of lines.entries()) {
    const found = /^([0-9a-f]{64}) [ *]([^/\\]+)$/.exec(line);
    if (!found || found[2] === '.' || found[2] === '..') return `line ${i + 1} of ${BUNDLE_FILES.manifest} is not '<sha-256>  <file>'`;
    if (entries.has(found[2]!)) return `${BUNDLE_FILES.manifest} lists ${found[2]} twice`;
    entries.set(found[2]!, found[1]!);
  }
  return entries;
}
