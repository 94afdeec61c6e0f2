// `proton-conformance parity` in-process (parity/parity.ts, issue 22): the
// reference against itself (embedded against `npm run emulator` as a
// process), a snapshot of it, and emulator variants that differ in known
// ways, each of which must show exactly its paths. The CLI as a process is in
// test/parity/cli.test.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OMITTED, STUCK_STATUS } from '../../emulator/variants/parity.ts';
import { startEmbedded } from '../../harness/target/embedded.ts';
import { buildCorpus, corpusOperations } from '../../parity/corpus.ts';
import { runParity, type ParityOptions } from '../../parity/parity.ts';
import type { ParityReport } from '../../parity/report.ts';
import { driveSequences } from '../../parity/run.ts';
import { SNAPSHOT_FORMAT } from '../../parity/snapshot.ts';
import type { ParitySequence } from '../../parity/types.ts';
import { createPool } from '../../harness/target/http.ts';
import { probeHooks } from '../../harness/target/probe.ts';

const SEED = 7;
const corpus = (seed: number) => buildCorpus({ seed });

/** `npm run emulator -- ARGS` as a process; resolves with its URL once it listens. */
async function spawnEmulator(args: readonly string[] = []): Promise<{ url: string; child: ChildProcess }> {
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

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/** The reference embedded, against a candidate embedded with these variants. */
async function againstVariant(variant: string, extra: Partial<ParityOptions> = {}): Promise<ParityReport> {
  const candidate = await startEmbedded(undefined, { variants: [variant] });
  try {
    return await runParity({ reference: 'embedded', candidate: candidate.url, seed: SEED, corpus, ...extra });
  } finally {
    await candidate.close();
  }
}

const paths = (report: ParityReport): string[] => [...new Set(report.differences.map((d) => d.path))].sort();

describe('parity: the reference against itself', () => {
  let emulator: { url: string; child: ChildProcess } | undefined;
  let dir = '';

  beforeAll(async () => {
    emulator = await spawnEmulator();
    dir = await mkdtemp(join(tmpdir(), 'pc-parity-'));
  });
  afterAll(async () => {
    await stop(emulator?.child);
    await rm(dir, { recursive: true, force: true });
  });

  it('embedded against npm run emulator: 0 differences over every operation the reference implements', async () => {
    const report = await runParity({ reference: 'embedded', candidate: emulator!.url, seed: SEED, corpus });
    expect(report.differences).toEqual([]);
    expect(report.unjudged).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(report.mode).toBe('clock');
    const operations = new Set(buildCorpus({ seed: SEED }).flatMap((s) => s.steps.map((step) => step.operation)));
    expect([...operations].sort()).toEqual(corpusOperations());
    expect(report.corpus.operations).toBe(corpusOperations().length);
    expect(report.corpus.sequences).toBe(buildCorpus({ seed: SEED }).length);
    expect(report.corpus.requests).toBeGreaterThan(report.corpus.sequences);
    expect(report.requestsSent.candidate).toBeGreaterThanOrEqual(report.corpus.requests);
    expect(report.wallMs).toBeGreaterThan(0);
  });

  it('a snapshot recorded from the reference, compared with npm run emulator: 0 differences', async () => {
    const recorded = await runParity({ reference: 'embedded', record: dir, seed: SEED, corpus });
    const files = await readdir(dir);
    expect(files).toHaveLength(recorded.corpus.sequences);
    const first = JSON.parse(await readFile(join(dir, files[0]!), 'utf8')) as Record<string, unknown>;
    expect(first).toMatchObject({ format: SNAPSHOT_FORMAT, suiteVersion: expect.any(String), recordedAt: expect.any(String), clock: true });
    // No corpus given: the snapshot's own sequences are sent.
    const report = await runParity({
      snapshot: dir,
      candidate: emulator!.url,
      seed: SEED,
      corpus: () => {
        throw new Error('a snapshot needs no corpus');
      },
    });
    expect(report.differences).toEqual([]);
    expect(report.unjudged).toEqual([]);
    expect(report.corpus).toEqual(recorded.corpus);
  });
});

describe('parity: variants that differ in known ways', () => {
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

describe('parity: weather', () => {
  it('throttles and 500s after acting are sent again, never a difference', async () => {
    const candidate = await startEmbedded(undefined, { variants: ['throttling', 'errors-after-acting'] });
    try {
      const report = await runParity({ reference: 'embedded', candidate: candidate.url, seed: SEED, corpus });
      expect(report.differences).toEqual([]);
      expect(report.unjudged).toEqual([]);
      // The same corpus, so the same hook calls and polls: the surplus is the weather's retries.
      expect(report.requestsSent.candidate).toBeGreaterThan(report.requestsSent.reference! + 20);
    } finally {
      await candidate.close();
    }
  });
});

describe('parity: targets without the clock hooks (poll mode)', () => {
  /** A version created, then read after a settle step: registration takes 1.5 s (real) on both targets. */
  const sequence: ParitySequence = {
    id: 'poll/version-settles',
    operations: ['CreateEnvironmentTemplate', 'CreateEnvironmentTemplateVersion', 'GetEnvironmentTemplateVersion'],
    steps: [
      { operation: 'CreateEnvironmentTemplate', input: { name: 'parity-poll-template' }, intent: 'valid' },
      {
        operation: 'CreateEnvironmentTemplateVersion',
        input: {
          templateName: 'parity-poll-template',
          source: { s3: { bucket: 'parity-bundles', key: 'environment.tar.gz' } },
          clientToken: 'parity-poll-1',
        },
        intent: 'valid',
      },
      {
        operation: 'GetEnvironmentTemplateVersion',
        input: { templateName: 'parity-poll-template', majorVersion: '1', minorVersion: '0' },
        intent: 'valid',
        settle: true,
      },
    ],
    cleanup: [
      {
        operation: 'DeleteEnvironmentTemplateVersion',
        input: { templateName: 'parity-poll-template', majorVersion: '1', minorVersion: '0' },
        intent: 'cleanup',
      },
      { operation: 'DeleteEnvironmentTemplate', input: { name: 'parity-poll-template' }, intent: 'cleanup' },
    ],
  };

  it('a settle step waits on both targets until the version has registered, then reads it', async () => {
    const options = { hooks: [], durations: { templateVersionRegistration: 1_500 } };
    const [a, b] = await Promise.all([startEmbedded(undefined, options), startEmbedded(undefined, options)]);
    const pool = createPool();
    try {
      const endpoints = await Promise.all(
        [a, b].map(async (target, i) => ({ label: `t${i}`, url: target.url, hooks: (await probeHooks(target.url)).hooks })),
      );
      const result = await driveSequences({ corpus: [sequence], endpoints, pool });
      expect(result.clock).toBe(false);
      const [run] = result.runs;
      expect(run!.unsettled).toEqual([]);
      for (const answers of run!.answers) {
        const status = (step: number) =>
          (answers[step]?.answer?.body as { environmentTemplateVersion?: { status?: string } })?.environmentTemplateVersion?.status;
        expect(status(1)).toBe('REGISTRATION_IN_PROGRESS');
        expect(status(2)).toBe('DRAFT');
      }
    } finally {
      await pool.close();
      await Promise.all([a.close(), b.close()]);
    }
  });
});
