// client-token/expiry without clock control, in two runs (docs/expiry.md):
// against the reference emulator offering no hooks at all, as a
// user runs the CLI (fixed fake credentials, a loopback endpoint: no
// --allow-real-account). --phase record writes a valid state file with no
// secret in it and keeps what it made; --phase verify right away is refused
// with the time it may run; a tampered state file is refused naming the
// field; 8 h later verify passes with a new resource per operation and
// leaves nothing; without --phase the skipped cells say how to check expiry.
//
// Eight hours cannot pass for real in a test. The emulator's own clock is
// moved on in-process (RunningEmulator.advanceClock: the run is never given
// a hook), and the wall clock of the verify process cannot be: the state's
// recorded instants are moved back by the same amount instead, which is
// what waiting does to them relative to "now".
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { TOKEN_EXPIRY_MS, formatInstant, parseState, verifyNotBefore } from '../../harness/run/expiry-state.ts';
import type { ExpiryState } from '../../harness/run/expiry-state.ts';
import type { Report } from '../../harness/types.ts';
import { NO_CLOCK_ADVICE } from '../../suites/scenarios/client-token.ts';
import { FAST, cli, fakeCredentials, total } from '../harness/real-target-helpers.ts';

const OPERATIONS = ['CreateEnvironmentTemplateVersion', 'CreateServiceTemplateVersion', 'CreateEnvironmentAccountConnection'];
const credentials = fakeCredentials('phases');
// Loopback, not treated as remote: no interlock.
const LOCAL = { PROTON_CONFORMANCE_TREAT_AS_REMOTE: '0' };
const run = (args: string[]) => cli(args, credentials, LOCAL);

let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, hooks: [], durations: FAST });
  dir = await mkdtemp(join(tmpdir(), 'pc-phases-'));
});

afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

async function report(path: string): Promise<Report> {
  return JSON.parse(await readFile(path, 'utf8')) as Report;
}

/** The state as if it had been recorded `ms` earlier. */
function aged(state: ExpiryState, ms: number): ExpiryState {
  const back = (iso: string): string => new Date(Date.parse(iso) - ms).toISOString();
  return {
    ...state,
    recordedAt: back(state.recordedAt),
    entries: state.entries.map((e) => ({
      ...e,
      original: { ...e.original, startedAt: back(e.original.startedAt), endedAt: back(e.original.endedAt) },
      retry: { ...e.retry, startedAt: back(e.retry.startedAt), endedAt: back(e.retry.endedAt) },
    })),
  };
}

describe('client-token/expiry in two phases, against a target without hooks', () => {
  it('record, verify too soon (refused), tampered (refused), verify 8 h later (new resources, nothing left)', {
    timeout: 120_000,
  }, async () => {
    expect(emulator.hooks).toEqual([]);
    const statePath = join(dir, 'state.json');

    // --phase record
    const recordJson = join(dir, 'record.json');
    const record = await run(['--endpoint', emulator.url, '--phase', 'record', '--state', statePath, '--json', recordJson]);
    expect(record.code, record.stderr + record.stdout).toBe(0);
    const text = await readFile(statePath, 'utf8');
    const state = parseState(text, statePath);
    expect(state.entries.map((e) => e.operation)).toEqual(OPERATIONS);
    expect(state.endpoint).toBe(emulator.url);
    expect(state.region).toBe('us-east-1');
    for (const entry of state.entries) {
      expect(entry.retry.returnedOriginal, entry.operation).toBe(true);
      expect(entry.input).not.toHaveProperty('clientToken');
      expect(JSON.stringify(entry.input)).toContain(`pc${state.runId}-`);
      expect(entry.input['tags']).toContainEqual({ key: 'proton-conformance:run', value: state.runId });
      expect(entry.cleanup.map((k) => k.arn)).toContain(entry.original.arn);
    }
    // No secret: neither credential, no signature, no header.
    for (const secret of [
      credentials.secretAccessKey,
      credentials.sessionToken,
      credentials.accessKeyId,
      'Signature',
      'Authorization',
      'X-Amz-Security-Token',
    ]) {
      expect(text.includes(secret), secret).toBe(false);
    }
    const recorded = await report(recordJson);
    const cells = recorded.results.filter((r) => r.rule === 'client-token/expiry');
    expect(cells.map((c) => c.verdict)).toEqual(['inconclusive', 'inconclusive', 'inconclusive']);
    for (const cell of cells)
      expect(cell.reason).toMatch(/^recorded for --phase verify: .* not before \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    // The cleanup left what the state names alone, and said so.
    const kept = state.entries.reduce((n, e) => n + e.cleanup.length, 0);
    expect(record.stdout).toContain(`cleanup: kept ${kept} resources of run ${state.runId} for --phase verify (listed in ${statePath}`);
    expect(record.stdout).toContain(`run --phase verify --state ${statePath} not before ${formatInstant(verifyNotBefore(state))}`);
    const afterRecord = emulator.counts();
    expect(total(afterRecord)).toBe(kept);

    // --phase verify right away: refused before any request, with the time.
    const soon = await run(['--phase', 'verify', '--state', statePath]);
    expect(soon.code).toBe(2);
    expect(soon.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(soon.stderr).toContain(
      `--phase verify: not before ${formatInstant(verifyNotBefore(state))}, 8 h after the latest original request`,
    );
    expect(emulator.counts()).toEqual(afterRecord);

    // Tampered state files: refused, naming the field.
    const tampered: Array<[string, (s: Record<string, any>) => void, RegExp]> = [
      [
        'a time that is no time',
        (s) => (s.entries[0].original.endedAt = 'yesterday'),
        /entries\[0\]\.original\.endedAt must match pattern/,
      ],
      ['a token removed', (s) => delete s.entries[1].token, /entries\[1\]\.token is missing/],
      [
        'a field added',
        (s) => (s.entries[2].original.secretAccessKey = 'x'),
        /entries\[2\]\.original\.secretAccessKey is not a field of the state file/,
      ],
      ['a token in the input', (s) => (s.entries[0].input.clientToken = 'x'), /entries\[0\]\.input must not carry clientToken/],
      [
        'an impossible date',
        (s) => (s.entries[0].original.startedAt = '2026-02-30T10:00:00.000Z'),
        /entries\[0\]\.original\.startedAt is not a real instant/,
      ],
      ['another version', (s) => (s.version = 2), /^proton-conformance: --state .*: version must be 1/],
    ];
    for (const [what, change, message] of tampered) {
      const copy = JSON.parse(text) as Record<string, any>;
      change(copy);
      const path = join(dir, 'tampered.json');
      await writeFile(path, JSON.stringify(copy));
      const refused = await run(['--phase', 'verify', '--state', path]);
      expect(refused.code, what).toBe(2);
      expect(refused.stderr.trimEnd().split('\n'), what).toHaveLength(1);
      expect(refused.stderr, what).toMatch(message);
    }
    expect(emulator.counts()).toEqual(afterRecord);

    // 8 h later (and a minute): the emulator's clock, and the state's instants relative to now.
    const later = TOKEN_EXPIRY_MS + 60_000;
    emulator.advanceClock(later);
    const agedPath = join(dir, 'state-aged.json');
    await writeFile(agedPath, JSON.stringify(aged(state, later)));
    const verifyJson = join(dir, 'verify.json');
    const verify = await run(['--phase', 'verify', '--state', agedPath, '--json', verifyJson]);
    expect(verify.code, verify.stderr + verify.stdout).toBe(0);
    const verified = await report(verifyJson);
    const results = verified.results.filter((r) => r.rule === 'client-token/expiry');
    expect(results.map((r) => [r.operation, r.verdict])).toEqual(OPERATIONS.map((op) => [op, 'pass']));
    for (const result of results)
      expect(result.reason).toMatch(
        new RegExp(
          /^A retry 8\.\d\d h after the original request \(run \w+, .*\) created .*; /.source +
            /the original .* is still there; a retry right away had returned the original/.source,
        ),
      );
    expect((verified as Report & { runId: string }).runId).toBe(state.runId);
    expect(verify.stdout).toMatch(new RegExp(`cleanup: removed \\d+ resources? of run ${state.runId} in [\\d.]+ s; nothing of it is left`));
    expect(total(emulator.counts())).toBe(0);
  });

  it('without the clock and without --phase: skipped, saying how to check it', { timeout: 60_000 }, async () => {
    const json = join(dir, 'skipped.json');
    const plain = await run(['--endpoint', emulator.url, '--rules', 'client-token/expiry', '--json', json]);
    expect(plain.code, plain.stderr).toBe(0);
    const results = (await report(json)).results.filter((r) => r.rule === 'client-token/expiry');
    expect(results.map((r) => r.verdict)).toEqual(['skipped', 'skipped', 'skipped']);
    for (const result of results) expect(result.reason).toBe(NO_CLOCK_ADVICE);
    expect(NO_CLOCK_ADVICE).toContain('no clock control: run --phase record, then --phase verify at least 8 hours later (docs/expiry.md)');
    expect(plain.stdout).toContain('no clock control: run --phase record');
  });

  it('refuses a phase on the embedded emulator, and flags that do not go together', { timeout: 60_000 }, async () => {
    const embedded = await run(['--phase', 'record', '--state', join(dir, 'never.json')]);
    expect(embedded.code).toBe(2);
    expect(embedded.stderr).toMatch(/--phase record needs a target that outlives this run/);
    for (const [args, message] of [
      [['--phase', 'record'], /--phase record needs --state FILE/],
      [['--state', 'x.json'], /--state FILE goes with --phase/],
      [['--phase', 'later', '--state', 'x.json'], /--phase: 'later' is not record or verify/],
      [['--phase', 'verify', '--state', 'x.json', '--operations', 'CreateServiceTemplateVersion'], /drop --operations/],
      [['--phase', 'verify', '--state', join(dir, 'missing.json')], /no such file/],
    ] as const) {
      const refused = await run([...args]);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr).toMatch(message);
    }
  });
});
