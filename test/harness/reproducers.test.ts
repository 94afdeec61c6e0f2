// --reproducers DIR (issue 21), in brief: for a few faults of the catalogue
// (one per category the reproducers cover, the hooks' clock and durations
// among them), the one failing rule is run on one operation against the
// emulator with the fault, its reproducers are written, and each `.mjs` exits
// 1 against that emulator and 0 against the reference emulator; two `.sh`
// do the same with Debian's AWS CLI v2. The whole catalogue is the slow
// tier's (test/mutation/reproducers-1.test.ts and -2.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS } from '../../emulator/policy.ts';
import type { CellResult } from '../../harness/run/results.ts';
import type { Report } from '../../harness/types.ts';
import { EmulatorHost } from '../../mutation/emulators.ts';
import { renderMarkdown } from '../../reporters/markdown.ts';
import { reproducerLinks } from '../../reporters/reproducers/links.ts';
import { hasAwsV2, notPassing, runScript, scriptFolder, withEmulator, writeFor } from '../support/reproducers.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

/** Fault -> the operation its rule is run on; `shell`: its `.sh` is run too. */
const SUBSET: ReadonlyArray<{ fault: string; operation: string; shell?: true }> = [
  { fault: 'token-retry-new-identity', operation: 'CreateEnvironmentTemplateVersion' },
  { fault: 'token-expires-hour-early', operation: 'CreateEnvironmentAccountConnection', shell: true },
  { fault: 'name-mismatch-unmarked', operation: 'CreateEnvironmentTemplate', shell: true },
  { fault: 'delete-retry-not-found', operation: 'DeleteEnvironmentTemplate' },
  { fault: 'async-complete-not-found', operation: 'DeleteEnvironment' },
  // A response lost on the wire, then the SDK's own retry (a forwarder in the script).
  { fault: 'sdk-attempt-in-token-key', operation: 'CreateEnvironmentAccountConnection' },
  // A wire fault: the client gone while the target works, its retries refused (the script's own forwarder closes it).
  { fault: 'in-flight-conflict', operation: 'CreateEnvironmentTemplate' },
];

/** The `.sh` runs need Debian's AWS CLI v2; without it they are left out (the `.mjs` still run). */
const AWS_V2 = hasAwsV2();

let host: EmulatorHost;
const folder = scriptFolder('reproducers-fast');

beforeAll(async () => {
  host = await EmulatorHost.start();
});

afterAll(async () => {
  await host?.close();
  folder.dispose();
});

describe('--reproducers: a fault caught, its scripts fail on it and pass on the reference emulator', () => {
  for (const { fault, operation, shell } of SUBSET) {
    it(`${fault} (${FAULTS[fault]!.rule} on ${operation})`, { timeout: 240_000 }, async () => {
      const rule = FAULTS[fault]!.rule;
      const dir = join(folder.dir, fault);
      const index = await withEmulator(host, [fault], async (faulty) => {
        const results = await notPassing(faulty, rule, operation);
        expect(results.map((r) => `${r.rule} ${r.operation} ${r.verdict}`)).toEqual([`${rule} ${operation} fail`]);
        const written = await writeFor(results, dir);
        expect(written).toEqual([{ rule, operation, node: expect.stringMatching(/\.mjs$/), shell: expect.stringMatching(/\.sh$/) }]);
        const broken = await runScript(dir, written[0]!.node!, faulty.endpoint);
        expect(broken.code, broken.stdout + broken.stderr).toBe(1);
        expect(broken.stdout).toMatch(/BROKEN\n {2}expected: .+\n {2}got: {6}.+/);
        if (shell && AWS_V2) {
          const brokenShell = await runScript(dir, written[0]!.shell!, faulty.endpoint);
          expect(brokenShell.code, brokenShell.stdout + brokenShell.stderr).toBe(1);
        }
        return written;
      });
      expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'))).toEqual(index);
      await withEmulator(host, [], async (reference) => {
        const kept = await runScript(dir, index[0]!.node!, reference.endpoint);
        expect(kept.code, kept.stdout + kept.stderr).toBe(0);
        expect(kept.stdout).toContain('PASS: the target keeps');
        if (shell && AWS_V2) {
          const keptShell = await runScript(dir, index[0]!.shell!, reference.endpoint);
          expect(keptShell.code, keptShell.stdout + keptShell.stderr).toBe(0);
        }
      });
    });
  }
});

describe('--reproducers: what has none, and the reports that link them', () => {
  const cell = (rule: string, verdict: CellResult['verdict']): CellResult => ({
    rule,
    category: 'wire',
    level: 'MUST',
    operation: 'CreateEnvironmentTemplate',
    verdict,
    reason: 'r',
    evidence: [
      {
        operation: 'CreateEnvironmentTemplate',
        request: { headers: {}, body: { name: 'pcabcdefghij-0-t-1' } },
        response: { status: 200, headers: {}, body: { environmentTemplate: { arn: 'arn:1', name: 'pcabcdefghij-0-t-1' } } },
        startedAt: 1,
        durationMs: 1,
      },
    ],
  });

  it('lists a failing cell whose rule has no reproducer as skipped, with the reason, and writes nothing for a pass', async () => {
    const dir = join(folder.dir, 'skipped');
    const index = await writeFor([cell('shape/responses-match-model', 'fail'), cell('idempotent-create/unmodified-retry', 'pass')], dir);
    expect(index).toEqual([
      { rule: 'shape/responses-match-model', operation: 'CreateEnvironmentTemplate', skipped: expect.stringMatching(/no reproducer/) },
    ]);
  });

  it('links a failure to its two scripts in the Markdown, relative to the report', () => {
    const failing = { ...cell('idempotent-create/unmodified-retry', 'fail'), category: 'idempotent-create' as const };
    failing.evidence = [failing.evidence[0]!, { ...failing.evidence[0]!, startedAt: 5 }];
    const report = { target: { endpoint: 'e', embedded: true, region: 'us-east-1', capabilities: [] }, results: [failing] };
    const text = renderMarkdown(report as unknown as Report, undefined, reproducerLinks('out/repro', 'out/report.md'));
    const name = 'idempotent-create--unmodified-retry--CreateEnvironmentTemplate';
    expect(text).toContain(`[repro/${name}.mjs](repro/${name}.mjs) · [repro/${name}.sh](repro/${name}.sh)`);
  });
});
