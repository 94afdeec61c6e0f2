// The faults whose idempotency record of a lost answer is evicted some time
// after the original finished (emulator/faults/wire.ts): each is caught by the
// rule it targets, wire/lost-response-retry, through its retries at a client's
// pace; and on a calm wire (no answer lost) no rule of its category sees it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS } from '../../emulator/policy.ts';
import { EmulatorHost } from '../../mutation/emulators.ts';
import { faultFinding } from '../../mutation/findings.ts';
import { runSuite } from '../../mutation/run.ts';
import { faultSubjects } from '../../mutation/subjects.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const SEED = 20_261_126;
const NUM_RUNS = 3;

/** Each fault, and the rules of the category whose record it loses (a calm wire: no proxy, no answer lost). */
const LATE_FAULTS: Readonly<Record<string, string>> = {
  'token-orphan-evicted-late': 'client-token/*',
  'name-orphan-evicted-late': 'idempotent-create/*',
  'deletion-orphan-evicted-late': 'idempotent-delete/*,async-delete/*',
};

let host: EmulatorHost;

beforeAll(async () => {
  host = await EmulatorHost.start();
});

afterAll(async () => {
  await host?.close();
});

describe('the faults whose record of a lost answer is evicted late', () => {
  it('are in the catalogue, each targeting wire/lost-response-retry', () => {
    for (const name of Object.keys(LATE_FAULTS)) expect(FAULTS[name]?.rule, name).toBe('wire/lost-response-retry');
  });

  it.each(faultSubjects(Object.keys(LATE_FAULTS)).map((subject) => [subject.name, subject] as const))(
    '%s is caught by the rule it targets',
    { timeout: 120_000 },
    async (_name, subject) => {
      const run = await runSuite(host, { faults: [subject.name] }, { rules: subject.targetRule }, { seed: SEED, numRuns: NUM_RUNS });
      const verdicts = run.results.map((r) => `${r.verdict} ${r.rule} x ${r.operation}: ${r.reason.slice(0, 300)}`).join('\n');
      expect(faultFinding(subject, run).caught, verdicts).toBe(true);
    },
  );

  it.each(Object.entries(LATE_FAULTS))('%s fails no rule of its category on a calm wire', { timeout: 120_000 }, async (name, rules) => {
    const run = await runSuite(host, { faults: [name] }, { rules }, { seed: SEED, numRuns: NUM_RUNS });
    expect(run.results.length).toBeGreaterThan(0);
    expect(run.results.filter((r) => r.verdict === 'fail').map((r) => `${r.rule} x ${r.operation}: ${r.reason.slice(0, 300)}`)).toEqual([]);
  });
});
