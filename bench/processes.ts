// What the metrics that run the suite as a user does share: the reference
// emulator started as its own process, and the CLI run to its end.
import { spawn } from 'node:child_process';
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
