// Region and profile as the AWS CLI judges them (issue 20, item 10): with no
// region `--endpoint aws` is exit 2, as are a region that is not one and a
// profile no file holds, each with one line; never a silent us-east-1. Only
// an emulator's run may go on without a region, and its header says so.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../cli/main.ts';
import { runEngine } from '../../harness/engine/engine.ts';
import type { RunRequest } from '../../harness/engine/engine.ts';
import { UsageError } from '../../harness/errors.ts';
import { runConformance } from '../../library/api.ts';
import { loadCatalog } from '../../suites/catalog.ts';

let dir: string;
let files = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pc-region-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** The chain's environment with no region and shared files of this test's own (fresh paths: the SDK caches files by path). */
async function isolate(config = '', credentials = ''): Promise<void> {
  files++;
  const configFile = join(dir, `config-${files}`);
  const credentialsFile = join(dir, `credentials-${files}`);
  await writeFile(configFile, config);
  await writeFile(credentialsFile, credentials);
  for (const name of [
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'AWS_PROFILE',
    'AWS_DEFAULT_PROFILE',
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_PROTON',
  ])
    vi.stubEnv(name, undefined);
  vi.stubEnv('AWS_CONFIG_FILE', configFile);
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', credentialsFile);
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
}

const SMALL = { rules: 'idempotent-delete/retry-succeeds', operations: 'DeleteEnvironmentTemplate', numRuns: 1, seed: 4, env: {} };

/** The header of a run against the embedded emulator. */
async function header(): Promise<string> {
  const lines: string[] = [];
  const request: RunRequest = { ...SMALL, allowRealAccount: false, numRunsGiven: true, strictExpectations: false };
  const { exitCode } = await runEngine(request, { catalog: loadCatalog(), sink: { out: { write: (text: string) => lines.push(text) } } });
  expect(exitCode).toBe(0);
  return lines.join('').split('\n')[0]!;
}

describe('region', () => {
  it('--endpoint aws with no region: exit 2, one line, before anything is sent', async () => {
    await isolate();
    await expect(runConformance({ ...SMALL, endpoint: 'aws', allowRealAccount: true, bundleBucket: 'my-bundles' })).rejects.toThrow(
      new UsageError(
        '--endpoint aws needs a region (the AWS endpoint is per region): set AWS_REGION, or a region in the profile (aws configure)',
      ),
    );
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((text) => stderr.push(String(text)) > 0);
    expect(await runCli(['--endpoint', 'aws', '--allow-real-account'])).toBe(2);
    expect(stderr.join('').trimEnd().split('\n')).toEqual([
      'proton-conformance: --endpoint aws needs a region (the AWS endpoint is per region): set AWS_REGION, or a region in the profile ' +
        '(aws configure)',
    ]);
  });

  it('a region that is not one: exit 2, one line naming it', async () => {
    await isolate();
    vi.stubEnv('AWS_REGION', 'not a region');
    await expect(runConformance(SMALL)).rejects.toThrow(
      new UsageError("region: 'not a region' is not a valid AWS region name (from AWS_REGION, AWS_DEFAULT_REGION or the profile)"),
    );
  });

  it('against an emulator the suite may default to us-east-1, and the header says so', async () => {
    await isolate();
    expect(await header()).toMatch(/; region us-east-1, none configured: the default for an emulator\)$/);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    expect(await header()).toMatch(/; region eu-west-1\)$/);
  });
});

describe('profile', () => {
  it('a profile no file holds: exit 2, one line naming it and the files', async () => {
    await isolate('[profile other]\nregion = eu-west-1\n');
    vi.stubEnv('AWS_PROFILE', 'nope');
    await expect(runConformance(SMALL)).rejects.toThrow(
      new UsageError(
        `AWS_PROFILE: the profile 'nope' is not in ${process.env['AWS_CONFIG_FILE']} or ${process.env['AWS_SHARED_CREDENTIALS_FILE']} ` +
          '(profiles there: other)',
      ),
    );
  });

  it('a profile of the config file, or of the credentials file, is used: its region signs the run', async () => {
    await isolate('[profile other]\nregion = eu-west-1\n', '[keys]\naws_access_key_id = AKIAEXAMPLEEXAMPLE00\n');
    vi.stubEnv('AWS_PROFILE', 'other');
    expect(await header()).toMatch(/; region eu-west-1\)$/);
    vi.stubEnv('AWS_PROFILE', 'keys');
    expect(await header()).toMatch(/; region us-east-1, none configured/);
  });
});
