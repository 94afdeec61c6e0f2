// `proton-conformance parity` as a process (cli/parity.ts): exit codes, the
// console's differences per operation, the JSON and HTML files. The
// comparison itself is tested in-process in test/parity/parity.test.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusOperations } from '../../parity/corpus.ts';
import { runCliProcess } from '../support/spawn.ts';

async function spawnEmulator(args: readonly string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', '--port', '0', ...args], {
    cwd: new URL('../..', import.meta.url),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const banner = (await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next()).value as string | undefined;
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner ?? '')?.[1];
  if (url === undefined) throw new Error(`npm run emulator did not start: ${banner}`);
  return { url, child };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

interface JsonReport {
  differences: Array<{ operation: string; path: string; reference: unknown; candidate: unknown; sequence: string; step: number }>;
  corpus: { operations: number; sequences: number; requests: number };
  wallMs: number;
}

describe('proton-conformance parity (the CLI as a process)', () => {
  let plain: { url: string; child: ChildProcess } | undefined;
  let reworded: { url: string; child: ChildProcess } | undefined;
  let dir = '';

  beforeAll(async () => {
    [plain, reworded] = await Promise.all([spawnEmulator([]), spawnEmulator(['--variant', 'reworded-errors'])]);
    dir = await mkdtemp(join(tmpdir(), 'pc-parity-cli-'));
  });
  afterAll(async () => {
    await Promise.all([stop(plain?.child), stop(reworded?.child)]);
    await rm(dir, { recursive: true, force: true });
  });

  it('embedded against npm run emulator: 0 differences, exit 0; the corpus size and wall time in the JSON', async () => {
    const json = join(dir, 'same.json');
    const html = join(dir, 'same.html');
    const ran = await runCliProcess(['parity', '--reference', 'embedded', '--candidate', plain!.url, '--json', json, '--html', html]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/^0 differences; corpus: \d+ operations, \d+ sequences, \d+ requests; /m);
    const report = JSON.parse(await readFile(json, 'utf8')) as JsonReport;
    expect(report.differences).toEqual([]);
    expect(report.corpus.operations).toBe(corpusOperations().length);
    expect(report.wallMs).toBeGreaterThan(0);
    expect(await readFile(html, 'utf8')).toContain('<title>proton-conformance parity: PASS</title>');
  });

  it('against --variant reworded-errors: differences on message paths only, per operation, exit 1', async () => {
    const json = join(dir, 'reworded.json');
    const ran = await runCliProcess(['parity', '--reference', 'embedded', '--candidate', reworded!.url, '--json', json, '--quiet']);
    expect(ran.code, ran.stderr).toBe(1);
    const report = JSON.parse(await readFile(json, 'utf8')) as JsonReport;
    expect(report.differences.length).toBeGreaterThan(0);
    expect(new Set(report.differences.map((d) => d.path))).toEqual(new Set(['$.body.message']));
    for (const difference of report.differences) {
      expect(Object.keys(difference).sort()).toEqual(['candidate', 'operation', 'path', 'reference', 'sequence', 'step']);
      expect(ran.stdout).toContain(`✗ ${difference.operation}\n`);
      expect(ran.stdout).toContain(difference.sequence);
    }
    expect(ran.stderr).toBe('');
  });

  it('--ignore of the message path: exit 0', async () => {
    const ran = await runCliProcess([
      'parity',
      '--reference',
      'embedded',
      '--candidate',
      reworded!.url,
      '--ignore',
      '$.body.message',
      '--quiet',
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/^0 differences, \d+ ignored; /m);
  });

  it('exit 2 on a usage error, 3 on an endpoint that does not answer', async () => {
    const usage = await runCliProcess(['parity', '--candidate', plain!.url]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^proton-conformance: parity: give --reference/);
    const badPath = await runCliProcess(['parity', '--reference', 'embedded', '--candidate', plain!.url, '--ignore', 'body.message']);
    expect(badPath.code).toBe(2);
    const closed = await runCliProcess(['parity', '--reference', 'embedded', '--candidate', 'http://127.0.0.1:1']);
    expect(closed.code).toBe(3);
    expect(closed.stderr).toMatch(/unreachable/);
  });
});
