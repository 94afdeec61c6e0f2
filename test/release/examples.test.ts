// The CI examples run as written (issue 20): each example's own commands,
// read from its YAML, run the way the pipeline would (bash, the job's
// variables, one command per shard, then the merge, then the scheduled
// explorer) against the reference emulator reached as a non-loopback host
// (PROTON_CONFORMANCE_TREAT_AS_REMOTE=1, as the GitLab service alias
// `emulator` is): it answers the hooks protocol, so it needs no
// --allow-real-account. The emulator starts only once the first shard says
// it waits for it (--wait-for-target). `npx proton-conformance` is this
// checkout's CLI; building and installing the tarball the examples install
// is test/release/package.test.ts's (npm pack, npm install of the .tgz).
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startEmulator } from '../../emulator/index.ts';
import { closedPort } from '../support/fake-target.ts';
import { RULES } from '../../specs/rules.ts';
import { BIN, CLEAN_ENV } from '../support/spawn.ts';
import { ROOT } from './support.ts';

interface Step {
  run?: string;
  with?: Record<string, unknown>;
  uses?: string;
  if?: string;
}
interface GithubJob {
  env?: Record<string, string>;
  steps: Step[];
  strategy?: { matrix: { shard: number[] } };
  services?: Record<string, unknown>;
}
interface GitlabJob {
  script?: string[];
  parallel?: number;
  services?: unknown[];
  variables?: Record<string, string>;
  artifacts?: { when?: string; paths?: string[] };
  rules?: Array<{ if?: string }>;
}

/** The cells of the whole contract (rule × operation; the shape rule apart). */
const CELLS = RULES.filter((rule) => rule.checkedBy !== 'harness').reduce((total, rule) => total + rule.operations.length, 0);
const SUITE = /npx proton-conformance/;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command as a CI runner does (bash -e), telling `onStderr` what it printed so far. */
function shell(script: string, env: NodeJS.ProcessEnv, cwd: string, onStderr?: (text: string) => void): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-c', script], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function said(ran: Ran, script: string): string {
  return `${script}\nexit ${ran.code}\n--- stdout\n${ran.stdout.slice(-2500)}\n--- stderr\n${ran.stderr.slice(-2000)}`;
}

/** The example's service, started when the first shard waits for it; reached at `url`. */
class LateService {
  private started: Promise<{ close(): Promise<void> }> | undefined;
  private constructor(readonly port: number) {}
  static async reserve(): Promise<LateService> {
    return new LateService(await closedPort());
  }
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  /** Starts the emulator once `stderr` says the run waits (a gate on the run's own words). */
  onStderr = (stderr: string): void => {
    if (!this.started && /waiting up to 60 s for .* to answer \(--wait-for-target\)/.test(stderr))
      this.started = startEmulator({ port: this.port });
  };
  async close(): Promise<void> {
    await (await this.started)?.close();
  }
  get waitedFor(): boolean {
    return this.started !== undefined;
  }
}

let work = '';
const services: LateService[] = [];
afterAll(async () => {
  for (const service of services) await service.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A folder for one example's jobs, and a PATH whose `npx proton-conformance` is this checkout's CLI. */
async function workspace(name: string): Promise<{ dir: string; path: string }> {
  work ||= await mkdtemp(join(tmpdir(), 'pc-examples-'));
  const dir = join(work, name);
  const shims = join(dir, '.shims');
  await mkdir(shims, { recursive: true });
  const npx = join(shims, 'npx');
  await writeFile(
    npx,
    '#!/bin/sh\n' +
      `if [ "$1" = proton-conformance ]; then shift; exec "${process.execPath}" "${BIN}" "$@"; fi\n` +
      'echo "npx $1: not the suite" >&2; exit 127\n',
  );
  await chmod(npx, 0o755);
  return { dir, path: `${shims}:${process.env['PATH'] ?? ''}` };
}

/** Every `npm install` of the suite installs the tarball the pipeline built: the registry does not have it. */
function expectInstallsTheTarball(commands: readonly string[]): void {
  const installs = commands.filter((command) => /npm (install|i) /.test(command));
  expect(installs.length).toBeGreaterThan(0);
  for (const install of installs) expect(install).toMatch(/^npm install --no-save \.\/proton-conformance-\*\.tgz$/);
}

async function expectReports(dir: string, names: readonly string[]): Promise<void> {
  for (const name of names) expect((await stat(join(dir, name))).size, name).toBeGreaterThan(0);
}

async function verdictOf(file: string): Promise<{ verdict: string; cells: number; endpoint: string; seed: number | undefined }> {
  const report = JSON.parse(await readFile(file, 'utf8')) as {
    verdict: string;
    results: Array<{ rule: string }>;
    target: { endpoint: string };
    seed?: number;
  };
  const cells = report.results.filter((result) => result.rule !== 'shape/responses-match-model').length;
  return { verdict: report.verdict, cells, endpoint: report.target.endpoint, seed: report.seed };
}

/** The bundle a certified run left (docs/certification.md): its files, the target it names, and the report's seed. */
async function expectBundle(dir: string, target: { endpoint: string; name: string; version: string }, seed: number): Promise<void> {
  await expectReports(dir, ['report.json', 'junit.xml', 'console.log', 'target.json', 'versions.json', 'SHA256SUMS']);
  expect(JSON.parse(await readFile(join(dir, 'target.json'), 'utf8'))).toEqual(target);
  expect(await verdictOf(join(dir, 'report.json'))).toMatchObject({ verdict: 'pass', cells: CELLS, seed });
}

/** A certified run's commands: the run with --certify DIR, then verify DIR; DIR as both name it. */
function certifyCommands(commands: readonly string[]): string {
  expect(commands).toHaveLength(2);
  const dir = /--certify (\S+)/.exec(commands[0]!)?.[1];
  expect(dir, commands[0]).toBeDefined();
  expect(commands[1]!.trim()).toBe(`npx proton-conformance verify ${dir}`);
  return dir!;
}

describe('examples/github/proton-conformance.yml', () => {
  it('runs as written: shards with the gate seed, merge, HTML and JUnit; the explorer reports', { timeout: 900_000 }, async () => {
    const workflow = parse(await readFile(join(ROOT, 'examples/github/proton-conformance.yml'), 'utf8')) as {
      env: Record<string, string>;
      on: Record<string, unknown>;
      jobs: Record<string, GithubJob>;
    };
    const { suite, shard, verdict, certify, explore } = workflow.jobs;
    expect(suite && shard && verdict && certify && explore).toBeTruthy();
    // The suite is built from its source at a pinned commit, into a tarball every job installs.
    expect(workflow.env['SUITE_REF']).toMatch(/^[0-9a-f]{40}$/);
    expect(suite!.steps.map((step) => step.run ?? '').join('\n')).toMatch(/npm ci && npm pack/);
    expectInstallsTheTarball(
      [shard!, verdict!, certify!, explore!].flatMap((job) => job.steps.flatMap((step) => (step.run ? [step.run.trim()] : []))),
    );
    expect(Object.keys(workflow.on)).toContain('schedule');
    expect(shard!.services).toBeDefined();

    const service = await LateService.reserve();
    services.push(service);
    const { dir, path } = await workspace('github');
    const summary = join(dir, 'step-summary.md');
    await writeFile(summary, '');
    const env = (job: GithubJob): NodeJS.ProcessEnv => ({
      ...CLEAN_ENV,
      PATH: path,
      ...workflow.env,
      ...job.env,
      GITHUB_STEP_SUMMARY: summary,
      PROTON_CONFORMANCE_TREAT_AS_REMOTE: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      NO_COLOR: '1',
    });
    const commands = (job: GithubJob, values: Record<string, string>): string[] =>
      job.steps
        .filter((step) => step.run && SUITE.test(step.run))
        .map((step) => {
          const text = step.run!.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (whole, name: string) => {
            if (!(name in values)) throw new Error(`the test does not know ${whole}`);
            return values[name]!;
          });
          return text.replaceAll('http://127.0.0.1:4566', service.url);
        });
    const command = (job: GithubJob, values: Record<string, string>): string => {
      const found = commands(job, values);
      expect(found).toHaveLength(1);
      return found[0]!;
    };

    const shards = shard!.strategy!.matrix.shard;
    expect(shards).toEqual([1, 2, 3]);
    for (const index of shards) {
      const script = command(shard!, { 'matrix.shard': String(index) });
      const ran = await shell(script, env(shard!), dir, service.onStderr);
      expect(ran.code, said(ran, script)).toBe(0);
      expect(ran.stdout, said(ran, script)).toMatch(/^PASS /m);
      // Not loopback, and yet no --allow-real-account: the hooks protocol makes it an emulator.
      expect(ran.stdout, said(ran, script)).toMatch(/an emulator: it answers the hooks protocol/);
    }
    expect(service.waitedFor).toBe(true);
    // A shard writes no step summary: merge writes the one summary.
    expect(await readFile(summary, 'utf8')).toBe('');

    const merge = command(verdict!, {});
    const merged = await shell(merge, env(verdict!), dir);
    expect(merged.code, said(merged, merge)).toBe(0);
    await expectReports(dir, ['conformance.json', 'conformance.xml', 'conformance.html']);
    const report = await verdictOf(join(dir, 'conformance.json'));
    expect(report).toMatchObject({ verdict: 'pass', cells: CELLS, endpoint: service.url, seed: Number(workflow.env['GATE_SEED']) });
    expect(await readFile(summary, 'utf8')).toMatch(/PASS/);

    // The certified run: the whole contract in one run, its bundle verified, and kept as an artifact.
    const sha = '0123456789abcdef0123456789abcdef01234567';
    const [certified, verifying] = commands(certify!, { 'github.sha': sha });
    const bundle = certifyCommands([certified!, verifying!]);
    const upload = certify!.steps.find((step) => step.uses?.startsWith('actions/upload-artifact'));
    expect(upload?.if).toBe('always()');
    expect(String(upload?.with?.['path']).replace(/\/$/, '')).toBe(bundle);
    const ranCertified = await shell(certified!, env(certify!), dir);
    expect(ranCertified.code, said(ranCertified, certified!)).toBe(0);
    await expectBundle(
      join(dir, bundle),
      { endpoint: service.url, name: 'your-proton-emulator', version: sha },
      Number(workflow.env['GATE_SEED']),
    );
    const verified = await shell(verifying!, env(certify!), dir);
    expect(verified.code, said(verified, verifying!)).toBe(0);
    expect(verified.stdout).toBe('CONFORMANT\n');

    const exploring = command(explore!, { 'github.run_number': '41' });
    const explored = await shell(exploring, env(explore!), dir);
    expect(explored.code, said(explored, exploring)).toBe(0);
    await expectReports(dir, ['explore.json', 'explore.xml', 'explore.html']);
    expect(await verdictOf(join(dir, 'explore.json'))).toMatchObject({ cells: CELLS, seed: 41 });
  });
});

describe('examples/gitlab/.gitlab-ci.yml', () => {
  it('runs as written against http://emulator:4566, a non-loopback host, with no --allow-real-account', { timeout: 900_000 }, async () => {
    const pipeline = parse(await readFile(join(ROOT, 'examples/gitlab/.gitlab-ci.yml'), 'utf8')) as Record<string, GitlabJob> & {
      variables: Record<string, string>;
    };
    const { suite, conformance, verdict, certify, explore } = pipeline;
    expect(suite && conformance && verdict && certify && explore).toBeTruthy();
    expect(pipeline.variables['SUITE_REF']).toMatch(/^[0-9a-f]{40}$/);
    expect(suite!.script!.join('\n')).toMatch(/npm ci && npm pack/);
    expectInstallsTheTarball([conformance!, verdict!, certify!, explore!].flatMap((job) => job.script ?? []));
    expect(conformance!.services).toBeDefined();

    const service = await LateService.reserve();
    services.push(service);
    const { dir, path } = await workspace('gitlab');
    const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
      ...CLEAN_ENV,
      PATH: path,
      ...pipeline.variables,
      ...extra,
      PROTON_CONFORMANCE_TREAT_AS_REMOTE: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      NO_COLOR: '1',
    });
    const commands = (job: GitlabJob): string[] =>
      (job.script ?? []).filter((line) => SUITE.test(line)).map((line) => line.replaceAll('http://emulator:4566', service.url));
    const command = (job: GitlabJob): string => {
      const found = commands(job);
      expect(found).toHaveLength(1);
      return found[0]!;
    };

    const total = conformance!.parallel!;
    expect(total).toBe(3);
    for (let index = 1; index <= total; index++) {
      const script = command(conformance!);
      const ran = await shell(script, env({ CI_NODE_INDEX: String(index), CI_NODE_TOTAL: String(total) }), dir, service.onStderr);
      expect(ran.code, said(ran, script)).toBe(0);
      expect(ran.stdout, said(ran, script)).toMatch(/^PASS /m);
      // Not loopback, and yet no --allow-real-account: the hooks protocol makes it an emulator.
      expect(ran.stdout, said(ran, script)).toMatch(/an emulator: it answers the hooks protocol/);
      expect(ran.stdout).not.toMatch(/allow-real-account/);
    }
    expect(service.waitedFor).toBe(true);

    const merge = command(verdict!);
    const merged = await shell(merge, env({}), dir);
    expect(merged.code, said(merged, merge)).toBe(0);
    await expectReports(dir, ['conformance.json', 'conformance.xml', 'conformance.html', 'conformance.md']);
    expect(await verdictOf(join(dir, 'conformance.json'))).toMatchObject({
      verdict: 'pass',
      cells: CELLS,
      endpoint: service.url,
      seed: Number(pipeline.variables['GATE_SEED']),
    });

    // The certified run: the whole contract in one run, its bundle verified, and kept as an artifact either way.
    const [certified, verifying] = commands(certify!);
    const bundle = certifyCommands([certified!, verifying!]);
    expect(certify!.artifacts).toEqual({ when: 'always', paths: [`${bundle}/`] });
    expect(certify!.rules?.[0]?.if).toContain('$CI_DEFAULT_BRANCH');
    const sha = '0123456789abcdef0123456789abcdef01234567';
    const ranCertified = await shell(certified!, env({ CI_COMMIT_SHA: sha }), dir);
    expect(ranCertified.code, said(ranCertified, certified!)).toBe(0);
    await expectBundle(
      join(dir, bundle),
      { endpoint: service.url, name: 'your-proton-emulator', version: sha },
      Number(pipeline.variables['GATE_SEED']),
    );
    const verified = await shell(verifying!, env({}), dir);
    expect(verified.code, said(verified, verifying!)).toBe(0);
    expect(verified.stdout).toBe('CONFORMANT\n');

    const exploring = command(explore!);
    const explored = await shell(exploring, env({ CI_PIPELINE_IID: '41' }), dir);
    expect(explored.code, said(explored, exploring)).toBe(0);
    await expectReports(dir, ['explore.json', 'explore.xml', 'explore.html', 'explore.md']);
    expect(await verdictOf(join(dir, 'explore.json'))).toMatchObject({ cells: CELLS, seed: 41 });
  });
});
