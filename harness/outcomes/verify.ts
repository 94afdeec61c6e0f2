// `proton-conformance verify DIR`: whether a bundle of `--certify DIR`
// (harness/outcomes/bundle.ts) shows a conforming target. In order: the
// manifest (every file listed, every hash right, nothing besides), the
// versions (a suite version this verifier knows, the contract it checks), the
// report (a whole, finished run: not narrowed by --rules, --operations,
// --shard, --path or --rerun-failed; its summary, its target and its JUnit
// telling the same story), then every MUST cell of the contract: run, and
// passed or declared by the bundle's own expectations file. A MUST cell that
// was skipped (a hook the target lacks) or inconclusive was not checked: it
// counts as not passed unless that file declares it, so a bundle that leaves
// a rule unchecked says so in a file the reviewer reads.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RULES } from '../../specs/rules.ts';
import { UsageError } from '../errors.ts';
import { contractVersion } from '../run/invocation.ts';
import { summarize } from '../run/results.ts';
import type { Report, RuleResult } from '../types.ts';
import { BUNDLE_FILES, REQUIRED_FILES, parseManifest, sha256 } from './bundle.ts';
import type { TargetFile, VersionsFile } from './bundle.ts';
import { parseExpectations } from './expectations.ts';
import type { Expectation, MarkedResult } from './expectations.ts';
import { RELEASES } from './releases.ts';
import type { Release } from './releases.ts';
import { readReport } from './report-file.ts';

/** What verify judges a bundle against: the released suite versions it knows (default RELEASES) and the contract it checks. */
export interface VerifyOptions {
  releases?: readonly Release[];
}

export type Verification = { conformant: true; declared: number } | { conformant: false; why: string };

/** Refusals are thrown as NotConformant and become the one line's reason. */
class NotConformant extends Error {}

/** Judges the bundle in DIR; a DIR that is not a directory is a UsageError (exit 2). */
export async function verifyBundle(dir: string, options: VerifyOptions = {}): Promise<Verification> {
  const kind = await stat(dir).catch(() => undefined);
  if (kind === undefined) throw new UsageError(`verify: ${dir}: no such directory`);
  if (!kind.isDirectory()) throw new UsageError(`verify: ${dir} is not a directory (give the DIR of --certify DIR)`);
  try {
    await checkManifest(dir);
    const versions = await checkVersions(dir, options.releases ?? RELEASES);
    const report = await readReport(join(dir, BUNDLE_FILES.report), 'verify').catch((error: Error) => {
      throw new NotConformant(error.message.replace(/^verify: /, ''));
    });
    checkWholeRun(report, versions);
    await checkTarget(dir, report);
    await checkJUnit(dir, report);
    const declared = checkMustCells(report, await bundleExpectations(dir));
    return { conformant: true, declared };
  } catch (error) {
    if (error instanceof NotConformant) return { conformant: false, why: error.message };
    throw error;
  }
}

async function checkManifest(dir: string): Promise<void> {
  const text = await readFile(join(dir, BUNDLE_FILES.manifest), 'utf8').catch(() => undefined);
  if (text === undefined) throw new NotConformant(`no manifest (${BUNDLE_FILES.manifest}): not a bundle --certify wrote`);
  const listed = parseManifest(text);
  if (typeof listed === 'string') throw new NotConformant(listed);
  const present = (await readdir(dir)).filter((name) => name !== BUNDLE_FILES.manifest);
  const unlisted = present.filter((name) => !listed.has(name));
  if (unlisted.length > 0) throw new NotConformant(`${unlisted.join(', ')} is not in the manifest`);
  for (const [name, hash] of listed) {
    const bytes = await readFile(join(dir, name)).catch(() => undefined);
    if (bytes === undefined) throw new NotConformant(`${name} is in the manifest but not in the bundle`);
    if (sha256(bytes) !== hash) throw new NotConformant(`${name} does not match its SHA-256 in the manifest (edited since)`);
  }
  const missing = REQUIRED_FILES.filter((name) => !listed.has(name));
  if (missing.length > 0) throw new NotConformant(`the bundle has no ${missing.join(', ')}`);
}

async function readJson<T>(dir: string, name: string): Promise<T> {
  try {
    return JSON.parse(await readFile(join(dir, name), 'utf8')) as T;
  } catch (error) {
    throw new NotConformant(`${name} is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/**
 * The bundle's suite is a known release, its contract that release's, and
 * that contract the one this verifier judges (its MUST cells are
 * specs/rules.ts here): a bundle of an earlier release on the same contract
 * verifies; one of a release on another contract is verified with that release.
 */
async function checkVersions(dir: string, releases: readonly Release[]): Promise<VersionsFile> {
  const versions = await readJson<Partial<VersionsFile>>(dir, BUNDLE_FILES.versions);
  const suite = versions.suite?.version;
  if (versions.suite?.name !== 'proton-conformance' || typeof suite !== 'string')
    throw new NotConformant(`${BUNDLE_FILES.versions} names no proton-conformance version`);
  const release = releases.find((known) => known.version === suite);
  if (release === undefined)
    throw new NotConformant(
      `suite version ${suite} is not a release this verifier knows (${releases.map((known) => known.version).join(', ')}): ` +
        `verify with ${suite}, or with a later release that lists it`,
    );
  const contract = versions.contract?.version;
  if (contract !== release.contract)
    throw new NotConformant(`the bundle names contract ${String(contract)}; suite ${suite} was released to check ${release.contract}`);
  if (contract !== contractVersion())
    throw new NotConformant(
      `suite ${suite} checks contract ${contract}, this verifier ${contractVersion()}: verify with ${suite}, whose contract it is`,
    );
  return versions as VersionsFile;
}

/** The report of a whole, finished run of this suite version, its summary its results'. */
function checkWholeRun(report: Report, versions: VersionsFile): void {
  const extra = report as Report & {
    tool?: { version?: string };
    verdict?: string;
    interrupted?: boolean;
    settings?: { rules?: string | null; operations?: string | null; path?: string | null };
    shard?: unknown;
    rerun?: unknown;
  };
  if (extra.tool?.version !== versions.suite.version)
    throw new NotConformant(`the report was written by suite ${String(extra.tool?.version)}, not ${versions.suite.version}`);
  if (extra.interrupted === true || extra.verdict === 'interrupted') throw new NotConformant('the run was interrupted');
  if (extra.verdict === 'error') throw new NotConformant('the run ended in an internal error');
  const narrowed: Array<[string, unknown]> = [
    ['--rules', extra.settings?.rules],
    ['--operations', extra.settings?.operations],
    ['--path', extra.settings?.path],
  ];
  for (const [flag, value] of narrowed)
    if (value !== undefined && value !== null) throw new NotConformant(`the run was narrowed with ${flag} ${String(value)}`);
  if (extra.settings === undefined) throw new NotConformant('the report records no settings (not a report a run wrote)');
  if (extra.shard !== undefined) throw new NotConformant('the run was one shard (--shard) of the contract');
  if (extra.rerun !== undefined) throw new NotConformant('the run reran the failures of an earlier report (--rerun-failed)');
  const counted = summarize(report.results);
  for (const verdict of Object.keys(counted) as Array<keyof typeof counted>) {
    if (counted[verdict] !== report.summary[verdict])
      throw new NotConformant(`the report's summary counts ${report.summary[verdict]} ${verdict}, its results ${counted[verdict]}`);
  }
}

async function checkTarget(dir: string, report: Report): Promise<void> {
  const target = await readJson<Partial<TargetFile>>(dir, BUNDLE_FILES.target);
  if (target.endpoint !== report.target.endpoint)
    throw new NotConformant(`${BUNDLE_FILES.target} names ${String(target.endpoint)}, the report ${report.target.endpoint}`);
}

/** The JUnit report tells the story of the JSON one: each testcase fails, is skipped, or passes as its cell did. */
async function checkJUnit(dir: string, report: Report): Promise<void> {
  const xml = await readFile(join(dir, BUNDLE_FILES.junit), 'utf8');
  const states = new Map<string, string>();
  for (const found of xml.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const name = /\bname="([^"]*)"/.exec(found[1] ?? '')?.[1] ?? '';
    const body = found[2] ?? '';
    states.set(name, body.includes('<failure') ? 'failure' : body.includes('<skipped') ? 'skipped' : 'pass');
  }
  for (const result of report.results as MarkedResult[]) {
    const expected =
      result.verdict === 'fail' && result.expected === undefined
        ? 'failure'
        : result.verdict === 'pass' || result.verdict === 'warn'
          ? 'pass'
          : 'skipped';
    const name = `${result.rule} ${result.operation}`;
    const state = states.get(name);
    if (state !== expected)
      throw new NotConformant(`${BUNDLE_FILES.junit} has ${name} ${state ?? 'missing'}, the report ${result.verdict}`);
  }
  if (states.size !== report.results.length)
    throw new NotConformant(`${BUNDLE_FILES.junit} has ${states.size} testcases, the report ${report.results.length} results`);
}

async function bundleExpectations(dir: string): Promise<Expectation[]> {
  const there = await stat(join(dir, BUNDLE_FILES.expectations)).catch(() => undefined);
  if (there === undefined) return [];
  const known = new Map(RULES.map((rule) => [rule.id as string, rule.operations as readonly string[]]));
  try {
    return parseExpectations(await readJson<unknown>(dir, BUNDLE_FILES.expectations), BUNDLE_FILES.expectations, known);
  } catch (error) {
    throw new NotConformant(error instanceof Error ? error.message : String(error));
  }
}

/** Every MUST cell of the contract was run and passed, or is declared; returns how many are declared. */
function checkMustCells(report: Report, declared: readonly Expectation[]): number {
  const results = new Map<string, RuleResult>(report.results.map((result) => [`${result.rule} ${result.operation}`, result]));
  const named = new Set(declared.map((entry) => `${entry.rule} ${entry.operation}`));
  const missing: string[] = [];
  const failing: string[] = [];
  let accepted = 0;
  for (const rule of RULES) {
    if (rule.level !== 'MUST') continue;
    for (const operation of rule.operations) {
      const key = `${rule.id} ${operation}`;
      const result = results.get(key);
      if (result === undefined) missing.push(`${rule.id} on ${operation}`);
      else if (result.verdict !== 'pass' && named.has(key)) accepted++;
      else if (result.verdict !== 'pass') failing.push(`${rule.id} on ${operation}: ${result.verdict}`);
    }
  }
  if (missing.length > 0)
    throw new NotConformant(`${count(missing.length, 'MUST cell')} of the contract not in the report (${firstOf(missing)})`);
  if (failing.length > 0)
    throw new NotConformant(
      `${count(failing.length, 'MUST cell')} did not pass and ${failing.length === 1 ? 'is' : 'are'} not declared in ` +
        `${BUNDLE_FILES.expectations} (${firstOf(failing)})`,
    );
  return accepted;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

function firstOf(list: readonly string[]): string {
  return list.length <= 3 ? list.join('; ') : `${list.slice(0, 3).join('; ')}; ...`;
}

/** The one line verify prints. */
export function verificationLine(result: Verification): string {
  if (!result.conformant) return `NOT CONFORMANT: ${result.why}`;
  return result.declared === 0
    ? 'CONFORMANT'
    : `CONFORMANT (${count(result.declared, 'MUST cell')} declared a known failure in ${BUNDLE_FILES.expectations})`;
}
