// The parity cases of test/parity/parity.test.ts over the whole corpus, not a
// subset (cases.ts): a snapshot, every emulator variant made to differ in a
// known way, weather. Slow tier: each case drives every sequence twice.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe } from 'vitest';
import { snapshotCase, spawnEmulator, stop, variantCases, wholeCorpus } from './cases.ts';

describe('parity over the whole corpus: a snapshot of the reference, compared with npm run emulator', () => {
  let emulator: { url: string; child: ChildProcess } | undefined;

  beforeAll(async () => {
    emulator = await spawnEmulator();
  });
  afterAll(async () => {
    await stop(emulator?.child);
  });

  snapshotCase('the whole corpus', wholeCorpus, () => emulator!.url);
});

variantCases('the whole corpus', wholeCorpus, 20);
