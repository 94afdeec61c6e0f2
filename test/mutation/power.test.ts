// The suite's power, in brief (the whole catalogue: `npm run mutation`): one
// fault per MUST rule, each caught by the rule it targets when only that rule
// runs (few property runs, a fixed seed); and each conforming variant passing
// the rules it bears on, without a false positive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS } from '../../emulator/policy.ts';
import { EmulatorHost } from '../../mutation/emulators.ts';
import { faultFinding, variantFinding } from '../../mutation/findings.ts';
import { runSuite } from '../../mutation/run.ts';
import { faultSubjects, mustRulesOfCategories, variantSubjects } from '../../mutation/subjects.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const SEED = 20_261_126;
const NUM_RUNS = 10;

/** One fault per MUST rule, the subtle ones where there is a choice. */
const FAST_SUBSET: readonly string[] = [
  'token-retry-duplicates',
  'token-compares-required-only',
  'token-expiry-from-latest-retry',
  'token-deleted-answers-original',
  'token-uuid-case-insensitive',
  'token-long-accepted',
  'sdk-attempt-in-token-key',
  'token-check-then-insert-race',
  'name-progress-is-modification',
  'name-display-name-not-tracked',
  'name-tags-not-compared',
  'name-race-already-exists',
  'delete-remembered-by-type',
  'delete-retry-removes-sibling',
  'async-retry-restarts',
  'async-complete-not-found',
  // Wire (CONTRACT.md "Wire faults"): faults that show only under faults on the wire.
  'record-written-with-response',
  'replay-refused',
  'error-path-forgets-record',
  'token-stale-attempt-new',
];

/** The rules a variant bears on: where it would show if the suite mistook it for a violation. */
const VARIANT_RULES: Readonly<Record<string, string>> = {
  'progressing-status':
    'client-token/same-token-same-params,idempotent-create/unmodified-retry,idempotent-create/modified-retry,async-delete/*',
  'slow-async': 'idempotent-create/*,async-delete/*,client-token/expiry',
  'fast-async': 'async-delete/*,idempotent-create/unmodified-retry',
  'forgets-deletions-quickly': 'idempotent-delete/*',
  'forgets-deletions-at-once': 'idempotent-delete/*',
  'latency-jitter': '*concurrent-retries,client-token/sdk-default',
  'camel-case-mismatch': '*different-params',
  'reworded-errors': '*different-params,idempotent-create/modified-retry',
  'coral-validation-namespace': '*different-params,shape/*',
  'conflict-before-mismatch': 'idempotent-create/*',
  'deleted-original-mismatch': 'client-token/retry-after-delete,client-token/same-token-different-params',
  'replays-original-response': '*same-token-same-params,*unmodified-retry',
  'offset-paging': 'general/*,idempotent-create/modified-retry,wire/lost-response-retry',
  'lists-major-versions': 'general/*,idempotent-delete/*,client-token/same-token-same-params,client-token/expiry',
  'slow-mutations': 'wire/*',
  throttling: '*same-token-same-params,*unmodified-retry,*concurrent-retries,idempotent-delete/*,async-delete/*,general/*',
  'errors-after-acting': '*same-token-same-params,*unmodified-retry,*concurrent-retries,idempotent-delete/*,async-delete/*,general/*',
};

let host: EmulatorHost;

beforeAll(async () => {
  host = await EmulatorHost.start();
});

afterAll(async () => {
  await host.close();
});

describe('the fast subset', () => {
  it('has one fault for each MUST rule of the four categories and of the wire category', () => {
    expect(FAST_SUBSET.map((name) => FAULTS[name]?.rule).sort()).toEqual(mustRulesOfCategories().sort());
  });

  it('has every variant of the catalogue', () => {
    expect(Object.keys(VARIANT_RULES).sort()).toEqual(
      variantSubjects()
        .map((v) => v.name)
        .sort(),
    );
  });
});

describe('each fault is caught by the rule it targets', () => {
  it.each(faultSubjects(FAST_SUBSET).map((subject) => [subject.name, subject] as const))('%s', async (_name, subject) => {
    const run = await runSuite(host, { faults: [subject.name] }, { rules: subject.targetRule }, { seed: SEED, numRuns: NUM_RUNS });
    const finding = faultFinding(subject, run);
    const verdicts = run.results.map((r) => `${r.verdict} ${r.rule} x ${r.operation}: ${r.reason.slice(0, 300)}`).join('\n');
    expect(finding.caught, verdicts).toBe(true);
    expect(finding.secondsToCatch).not.toBeNull();
  });
});

describe('each variant passes the rules it bears on', () => {
  it.each(variantSubjects().map((subject) => [subject.name, subject] as const))('%s', async (_name, subject) => {
    const run = await runSuite(
      host,
      { variants: [subject.name] },
      { rules: VARIANT_RULES[subject.name]! },
      { seed: SEED, numRuns: NUM_RUNS },
    );
    const finding = variantFinding(subject, run);
    expect(run.results.length).toBeGreaterThan(0);
    expect(finding.falsePositives.map((note) => `${note.rule} x ${note.operation}: ${note.reason}`)).toEqual([]);
    // Inconclusive or skipped cells carry their reason (not false positives).
    for (const note of finding.unjudged) expect(note.reason.trim(), `${note.rule} x ${note.operation}`).not.toBe('');
  });
});
