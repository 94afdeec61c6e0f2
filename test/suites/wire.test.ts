// The wire rules' checker (suites/lib/wire.ts) on made-up histories, and the
// wire checks end to end against emulators with wire faults: a failure
// carries its history (JSON report and console timeline) and replays from its
// seed and path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { resolveTarget } from '../../harness/target/target.ts';
import type { Target } from '../../harness/target/target.ts';
import type { Report, RuleResult } from '../../harness/types.ts';
import { renderConsole } from '../../reporters/console.ts';
import { reportJson } from '../../reporters/json.ts';
import { RESOURCES } from '../../specs/resources.ts';
import { identityKey } from '../../suites/lib/compare.ts';
import { judgeCreate, judgeDelete } from '../../suites/lib/wire.ts';
import type { HistoryAnswer } from '../../suites/lib/wire.ts';
import { EmulatorHost } from '../../mutation/emulators.ts';
import { runSuite } from '../../mutation/run.ts';
import { runCells, summary } from './run-cells.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const spec = RESOURCES.environmentTemplate;
const at = new Date('2026-11-30T06:00:00Z');
const resource = (name: string, createdAt = at) => ({
  arn: `arn:aws:proton:us-east-1:111122223333:environment-template/${name}`,
  name,
  createdAt,
});
const ok = (source: string, r: ReturnType<typeof resource> | undefined): HistoryAnswer => ({ source, ok: true, resource: r });
const failed = (source: string, error: string, status: number | undefined): HistoryAnswer => ({
  source,
  ok: false,
  error,
  status,
  network: status === undefined,
});

describe('the checker over a history', () => {
  const one = resource('t');
  const key = identityKey(spec, one);

  it('passes one resource named by every success, weather recorded but not judged', () => {
    const answers = [
      ok('client 1', one),
      failed('client 2', 'Error: socket hang up', undefined),
      failed('target #2', 'InternalServerException: x', 500),
      ok('target #1', one),
    ];
    expect(judgeCreate(spec, answers, [key], { mustCreate: true, refusals: false }).problems).toEqual([]);
  });

  it('fails two resources for one token or name, a success naming another, and an identical request called invalid', () => {
    const other = resource('t', new Date('2026-11-30T06:00:01Z'));
    expect(
      judgeCreate(spec, [ok('client 1', one)], [key, identityKey(spec, other)], { mustCreate: true, refusals: false }).problems[0],
    ).toMatch(/gained 2 resources/);
    expect(
      judgeCreate(spec, [ok('client 1', one), ok('target #2', other)], [key], { mustCreate: true, refusals: true }).problems.join(' '),
    ).toMatch(/name 2 different resources/);
    expect(
      judgeCreate(spec, [ok('client 1', one), failed('client 2', 'ValidationException: IdempotentParameterMismatch', 400)], [key], {
        mustCreate: false,
        refusals: true,
      }).problems.join(' '),
    ).toMatch(/called an identical request invalid/);
    expect(
      judgeCreate(spec, [failed('client 1', 'ConflictException: busy', 409)], [key], { mustCreate: true, refusals: false }).problems.join(
        ' ',
      ),
    ).toMatch(/was to succeed/);
    expect(
      judgeCreate(spec, [failed('client 1', 'ConflictException: busy', 409)], [key], { mustCreate: false, refusals: true }).problems,
    ).toEqual([]);
    expect(judgeCreate(spec, [ok('client 1', one)], [], { mustCreate: false, refusals: true }).problems.join(' ')).toMatch(
      /which List does not show/,
    );
  });

  it('judges a delete: its metadata or empty, nothing else, no error but weather', () => {
    expect(
      judgeDelete(
        spec,
        one,
        [ok('client 1', one), ok('target #2', undefined), failed('target #1', 'ThrottlingException: slow down', 429)],
        { refusals: false },
      ),
    ).toEqual([]);
    expect(judgeDelete(spec, one, [ok('client 1', resource('other'))], { refusals: false })[0]).toMatch(/names name=other/);
    expect(judgeDelete(spec, one, [failed('client 1', 'ResourceNotFoundException: gone', 404)], { refusals: false })[0]).toMatch(
      /was to succeed/,
    );
  });
});

describe('wire checks against emulators with wire faults', () => {
  // The emulator of the mutation analysis, in its worker thread: a proxy's timers here are not held up by the target's work.
  let host: EmulatorHost;
  let staleEmulator: RunningEmulator;
  let staleTarget: Target;

  beforeAll(async () => {
    host = await EmulatorHost.start();
    staleEmulator = await startEmulator({ port: 0, faults: ['token-stale-attempt-new'] });
    staleTarget = await resolveTarget({ endpoint: staleEmulator.url, env: {} });
  });

  afterAll(async () => {
    await host?.close();
    await staleTarget?.close();
    await staleEmulator?.close();
  });

  function report(results: RuleResult[]): Report {
    return {
      target: { endpoint: 'http://127.0.0.1:1', embedded: false, region: 'us-east-1', capabilities: [] },
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      seed: 7,
      numRuns: 3,
      summary: { pass: 0, fail: results.length, warn: 0, inconclusive: 0, skipped: 0 },
      results,
    };
  }

  it('a lost-response failure carries its history: in the JSON report, and as a timeline on the console', { timeout: 60_000 }, async () => {
    const run = await runSuite(
      host,
      { faults: ['record-written-with-response'] },
      { rules: 'wire/lost-response-retry', operations: 'CreateEnvironmentTemplateVersion' },
      { seed: 7, numRuns: 3 },
    );
    const results = run.results;
    expect(
      results.map((r) => r.verdict),
      summary(results),
    ).toEqual(['fail']);
    const [result] = results;
    // The cases run at once: the second resource of a token is one that no success names.
    expect(result!.reason).toMatch(/List gained [7-9] resources for 6 requests \(one each\): [1-3] that no success names/);
    const history = result!.history ?? [];
    // Who sent what, what the proxy did to it, what the target answered, what each client saw.
    const whats = history.map((event) => `${event.who}: ${event.what}`);
    expect(
      whats.some((w) => /^client \([a-z]+, sdk\): sent attempt 2 of invocation \w+ .*saw HTTP 200/.test(w)),
      whats.join('\n'),
    ).toBe(true);
    expect(whats.some((w) => /^proxy: received attempt 1.*fault close/.test(w))).toBe(true);
    expect(whats.some((w) => /^proxy: closed the client's connection/.test(w))).toBe(true);
    expect(whats.some((w) => /^check: List of the scope gained, for this case: /.test(w))).toBe(true);
    const json = JSON.parse(reportJson(report(results), { requests: 1, wallMs: 1, interrupted: false } as never)) as {
      results: Array<{ history?: unknown[] }>;
    };
    expect(json.results[0]!.history).toHaveLength(history.length);
    const text = renderConsole(report(results), { requests: 1, wallMs: 1, interrupted: false } as never, {
      colour: false,
      width: 120,
      evidenceLimit: 5,
      stepLimit: 5,
    });
    expect(text).toContain('wire history:');
    expect(text).toMatch(/\+\d+\.\d ms\s+proxy\s+#1\s+CreateEnvironmentTemplateVersion: received attempt 1/);
  });

  it('an interleaving that fails replays from its seed and path', { timeout: 120_000 }, async () => {
    const results = await runCells(staleTarget, {
      rules: 'wire/interleaved-retries',
      operations: 'CreateEnvironmentTemplateVersion',
      seed: 11,
      numRuns: 3,
    });
    expect(
      results.map((r) => r.verdict),
      summary(results),
    ).toEqual(['fail']);
    const replay = results[0]!.replay!;
    expect(replay.command).toContain(`--seed ${replay.seed} --path ${replay.path}`);
    expect(results[0]!.history?.length).toBeGreaterThan(0);
    const again = await runCells(staleTarget, {
      rules: 'wire/interleaved-retries',
      operations: 'CreateEnvironmentTemplateVersion',
      seed: replay.seed,
      path: replay.path,
      numRuns: 3,
    });
    expect(
      again.map((r) => r.verdict),
      summary(again),
    ).toEqual(['fail']);
  });

  it('the reference emulator passes every wire rule on a create and a delete of each kind', { timeout: 120_000 }, async () => {
    const reference = await resolveTarget({ env: {} });
    try {
      const results = await runCells(reference, {
        rules: 'wire/*',
        operations: 'CreateEnvironmentAccountConnection,CreateService,DeleteServiceTemplateVersion,DeleteEnvironment',
        seed: 5,
        numRuns: 3,
      });
      expect(results).toHaveLength(16);
      expect(
        results.filter((r) => r.verdict !== 'pass'),
        summary(results),
      ).toEqual([]);
    } finally {
      await reference.close();
    }
  });
});
