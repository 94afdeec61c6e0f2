// `proton-conformance parity` in-process (parity/parity.ts, issue 22), the
// fast tier: the reference against itself over the whole corpus (embedded
// against `npm run emulator` as a process); a snapshot, emulator variants that
// differ in known ways and weather over a subset of the corpus (cases.ts; the
// same cases over the whole corpus are test/parity/whole-corpus.test.ts, slow);
// poll mode. The CLI as a process is in test/parity/cli.test.ts.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded } from '../../harness/target/embedded.ts';
import { buildCorpus, corpusOperations } from '../../parity/corpus.ts';
import { runParity } from '../../parity/parity.ts';
import { driveSequences } from '../../parity/run.ts';
import type { ParitySequence } from '../../parity/types.ts';
import { createPool } from '../../harness/target/http.ts';
import { probeHooks } from '../../harness/target/probe.ts';
import { SEED, snapshotCase, spawnEmulator, stop, subsetCorpus, variantCases, wholeCorpus as corpus } from './cases.ts';

describe('parity: the reference against itself', () => {
  let emulator: { url: string; child: ChildProcess } | undefined;

  beforeAll(async () => {
    emulator = await spawnEmulator();
  });
  afterAll(async () => {
    await stop(emulator?.child);
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

  snapshotCase('a subset of the corpus', subsetCorpus, () => emulator!.url);
});

variantCases('a subset of the corpus', subsetCorpus, 0);

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
