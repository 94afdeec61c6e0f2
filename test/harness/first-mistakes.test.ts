// Issue 12: what a new user trips over, as a user meets it (the CLI spawned
// through the bin shim): the wrong target, a closed pipe, a folder for
// --json, a timeout, flags, a loopback endpoint's defaults, counts after an
// interrupt, property failures that name one token, printed commands.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsError, startFakeTarget } from '../support/fake-target.ts';
import { BIN, ONE_CELL, runCliProcess, runProcess } from '../support/spawn.ts';
import type { FakeTarget } from '../support/fake-target.ts';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';

const CREDS = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEFIRST0001', AWS_SECRET_ACCESS_KEY: 'firstMistakesSecret0123456789abcdefghijk' };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface CliOptions {
  env?: NodeJS.ProcessEnv;
  /** Close the child's stdout at once (`| head -0`). */
  closeStdout?: boolean;
  /** Called with the child once its stdout has this text. */
  onStdout?: { text: RegExp; act: (child: import('node:child_process').ChildProcess) => void };
}

function cli(args: string[], options: CliOptions = {}): Promise<Run> {
  let fired = false;
  const { onStdout } = options;
  return runCliProcess(
    args,
    { AWS_EC2_METADATA_DISABLED: 'true', ...options.env },
    {
      closeStdout: options.closeStdout === true,
      onStdout: (stdout, child) => {
        if (onStdout && !fired && onStdout.text.test(stdout)) {
          fired = true;
          onStdout.act(child);
        }
      },
    },
  );
}

/** One rule on one operation of the case-insensitive target, seed 7: it fails with a shrunk case. */
const caseSensitiveRun = (): string[] => [
  '--endpoint',
  caseInsensitive.url,
  '--rules',
  'client-token/case-sensitive',
  '--operations',
  'CreateEnvironmentTemplateVersion',
  '--seed',
  '7',
];

function expectOneLine(run: Run, pattern: RegExp): void {
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

let web: Server;
let webUrl: string;
let denied: FakeTarget;
let emulator: RunningEmulator;
let caseInsensitive: RunningEmulator;
let dir: string;

beforeAll(async () => {
  // A plain web server (python3 -m http.server): HTML for anything.
  web = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(req.method === 'POST' ? 501 : 200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><body>Directory listing</body></html>');
    });
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  denied = await startFakeTarget({
    proton: () => awsError(400, 'UnrecognizedClientException', 'The security token included in the request is invalid.'),
  });
  emulator = await startEmulator({ port: 0 });
  caseInsensitive = await startEmulator({ port: 0, faults: ['token-case-insensitive'] });
  dir = await mkdtemp(join(tmpdir(), 'pc-first-'));
});

afterAll(async () => {
  await new Promise<void>((resolve) => web.close(() => resolve()));
  await denied.close();
  await emulator.close();
  await caseInsensitive.close();
  await rm(dir, { recursive: true, force: true });
});

describe('12.1 a target that never spoke the protocol gets no verdict', () => {
  it('a plain web server: exit 3, one line naming the status and content type', async () => {
    const run = await cli(['--endpoint', webUrl], { env: CREDS });
    expect(run.code, run.stderr).toBe(3);
    expectOneLine(
      run,
      new RegExp(
        /^proton-conformance: target http:\/\/127\.0\.0\.1:\d+ is not a Proton endpoint:/.source +
          / ListEnvironmentTemplates answered HTTP 501 text\/html/.source,
      ),
    );
    expect(run.stdout).toBe('');
  });

  it('an endpoint with a path: exit 2, a configuration error naming the path, with or without credentials', async () => {
    for (const env of [CREDS, {}]) {
      const run = await cli(['--endpoint', `${emulator.url}/some/path`], { env });
      expect(run.code, run.stderr).toBe(2);
      expectOneLine(run, /^proton-conformance: --endpoint: '.*\/some\/path' has a path \(\/some\/path\); give the endpoint without one/);
    }
  });

  it('an endpoint that refuses the credentials: exit 2 naming the error', async () => {
    const run = await cli(['--endpoint', denied.url], { env: CREDS });
    expect(run.code, run.stderr).toBe(2);
    expectOneLine(
      run,
      /^proton-conformance: .*refused the credentials: ListEnvironmentTemplates answered HTTP 400 UnrecognizedClientException/,
    );
  });
});

describe('12.2 a closed pipe', () => {
  it('stops writing to the console, finishes, writes the report and exits with the run code', async () => {
    const json = join(dir, 'piped.json');
    const run = await cli([...ONE_CELL, '--num-runs', '2', '--json', json], { closeStdout: true });
    expect(run.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as { summary: { pass: number } };
    expect(report.summary.pass).toBeGreaterThan(0);
  });
});

describe('12.3 --json naming a folder', () => {
  it('exit 2 before any request, no temporary file left', async () => {
    const folder = join(dir, 'a-folder');
    await mkdir(folder);
    const run = await cli(['--json', folder]);
    expect(run.code).toBe(2);
    expectOneLine(run, /^proton-conformance: --json: .*a-folder is a directory/);
    expect(run.stdout).toBe('');
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('12.4 a timeout is not a violation', () => {
  it('a timed-out cell is inconclusive with the time it ran; its rerun carries --cell-timeout and --num-runs', async () => {
    const json = join(dir, 'timeout.json');
    const run = await cli([
      '--rules',
      'client-token/case-sensitive',
      '--operations',
      'CreateEnvironmentTemplateVersion',
      '--cell-timeout',
      '0.2',
      '--num-runs',
      '50',
      '--seed',
      '4',
      '--json',
      json,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as { results: Array<{ verdict: string; reason: string; rerun?: string }> };
    const cell = report.results.find((r) => r.reason.includes('did not finish'));
    expect(cell?.verdict).toBe('inconclusive');
    expect(cell?.reason).toMatch(/did not finish within 200 ms \(it ran \d+ ms/);
    expect(cell?.rerun).toMatch(/--seed 4 .*--num-runs 50 .*--cell-timeout 0\.2/);
    expect(cell?.rerun).not.toMatch(/npx/);
  });
});

describe('12.5 flags', () => {
  it('negative numbers name the flag and its range', async () => {
    for (const [flag, value, range] of [
      ['--num-runs', '-1', '1 to 1000000'],
      ['--concurrency', '-3', '1 to 256'],
    ]) {
      const run = await cli([flag!, value!]);
      expect(run.code).toBe(2);
      expectOneLine(run, new RegExp(`^proton-conformance: ${flag}: ${value} is out of range \\(${range}\\)$`));
    }
  });

  it('a negative seed is accepted as printed (--seed -5), and printed back so', async () => {
    const run = await cli(['--seed', '-5', ...ONE_CELL, '--num-runs', '1']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('seed -5 (--seed -5 repeats this run)');
  });

  it('a repeated single-value flag is refused', async () => {
    const run = await cli(['--seed', '1', '--seed=2']);
    expect(run.code).toBe(2);
    expectOneLine(run, /^proton-conformance: --seed is given twice \(1, then 2\): give it once$/);
  });

  it('--path is refused for a scenario rule and for a path that names no case', async () => {
    const scenario = await cli([
      '--seed',
      '1',
      '--path',
      '0',
      '--rules',
      'client-token/retry-after-delete',
      '--operations',
      'CreateEnvironmentTemplateVersion',
    ]);
    expect(scenario.code).toBe(2);
    expectOneLine(scenario, /^proton-conformance: --path: client-token\/retry-after-delete is checked by scenarios only/);
    // A shrink index past the failing case's shrinks.
    const missing = await cli([
      '--endpoint',
      caseInsensitive.url,
      '--seed',
      '1',
      '--path',
      '0:999:999',
      '--rules',
      'client-token/case-sensitive',
      '--operations',
      'CreateEnvironmentTemplateVersion',
    ]);
    expect(missing.code, missing.stdout).toBe(2);
    expect(missing.stderr).toMatch(
      new RegExp(
        /^proton-conformance: --path 0:999:999 names no case of client-token\/case-sensitive/.source +
          / on CreateEnvironmentTemplateVersion with seed 1/.source,
        'm',
      ),
    );
  });

  it("the emulator's --port -1 is one line naming the range", async () => {
    const emulatorCli = fileURLToPath(new URL('../../emulator/cli.ts', import.meta.url));
    const run = await runProcess(process.execPath, ['--import', 'tsx', emulatorCli, '--port', '-1'], { env: process.env });
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toEqual(['proton-emulator: --port: -1 is out of range (0 to 65535)']);
  });
});

describe('12.6 a loopback endpoint', () => {
  it('gets the local defaults, printed in the header', async () => {
    const run = await cli(['--endpoint', emulator.url, ...ONE_CELL, '--num-runs', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/concurrency 12, cell timeout 60 s/);
  });
});

describe('12.7 one way of counting', () => {
  it('the header and the summary count the same cells', async () => {
    const run = await cli([...ONE_CELL, '--num-runs', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/ runs per property, 1 cell$/m);
    expect(run.stdout).toMatch(
      /^PASS \(every MUST cell passed\): 1 of 1 cell run \(1 pass, 0 fail, 0 warn, 0 inconclusive, 0 skipped\); \d+ requests/m,
    );
    expect(run.stderr).toMatch(/^proton-conformance: 1 of 1 cell run, \d+ requests/m);
    // With the shape rule: the header and the summary name it apart from the cells.
    const shaped = await cli([
      '--rules',
      'client-token/format,shape/*',
      '--operations',
      'CreateEnvironmentTemplateVersion',
      '--num-runs',
      '2',
    ]);
    expect(shaped.stdout).toMatch(/ 1 cell \(plus shape\/responses-match-model on every operation it calls\)$/m);
    expect(shaped.stdout).toMatch(
      new RegExp(
        /^PASS \(every MUST cell passed\): 1 of 1 cell run \(1 pass, 0 fail, 0 warn, 0 inconclusive, 0 skipped\)/.source +
          /; shape\/responses-match-model on \d+ operations? \(\d+ pass\)/.source,
        'm',
      ),
    );
    expect(run.stdout).not.toMatch(/\b1 cells\b|\b1 runs\b/);
  });

  it('after an interrupt: cells finished, interrupted and not run add up, on stdout and stderr alike', async () => {
    const run = await cli([], { onStdout: { text: /cells \(plus/, act: (child) => setTimeout(() => child.kill('SIGINT'), 1500) } });
    expect(run.code, run.stderr).toBe(130);
    const summary = /^INTERRUPTED: (\d+) of (\d+) cells run \([^)]*\), (\d+) interrupted, (\d+) not run/m.exec(run.stdout);
    expect(summary, run.stdout.slice(-500)).not.toBeNull();
    const [, finished, total, interrupted, notRun] = summary!.map(Number);
    expect(finished! + interrupted! + notRun!).toBe(total);
    expect(interrupted).toBeGreaterThan(0);
    expect(run.stderr).toContain(`${finished} of ${total} cells run, ${interrupted} interrupted, ${notRun} not run`);
  });
});

describe('12.8 a shrunk property failure names one case', () => {
  it('the message, the counterexample and the evidence name the same tokens', async () => {
    const json = join(dir, 'case.json');
    const run = await cli([...caseSensitiveRun(), '--json', json]);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(await readFile(json, 'utf8')) as {
      results: Array<{ verdict: string; reason: string; evidence: Array<{ request: { body: { clientToken?: string } } }> }>;
    };
    const cell = report.results.find((r) => r.verdict === 'fail')!;
    const sent = new Set(cell.evidence.map((e) => e.request.body.clientToken).filter((t) => t !== undefined));
    const [message, counterexample] = cell.reason.split(' Counterexample ') as [string, string];
    // The message quotes the tokens the evidence sent (salted: they end in 12 digits).
    const quoted = [...message.matchAll(/"([^"\s]*\d{12})"/g)].map((m) => m[1]);
    expect(quoted.length).toBeGreaterThan(0);
    for (const token of quoted) expect(sent, `${token} in ${cell.reason}`).toContain(token);
    // The counterexample says how its generated token was sent: as the evidence shows it.
    expect(counterexample).toMatch(/^\(after \d+ runs?, \d+ shrinks?\): .*; sent as "/);
    const sentAs = [...counterexample.matchAll(/"([^"\s]+)" for "/g)].map((m) => m[1]);
    expect(sentAs.length).toBeGreaterThan(0);
    for (const token of sentAs) expect(sent, `${token} in ${cell.reason}`).toContain(token);
    expect(run.stdout).not.toMatch(/the JSON report keeps the latest/);
  });
});

describe('12.11 printed commands run this installation', () => {
  it('rerun and replay commands start with the path that was used, never npx', async () => {
    const run = await cli([...caseSensitiveRun(), '--num-runs', '30', '--cell-timeout', '45']);
    expect(run.code, run.stderr).toBe(1);
    const commands = [...run.stdout.matchAll(/^ {4}(?:replay|rerun): {1,2}(.*)$/gm)].map((m) => m[1]!);
    expect(commands).toHaveLength(2);
    for (const command of commands) {
      expect(command.startsWith(`${BIN} `)).toBe(true);
      expect(command).toContain(`--endpoint ${caseInsensitive.url}`);
      expect(command).toContain('--cell-timeout 45');
    }
  });
});
