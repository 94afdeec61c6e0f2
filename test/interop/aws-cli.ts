// Runs the AWS CLI as an independent client of the emulator: its own
// serializer, parser and client-token autofill (botocore), in a sealed
// environment (dummy credentials, no config files, no pager, no metadata
// service), so that nothing on the machine leaks into the exchange.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Where Debian's `awscli` package (AWS CLI v2) installs the binary. */
export const CLI_V2_PATH = '/usr/bin/aws';

export interface AwsCli {
  /** Absolute path of the binary (or the PATH shim) that is run. */
  readonly path: string;
  /** First line of `aws --version`, e.g. `aws-cli/2.9.19 Python/3.11.2 ...`. */
  readonly version: string;
  readonly major: 1 | 2;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A sealed home: empty config and credentials files, removed by dispose(). */
export interface CliSandbox {
  readonly env: NodeJS.ProcessEnv;
  dispose(): void;
}

/**
 * The environment of every invocation, built from scratch: only PATH is
 * inherited (a pyenv shim needs it to find its interpreter), HOME points at
 * an empty directory, and the access key id picks the emulator account.
 */
export function cliSandbox(accessKeyId: string, region = 'us-east-1'): CliSandbox {
  const home = mkdtempSync(join(tmpdir(), 'proton-awscli-'));
  const configFile = join(home, 'config');
  const credentialsFile = join(home, 'credentials');
  writeFileSync(configFile, '');
  writeFileSync(credentialsFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'interop-dummy-secret',
    AWS_DEFAULT_REGION: region,
    AWS_REGION: region,
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    // One attempt: a 5xx must show up as a failure, not be retried away.
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: 'standard',
  };
  return { env, dispose: () => rmSync(home, { recursive: true, force: true }) };
}

export function runCli(path: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(path, [...args], { env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

async function probe(path: string, env: NodeJS.ProcessEnv): Promise<AwsCli | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    const { code, stdout, stderr } = await runCli(path, ['--version'], env);
    // v1 prints its version on stderr on some Pythons, v2 on stdout.
    const version = (stdout.trim() || stderr.trim()).split('\n')[0] ?? '';
    const major = /^aws-cli\/(\d+)\./.exec(version)?.[1];
    if (code !== 0 || (major !== '1' && major !== '2')) return undefined;
    return { path, version, major: major === '1' ? 1 : 2 };
  } catch {
    return undefined;
  }
}

/** AWS CLI v2 from Debian's package, by its path (PATH may lead to a v1 first); else why not. */
export async function findCliV2(env: NodeJS.ProcessEnv): Promise<AwsCli | string> {
  const cli = await probe(CLI_V2_PATH, env);
  if (cli?.major === 2) return cli;
  const install = 'install it: apt-get update && apt-get install -y awscli';
  if (!existsSync(CLI_V2_PATH)) return `AWS CLI v2 not found at ${CLI_V2_PATH} (${install})`;
  return `${CLI_V2_PATH} is not AWS CLI v2 (${cli?.version ?? 'its --version failed'}; ${install})`;
}

/** The first `aws` on PATH that is a v1 (e.g. a pyenv shim), as a second client. */
export async function findCliV1(env: NodeJS.ProcessEnv): Promise<AwsCli | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const cli = await probe(join(dir, 'aws'), env);
    if (cli?.major === 1) return cli;
  }
  return undefined;
}
