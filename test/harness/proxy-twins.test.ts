// The proxy's overlapping twins (fault `overlap`) as the wire checks judge
// them: the client is shown whichever copy's answer came first, so a target
// that refuses the identical request it receives while the first is still in
// flight (allowed for concurrent identical requests) passes
// wire/duplicate-delivery, while the same target still fails the rule its
// fault is about (a retry after a lost response refused), and a target that
// calls the twin invalid fails wire/duplicate-delivery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorHost } from '../../mutation/emulators.ts';
import { runSuite } from '../../mutation/run.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

let host: EmulatorHost;

beforeAll(async () => {
  host = await EmulatorHost.start();
});

afterAll(async () => {
  await host?.close();
});

async function verdicts(fault: string, rules: string, operations: string): Promise<string[]> {
  const run = await runSuite(host, { faults: [fault] }, { rules, operations }, { seed: 20261201, numRuns: 3 });
  return run.results
    .map(
      (result) =>
        `${result.rule} ${result.operation}: ${result.verdict}${result.verdict === 'pass' ? '' : ` (${result.reason.slice(0, 300)})`}`,
    )
    .sort();
}

describe('overlapping twins', () => {
  it('a refusal of the in-flight twin shown to the client is one of the twins answers: in-flight-conflict passes ' +
    'wire/duplicate-delivery and fails its own rule', {
    timeout: 120_000,
  }, async () => {
    const operations = 'CreateEnvironmentTemplate,CreateEnvironmentTemplateVersion';
    expect(await verdicts('in-flight-conflict', 'wire/duplicate-delivery', operations)).toEqual([
      'wire/duplicate-delivery CreateEnvironmentTemplate: pass',
      'wire/duplicate-delivery CreateEnvironmentTemplateVersion: pass',
    ]);
    const own = await verdicts('in-flight-conflict', 'wire/lost-response-retry', operations);
    expect(own).toHaveLength(2);
    for (const line of own) expect(line).toMatch(/^wire\/lost-response-retry \w+: fail \(.*ConflictException/);
  });

  it('a twin called invalid still fails wire/duplicate-delivery, whichever answer the client was shown', { timeout: 120_000 }, async () => {
    const lines = await verdicts('replay-refused', 'wire/duplicate-delivery', 'CreateEnvironmentTemplate,DeleteEnvironmentTemplate');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^wire\/duplicate-delivery \w+: fail \(.*ValidationException/);
  });
});
