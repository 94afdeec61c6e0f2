// --certify DIR and `proton-conformance verify DIR` (issue 21, item 3): a
// whole run against the embedded reference emulator (one run per property,
// the cheapest whole run) makes a bundle verify accepts; copies of it with
// one verdict edited, a MUST cell missing, or a run narrowed with --rules are
// refused, each for its own reason.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleLog, narrowingFlags } from '../../cli/certify.ts';
import { runCli } from '../../cli/main.ts';
import { writeManifest } from '../../harness/outcomes/bundle.ts';
import { RELEASES } from '../../harness/outcomes/releases.ts';
import { verificationLine, verifyBundle } from '../../harness/outcomes/verify.ts';
import { contractVersion, toolVersion } from '../../harness/run/invocation.ts';
import { summarize } from '../../harness/run/results.ts';
import type { Report } from '../../harness/types.ts';
import { closedPort } from '../support/fake-target.ts';

const KNOWN = JSON.stringify({
  expectations: [{ rule: 'client-token/format', operation: 'CreateEnvironmentTemplateVersion', reason: 'a test entry' }],
});

let root: string;
let clean: string;
let narrowed: string;
const codes: number[] = [];

/** The CLI in this process, its output kept from the test's console. */
async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(String(chunk));
    // A writer that waits for its write (the console reporter) is called back.
    const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    if (done) queueMicrotask(done);
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await runCli(args), out: chunks.join('') };
  } finally {
    process.stdout.write = write;
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-certify-'));
  clean = join(root, 'clean');
  narrowed = join(root, 'narrowed');
  const base = ['--num-runs', '1', '--seed', '1', '--quiet'];
  codes.push((await cli([...base, '--certify', clean, '--target-name', 'reference', '--target-version', '0.1'])).code);
  // The narrowed run has known failures besides: the bundle keeps a copy of their file.
  await writeFile(join(root, 'known.json'), KNOWN);
  codes.push((await cli([...base, '--rules', 'client-token/format', '--expect', join(root, 'known.json'), '--certify', narrowed])).code);
}, 120_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** A copy of the clean bundle with its report (and JUnit) edited; the manifest rewritten when asked (a careful forger). */
async function tampered(
  name: string,
  edit: (report: Report & Record<string, unknown>, junit: { xml: string }) => void,
  remanifest: boolean,
): Promise<string> {
  const dir = join(root, name);
  await cp(clean, dir, { recursive: true });
  const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as Report & Record<string, unknown>;
  const junit = { xml: await readFile(join(dir, 'junit.xml'), 'utf8') };
  edit(report, junit);
  await writeFile(join(dir, 'report.json'), JSON.stringify(report, null, 2));
  await writeFile(join(dir, 'junit.xml'), junit.xml);
  if (remanifest) await writeManifest(dir);
  return dir;
}

const CELL = { rule: 'client-token/same-token-same-params', operation: 'CreateServiceTemplateVersion' };
const NAME = `${CELL.rule} ${CELL.operation}`;
const isCell = (r: { rule: string; operation: string }): boolean => r.rule === CELL.rule && r.operation === CELL.operation;

/** The cell's verdict changed in the report, its summary and its JUnit testcase. */
function setVerdict(report: Report, junit: { xml: string }, verdict: 'fail' | 'skipped'): void {
  report.results.find(isCell)!.verdict = verdict;
  report.summary = summarize(report.results);
  const child = verdict === 'fail' ? '<failure type="MUST" message="edited"/>' : '<skipped message="skipped: edited"/>';
  junit.xml = junit.xml.replace(new RegExp(`(<testcase name="${NAME}"[^>]*?)/>`), `$1>${child}</testcase>`);
}

describe('--certify DIR', () => {
  it('writes the reports, the log, the target, the versions and a manifest of every file', async () => {
    expect(codes).toEqual([0, 0]);
    expect((await readdir(clean)).sort()).toEqual([
      'SHA256SUMS',
      'console.log',
      'junit.xml',
      'report.json',
      'target.json',
      'versions.json',
    ]);
    const target = JSON.parse(await readFile(join(clean, 'target.json'), 'utf8'));
    expect(target).toEqual({ endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), name: 'reference', version: '0.1' });
    const versions = JSON.parse(await readFile(join(clean, 'versions.json'), 'utf8'));
    expect(versions).toMatchObject({
      suite: { name: 'proton-conformance', version: toolVersion() },
      contract: { version: contractVersion() },
    });
    const contract = createHash('sha256')
      .update(await readFile(new URL('../../docs/CONTRACT.md', import.meta.url)))
      .digest('hex');
    expect(contractVersion()).toBe(`sha256:${contract}`);
    const manifest = await readFile(join(clean, 'SHA256SUMS'), 'utf8');
    for (const file of ['console.log', 'junit.xml', 'report.json', 'target.json', 'versions.json']) {
      const hash = createHash('sha256')
        .update(await readFile(join(clean, file)))
        .digest('hex');
      expect(manifest).toContain(`${hash}  ${file}\n`);
    }
    const log = await readFile(join(clean, 'console.log'), 'utf8');
    expect(log).toMatch(/^PASS \(every MUST cell passed\): 134 of 134 cells run/m);
    expect(log).not.toContain('\u001b');
  });

  it("copies the run's --expect file into the bundle, under the manifest", async () => {
    expect(await readFile(join(narrowed, 'expectations.json'), 'utf8')).toBe(KNOWN);
    expect(await readFile(join(narrowed, 'SHA256SUMS'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}expectations\.json$/m);
    expect(JSON.parse(await readFile(join(narrowed, 'target.json'), 'utf8'))).toEqual({ endpoint: expect.any(String) });
  });

  it('refuses a directory that holds files, and target flags without it', async () => {
    const { code } = await cli(['--certify', clean, '--rules', 'client-token/format']);
    expect(code).toBe(2);
    expect((await cli(['--target-name', 'x'])).code).toBe(2);
  });

  it('leaves no DIR behind when the run is refused, and a DIR that was there as it was', async () => {
    // Refused while choosing the cells (exit 2): DIR, and the parent the run would have made, never made.
    const parent = join(root, 'refused');
    const fresh = join(parent, 'bundle');
    expect((await cli(['--certify', fresh, '--rules', 'no-such/rule'])).code).toBe(2);
    expect(existsSync(parent)).toBe(false);
    // Refused once the target is found not to answer (exit 3): what the run made is removed.
    const nowhere = `http://127.0.0.1:${await closedPort()}`;
    expect((await cli(['--certify', fresh, '--endpoint', nowhere])).code).toBe(3);
    expect(existsSync(parent)).toBe(false);
    // An empty DIR given: still there, still empty.
    const given = join(root, 'given');
    await mkdir(given);
    expect((await cli(['--certify', given, '--endpoint', nowhere])).code).toBe(3);
    expect(await readdir(given)).toEqual([]);
  }, 60_000);

  it('names on stderr each flag that makes a bundle verify refuses', () => {
    expect(narrowingFlags({ certify: 'b' })).toEqual([]);
    expect(narrowingFlags({ certify: 'b', rules: 'client-token/*', shard: { index: 1, count: 3 } })).toEqual(['--rules', '--shard']);
    expect(narrowingFlags({ certify: 'b', rerunFailed: 'first.json', phase: 'verify' })).toEqual(['--rerun-failed', '--phase']);
  });

  it('keeps colour codes, redrawn progress and credentials out of the log', () => {
    const raw = '\u001b[32m✓ pass\u001b[0m\n\r\u001b[2K3 of 9 cells\r\u001b[2Kdone\nkey AKIAABCDEFGHIJKLMNOP used\n';
    expect(consoleLog(raw)).toBe('✓ pass\ndone\nkey [redacted] used\n');
  });
});

describe('proton-conformance verify DIR', () => {
  it('accepts the clean bundle of the reference emulator', async () => {
    const result = await verifyBundle(clean);
    expect(verificationLine(result)).toBe('CONFORMANT');
    const { code, out } = await cli(['verify', clean]);
    expect({ code, out }).toEqual({ code: 0, out: 'CONFORMANT\n' });
  });

  it('refuses a report with one verdict edited, whether or not the manifest was rewritten', async () => {
    const edited = await tampered('edited', (report) => setVerdict(report, { xml: '' }, 'fail'), false);
    const { code, out } = await cli(['verify', edited]);
    expect(code).toBe(1);
    expect(out).toBe('NOT CONFORMANT: report.json does not match its SHA-256 in the manifest (edited since)\n');
    // Only the report edited, the manifest made anew: the JUnit report still tells the cell's story.
    const forged = await tampered('forged', (report) => setVerdict(report, { xml: '' }, 'fail'), true);
    expect(verificationLine(await verifyBundle(forged))).toBe(`NOT CONFORMANT: junit.xml has ${NAME} pass, the report fail`);
    // Both edited: the failing MUST cell itself.
    const both = await tampered('both', (report, junit) => setVerdict(report, junit, 'fail'), true);
    expect(verificationLine(await verifyBundle(both))).toBe(
      `NOT CONFORMANT: 1 MUST cell did not pass and is not declared in expectations.json (${CELL.rule} on ${CELL.operation}: fail)`,
    );
  });

  it('refuses a bundle missing a MUST cell', async () => {
    const missing = await tampered(
      'missing',
      (report, junit) => {
        report.results = report.results.filter((r) => !isCell(r));
        report.summary = summarize(report.results);
        junit.xml = junit.xml.replace(new RegExp(`\\s*<testcase name="${NAME}"[^>]*?/>`), '');
      },
      true,
    );
    expect(verificationLine(await verifyBundle(missing))).toBe(
      `NOT CONFORMANT: 1 MUST cell of the contract not in the report (${CELL.rule} on ${CELL.operation})`,
    );
  });

  it('refuses a run narrowed with --rules', async () => {
    const { code, out } = await cli(['verify', narrowed]);
    expect({ code, out }).toEqual({ code: 1, out: 'NOT CONFORMANT: the run was narrowed with --rules client-token/format\n' });
  });

  it('takes a failing or skipped MUST cell only when the bundle declares it', async () => {
    const skipped = await tampered('skipped', (report, junit) => setVerdict(report, junit, 'skipped'), true);
    expect(verificationLine(await verifyBundle(skipped))).toMatch(/^NOT CONFORMANT: 1 MUST cell did not pass .*: skipped\)$/);
    const declared = await tampered('declared', (report, junit) => setVerdict(report, junit, 'skipped'), false);
    const expectations = { expectations: [{ ...CELL, reason: 'the target has no durations hook: checked by hand (ticket 12)' }] };
    await writeFile(join(declared, 'expectations.json'), JSON.stringify(expectations));
    await writeManifest(declared);
    expect(verificationLine(await verifyBundle(declared))).toBe('CONFORMANT (1 MUST cell declared a known failure in expectations.json)');
  });

  it('accepts a bundle of an earlier known release, and refuses an unknown version with its reason', async () => {
    /** The clean bundle as suite `version` would have made it, naming `contract`. */
    const madeBy = async (name: string, version: string, contract: string): Promise<string> => {
      const dir = await tampered(name, (report) => Object.assign(report, { tool: { name: 'proton-conformance', version } }), false);
      const versions = JSON.parse(await readFile(join(dir, 'versions.json'), 'utf8'));
      await writeFile(
        join(dir, 'versions.json'),
        JSON.stringify({ ...versions, suite: { ...versions.suite, version }, contract: { version: contract } }),
      );
      await writeManifest(dir);
      return dir;
    };
    const earlier = await madeBy('earlier', '0.0.9', contractVersion());
    const known = [{ version: '0.0.9', contract: contractVersion() }, ...RELEASES];
    expect(verificationLine(await verifyBundle(earlier, { releases: known }))).toBe('CONFORMANT');
    // The installed list: 0.0.9 was never released.
    expect(verificationLine(await verifyBundle(earlier))).toBe(
      `NOT CONFORMANT: suite version 0.0.9 is not a release this verifier knows (${RELEASES.map((r) => r.version).join(', ')}): ` +
        'verify with 0.0.9, or with a later release that lists it',
    );
    expect((await cli(['verify', earlier])).out).toMatch(/^NOT CONFORMANT: suite version 0\.0\.9 is not a release this verifier knows/);
    // A versions.json naming a contract its release did not check.
    const other = `sha256:${'0'.repeat(64)}`;
    const renamed = await madeBy('renamed', '0.0.9', other);
    expect(verificationLine(await verifyBundle(renamed, { releases: known }))).toBe(
      `NOT CONFORMANT: the bundle names contract ${other}; suite 0.0.9 was released to check ${contractVersion()}`,
    );
    // A known release of another contract: judged by the release whose contract it is.
    const older = await madeBy('older', '0.0.8', other);
    expect(verificationLine(await verifyBundle(older, { releases: [{ version: '0.0.8', contract: other }, ...RELEASES] }))).toBe(
      `NOT CONFORMANT: suite 0.0.8 checks contract ${other}, this verifier ${contractVersion()}: verify with 0.0.8, whose contract it is`,
    );
  });

  it('refuses a file the manifest does not list, and says usage errors with exit 2', async () => {
    const extra = join(root, 'extra');
    await cp(clean, extra, { recursive: true });
    await writeFile(join(extra, 'notes.txt'), 'added later');
    expect(verificationLine(await verifyBundle(extra))).toBe('NOT CONFORMANT: notes.txt is not in the manifest');
    const empty = join(root, 'empty');
    await mkdir(empty);
    expect(verificationLine(await verifyBundle(empty))).toBe('NOT CONFORMANT: no manifest (SHA256SUMS): not a bundle --certify wrote');
    expect((await cli(['verify'])).code).toBe(2);
    expect((await cli(['verify', join(root, 'nowhere')])).code).toBe(2);
  });
});
