// The parity cases the two tiers share (test/parity/parity.test.ts: a subset
// of the corpus, fast; test/parity/whole-corpus.test.ts: the whole corpus,
// slow): a snapshot, emulator variants that differ in known ways, each of
// which must show exactly its paths, and weather.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OMITTED, STUCK_STATUS } from '../../emulator/variants/parity.ts';
import { startEmbedded } from '../../harness/target/embedded.ts';
import { buildCorpus } from '../../parity/corpus.ts';
import { runParity, type ParityOptions } from '../../parity/parity.ts';
import type { ParityReport } from '../../parity/report.ts';
import { SNAPSHOT_FORMAT } from '../../parity/snapshot.ts';
import type { ParitySequence } from '../../parity/types.ts';

export const SEED = 7;
export type Corpus = (seed: number) => readonly ParitySequence[];
export const wholeCorpus: Corpus = (seed) => buildCorpus({ seed });

/**
 * Sequences enough for every variant case: a template's and a version's
 * lifecycle (OMITTED.operation, a version's status), missing resources and
 * two kinds of invalid input (errors, messages, validation's namespace), tags.
 */
export const SUBSET_IDS: readonly string[] = [
  'environment-template/lifecycle',
  'environment-template/missing',
  'environment-template-version/lifecycle',
  'tags/lifecycle',
  'invalid/create-environment-template/pattern',
  'invalid/create-environment-template-version/too-long',
];

/** The subset of a seed's corpus; a sequence of SUBSET_IDS the corpus no longer has fails the test that asks. */
export const subsetCorpus: Corpus = (seed) => {
  const picked = buildCorpus({ seed }).filter((sequence) => SUBSET_IDS.includes(sequence.id));
  expect(picked.map((sequence) => sequence.id).sort()).toEqual([...SUBSET_IDS].sort());
  return picked;
};

/** `npm run emulator -- ARGS` as a process; resolves with its URL once it listens. */
export async function spawnEmulator(args: readonly string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', '--port', '0', ...args], {
    cwd: new URL('../..', import.meta.url),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const banner = (await lines.next()).value as string | undefined;
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner ?? '')?.[1];
  if (url === undefined) throw new Error(`npm run emulator did not start: ${banner}`);
  return { url, child };
}

export async function stop(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

const paths = (report: ParityReport): string[] => [...new Set(report.differences.map((d) => d.path))].sort();

/** A snapshot of the reference compared with the emulator as a process (`url()`: its URL once started). */
export function snapshotCase(label: string, corpus: Corpus, url: () => string): void {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pc-parity-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`a snapshot recorded from the reference, compared with npm run emulator: 0 differences (${label})`, async () => {
    const recorded = await runParity({ reference: 'embedded', record: dir, seed: SEED, corpus });
    const files = await readdir(dir);
    expect(files).toHaveLength(recorded.corpus.sequences);
    const first = JSON.parse(await readFile(join(dir, files[0]!), 'utf8')) as Record<string, unknown>;
    expect(first).toMatchObject({ format: SNAPSHOT_FORMAT, suiteVersion: expect.any(String), recordedAt: expect.any(String), clock: true });
    // No corpus given: the snapshot's own sequences are sent.
    const report = await runParity({
      snapshot: dir,
      candidate: url(),
      seed: SEED,
      corpus: () => {
        throw new Error('a snapshot needs no corpus');
      },
    });
    expect(report.differences).toEqual([]);
    expect(report.unjudged).toEqual([]);
    expect(report.corpus).toEqual(recorded.corpus);
  });
}

/** Emulator variants that differ in known ways, and weather, over `corpus` (`weatherSurplus`: retries beyond the reference's requests). */
export function variantCases(label: string, corpus: Corpus, weatherSurplus: number): void {
  /** The reference embedded, against a candidate embedded with these variants. */
  async function againstVariant(variant: string, extra: Partial<ParityOptions> = {}): Promise<ParityReport> {
    const candidate = await startEmbedded(undefined, { variants: [variant] });
    try {
      return await runParity({ reference: 'embedded', candidate: candidate.url, seed: SEED, corpus, ...extra });
    } finally {
      await candidate.close();
    }
  }

  describe(`parity: variants that differ in known ways (${label})`, () => {
    it('reworded-errors: differences on message paths only', async () => {
      const report = await againstVariant('reworded-errors');
      expect(report.differences.length).toBeGreaterThan(0);
      expect(paths(report)).toEqual(['$.body.message']);
    });

    it('coral-validation-namespace: differences on the error type only, namespace against namespace', async () => {
      const report = await againstVariant('coral-validation-namespace');
      expect(report.differences.length).toBeGreaterThan(0);
      expect(paths(report)).toEqual(['$.errorType']);
      for (const difference of report.differences) {
        expect(difference).toMatchObject({
          reference: 'com.amazonaws.proton#ValidationException',
          candidate: 'com.amazon.coral.validate#ValidationException',
        });
      }
    });

    it('--ignore drops the paths it names: reworded-errors with $.body.message ignored has none left', async () => {
      const report = await againstVariant('reworded-errors', { ignore: ['$.body.message'] });
      expect(report.differences).toEqual([]);
      expect(report.ignored.differences).toBeGreaterThan(0);
    });

    it('parity-omits-member: exactly the member left out, on its operation, absent on the candidate', async () => {
      const report = await againstVariant('parity-omits-member');
      expect(report.differences.length).toBeGreaterThan(0);
      expect(paths(report)).toEqual([`$.body.${OMITTED.member}.${OMITTED.field}`]);
      for (const difference of report.differences) {
        expect(difference.operation).toBe(OMITTED.operation);
        expect(difference.candidate).toBeUndefined();
        expect(typeof difference.reference).toBe('string');
      }
    });

    it('parity-status-stuck: exactly the version status paths, where the reference has moved on', async () => {
      const report = await againstVariant('parity-status-stuck');
      expect(report.differences.length).toBeGreaterThan(0);
      for (const difference of report.differences) {
        expect(difference.path).toMatch(/^\$\.body\.(environmentTemplateVersion|templateVersions\[\d+\])\.status$/);
        expect(difference.candidate).toBe(STUCK_STATUS);
        expect(['DRAFT', 'PUBLISHED']).toContain(difference.reference);
      }
      expect(report.differences.map((d) => d.operation)).toContain('GetEnvironmentTemplateVersion');
    });
  });

  describe(`parity: weather (${label})`, () => {
    it('throttles and 500s after acting are sent again, never a difference', async () => {
      const candidate = await startEmbedded(undefined, { variants: ['throttling', 'errors-after-acting'] });
      try {
        const report = await runParity({ reference: 'embedded', candidate: candidate.url, seed: SEED, corpus });
        expect(report.differences).toEqual([]);
        expect(report.unjudged).toEqual([]);
        // The same corpus, so the same hook calls and polls: the surplus is the weather's retries.
        expect(report.requestsSent.candidate).toBeGreaterThan(report.requestsSent.reference! + weatherSurplus);
      } finally {
        await candidate.close();
      }
    });
  });
}
