// A process run to its end, as the tests that spawn the CLI (or a script)
// need it: its exit code, what it printed, how long it took.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/proton-conformance.js', import.meta.url));

/** An environment with nothing of the developer's (no endpoint, profile or credentials file). */
export const CLEAN_ENV: NodeJS.ProcessEnv = {
  PATH: process.env['PATH'],
  HOME: '/nonexistent',
  AWS_CONFIG_FILE: '/nonexistent',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
};

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time, milliseconds. */
  ms: number;
}

export interface SpawnOptions {
  /** The whole environment (default: CLEAN_ENV). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs `command args` with no standard input; resolves when it has ended. */
export function runProcess(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      env: options.env ?? CLEAN_ENV,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/** The CLI (bin/proton-conformance.js) in a clean environment, `env` added to it. */
export function runCliProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return runProcess(process.execPath, [BIN, ...args], { env: { ...CLEAN_ENV, ...env } });
}
