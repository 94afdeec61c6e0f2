// A step one target never gets past the weather is not compared, and neither
// is the rest of its sequence (what that target did is unknown); fake targets
// (test/support/fake-target.ts) script the answers.
import { afterEach, describe, expect, it } from 'vitest';
import { runParity } from '../../parity/parity.ts';
import type { ParitySequence } from '../../parity/types.ts';
import { awsError, type FakeTarget, startFakeTarget } from '../support/fake-target.ts';

const get = (name: string) => ({ operation: 'GetEnvironmentTemplate', input: { name }, intent: 'valid' });
const SEQUENCE: ParitySequence = {
  id: 'weather/one',
  operations: ['GetEnvironmentTemplate'],
  steps: [get('a'), get('b'), get('c')],
  cleanup: [],
};
const template = (name: string) => ({ status: 200, body: { environmentTemplate: { name } } });

describe('parity: a step the weather never lets through', () => {
  const targets: FakeTarget[] = [];
  afterEach(async () => {
    await Promise.all(targets.splice(0).map((target) => target.close()));
  });

  it('is unjudged, and so is every later step of its sequence; the steps before it are compared', async () => {
    const reference = await startFakeTarget({ proton: (_op, body) => template(String(body['name'])) });
    // The candidate throttles every read of b, and answers c with another name (a difference, were it compared).
    const candidate = await startFakeTarget({
      proton: (_op, body) =>
        body['name'] === 'b' ? awsError(400, 'ThrottlingException', 'Rate exceeded') : template(body['name'] === 'c' ? 'other' : 'a'),
    });
    targets.push(reference, candidate);
    const report = await runParity({
      reference: reference.url,
      candidate: candidate.url,
      seed: 1,
      corpus: () => [SEQUENCE],
      weatherAttempts: 3,
    });
    expect(report.differences).toEqual([]);
    expect(report.unjudged.map((item) => [item.step, item.reason])).toEqual([
      [1, 'candidate: throttle (HTTP 400) after 3 attempts'],
      [2, "after step 2, which was not answered, the targets' states may differ"],
    ]);
    expect(candidate.received.filter((request) => request.body['name'] === 'b')).toHaveLength(3);
  });
});
