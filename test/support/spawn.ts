// A process run to its end, as the tests that spawn the CLI (or a script)
// need it: its exit code, what it printed, how long it took.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/proton-conformance.js', import.meta.url));

/** The smallest run: one rule on one operation (client-token/format on CreateEnvironmentTemplateVersion). */
export const ONE_CELL: readonly string[] = ['--rules', 'client-token/format', '--operations', 'CreateEnvironmentTemplateVersion'];

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

/** What a test does while the process runs. */
export interface Watch {
  /** Close the child's stdout at once (`| head -0`). */
  closeStdout?: boolean;
  /** Called after each chunk of stdout with all of it so far. */
  onStdout?: (stdout: string, child: ChildProcess) => void;
}

export interface SpawnOptions extends Watch {
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
    if (options.closeStdout) child.stdout.destroy();
    else {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        options.onStdout?.(stdout, child);
      });
    }
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/** The CLI (bin/proton-conformance.js) in a clean environment, `env` added to it. */
export function runCliProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}, watch: Watch = {}): Promise<Ran> {
  return runProcess(process.execPath, [BIN, ...args], { env: { ...CLEAN_ENV, ...env }, ...watch });
}
