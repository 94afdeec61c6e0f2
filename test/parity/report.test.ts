// The parity report's text, JSON and HTML (parity/report.ts), and reading a
// snapshot directory (parity/snapshot.ts), on hand-made data.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../harness/errors.ts';
import { type ParityReport, renderHtml, renderJson, renderText } from '../../parity/report.ts';
import { readSnapshot, SNAPSHOT_FORMAT, snapshotName, writeSnapshot } from '../../parity/snapshot.ts';

function report(overrides: Partial<ParityReport> = {}): ParityReport {
  return {
    tool: { name: 'proton-conformance', version: '0.0.0' },
    startedAt: '2026-12-07T00:00:00.000Z',
    reference: 'embedded',
    candidate: 'http://127.0.0.1:4566',
    seed: 1,
    mode: 'clock',
    corpus: { operations: 3, sequences: 2, requests: 9 },
    requestsSent: { reference: 20, candidate: 21 },
    wallMs: 1500,
    differences: [
      { operation: 'GetEnvironment', path: '$.body.environment.name', reference: 'e', candidate: undefined, sequence: 's/1', step: 1 },
      { operation: 'GetEnvironment', path: '$.body.environment.name', reference: 'f', candidate: undefined, sequence: 's/2', step: 0 },
      { operation: 'CreateEnvironment', path: '$.errorType', reference: 'a#X', candidate: '<b>#X', sequence: 's/1', step: 0 },
    ],
    ignored: { paths: [], differences: 0 },
    unjudged: [],
    skipped: [],
    unsettled: [],
    ...overrides,
  };
}

describe('the parity report', () => {
  it('prints the differences per operation (sorted), then per path, with both values, the sequence and the step', () => {
    const text = renderText(report());
    expect(text.indexOf('✗ CreateEnvironment')).toBeLessThan(text.indexOf('✗ GetEnvironment'));
    expect(text).toContain('    $.body.environment.name  (2)\n        reference "e"  candidate (absent)\n        in s/1 step 2\n');
    expect(text).toContain('        in s/2 step 1\n');
    expect(text).toMatch(/^3 differences; corpus: 3 operations, 2 sequences, 9 requests; 1\.5 s \(clock mode\)$/m);
  });

  it('writes an absent value as null in the JSON, and escapes the HTML', () => {
    const json = JSON.parse(renderJson(report())) as { differences: Array<Record<string, unknown>> };
    expect(json.differences[0]).toEqual({
      operation: 'GetEnvironment',
      path: '$.body.environment.name',
      reference: 'e',
      candidate: null,
      sequence: 's/1',
      step: 1,
    });
    const html = renderHtml(report());
    expect(html).toContain('<title>proton-conformance parity: FAIL</title>');
    expect(html).toContain('&quot;&lt;b&gt;#X&quot;');
    expect(html).not.toContain('<b>#X');
    expect(renderHtml(report({ differences: [] }))).toContain('<p>No differences.</p>');
  });

  it('says what was not compared, not sent, and ignored', () => {
    const text = renderText(
      report({
        differences: [],
        ignored: { paths: ['$.body.message'], differences: 4 },
        unjudged: [{ operation: 'GetEnvironment', sequence: 's/1', step: 2, reason: 'candidate: throttle (HTTP 429) after 8 attempts' }],
        skipped: [{ sequence: 's/3', reason: 'the candidate lacks the accounts hook' }],
      }),
    );
    expect(text).toContain('✓ no differences');
    expect(text).toContain('GetEnvironment in s/1 step 3: candidate: throttle (HTTP 429) after 8 attempts');
    expect(text).toContain('s/3: the candidate lacks the accounts hook');
    expect(text).toMatch(/^0 differences, 4 ignored; /m);
  });
});

describe('snapshots on disk', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pc-parity-snap-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one file per sequence and reads it back, absent members absent again', async () => {
    const sequence = { id: 'environment/paging', operations: ['GetEnvironment'], steps: [], cleanup: [] };
    await writeSnapshot(dir, [
      {
        format: SNAPSHOT_FORMAT,
        suiteVersion: '0.0.0',
        recordedAt: '2026-12-07T00:00:00.000Z',
        reference: 'embedded',
        seed: 1,
        clock: true,
        sequence,
        answers: [{ answer: { status: 200, body: {} } }, { weather: 'throttle' }],
      },
    ]);
    expect(snapshotName(sequence.id)).toBe('environment__paging.json');
    const [file] = await readSnapshot(dir);
    expect(file!.answers).toEqual([{ answer: { status: 200, body: {} } }, { weather: 'throttle' }]);
    expect(file!.sequence).toEqual(sequence);
  });

  it('refuses a missing directory, an empty one, and a file that is not a snapshot, as usage errors', async () => {
    await expect(readSnapshot(join(dir, 'nope'))).rejects.toThrow(UsageError);
    await expect(readSnapshot(dir)).rejects.toThrow(/no snapshot files/);
    await writeFile(join(dir, 'x.json'), '{"format": "something else"}');
    await expect(readSnapshot(dir)).rejects.toThrow(/x\.json is not a parity snapshot/);
    await writeFile(join(dir, 'x.json'), '{');
    await expect(readSnapshot(dir)).rejects.toThrow(/x\.json is not JSON/);
  });
});
