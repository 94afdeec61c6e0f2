// async-delete/retry-in-progress on a target without hooks (nothing sets how
// long a deletion takes, no clock): the check compares the retried deletion
// with a control deleted after it without retries. A conforming target
// passes; one whose retries restart the deletion fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { resolveTarget } from '../../harness/target/target.ts';
import { runCells, summary } from './run-cells.ts';

// Deletions long enough to be seen in progress (real time: there is no clock),
// short enough for a test. A restart shows as about one deletion past the
// last retry, less the time between that retry and the control's end: on a
// loaded machine (load average 7 in a full npm test) that time grew enough
// for 900 ms deletions to hide a restart within the check's slack (half the
// control's duration), so they take 2 s.
const durations = {
  environmentDeployment: 50,
  serviceCreation: 50,
  serviceUpdate: 50,
  environmentDeletion: 2_000,
  serviceDeletion: 2_000,
  templateVersionRegistration: 20,
};

async function verdicts(faults: string[]): Promise<{ results: Awaited<ReturnType<typeof runCells>>; emulator: RunningEmulator }> {
  const emulator = await startEmulator({ hooks: [], durations, faults });
  const target = await resolveTarget({ endpoint: emulator.url, env: {} });
  try {
    return { results: await runCells(target, { rules: 'async-delete/retry-in-progress' }), emulator };
  } finally {
    await target.close();
    await emulator.close();
  }
}

describe('async-delete/retry-in-progress without hooks', () => {
  const saved = { ...process.env };
  beforeAll(() => {
    // The standard chain: a target without the accounts hook is signed for with it.
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIDHOOKLESS0000001';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'hooklessSecret';
    process.env['AWS_REGION'] = 'us-east-1';
  });
  afterAll(() => {
    process.env = saved;
  });

  it('passes a conforming target, judged against a control deletion', async () => {
    const { results } = await verdicts([]);
    expect(
      results.map((r) => r.verdict),
      summary(results),
    ).toEqual(['pass', 'pass']);
    for (const result of results) expect(result.reason).toMatch(/ended no later than that of a control deleted after it without retries/);
  });

  it('fails a target whose retries restart the deletion', async () => {
    const { results } = await verdicts(['async-retry-restarts']);
    expect(
      results.map((r) => r.verdict),
      summary(results),
    ).toEqual(['fail', 'fail']);
    for (const result of results) expect(result.reason).toMatch(/after that of the control .* The retries restarted or prolonged it\.$/);
  });
});
