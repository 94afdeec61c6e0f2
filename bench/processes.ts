// What the metrics that run the suite as a user does share: the reference
// emulator started as its own process, and the CLI run to its end.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Starts `npm run emulator -- --port 0 ...flags` as its own process; resolves with its URL and a stop function. */
export async function startEmulatorProcess(flags: readonly string[]): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'emulator', 'cli.ts'), '--port', '0', ...flags], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(out);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited (code ${code}) before listening`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

/** Runs bin/proton-conformance.js with `args`; resolves with its exit code and wall time. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; wallMs: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'proton-conformance.js'), ...args], { cwd: ROOT, env, stdio: 'ignore' });
    child.once('exit', (code) => resolve({ code: code ?? 1, wallMs: performance.now() - started }));
  });
}

/**
 * The CLI run to its end against a fresh emulator process (`emulatorFlags`),
 * with `--endpoint` its URL and `--json` a temporary file: its exit code, wall
 * time and the JSON report it wrote. Open mode: the access key names the account.
 */
export async function runAgainstEmulator<R>(
  emulatorFlags: readonly string[],
  args: readonly string[],
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<{ code: number; wallMs: number; report: R }> {
  const emulator = await startEmulatorProcess(emulatorFlags);
  const dir = await mkdtemp(join(tmpdir(), 'pc-bench-'));
  try {
    const json = join(dir, 'report.json');
    const run = await runCli(['--endpoint', emulator.url, ...args, '--json', json], {
      ...process.env,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    return { ...run, report: JSON.parse(await readFile(json, 'utf8')) as R };
  } finally {
    emulator.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
