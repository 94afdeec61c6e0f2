// The parent side of serve-emulator.ts: starts it, reads its URL, keeps its
// standard error (the emulator reports its own internal errors there), and
// tells whether it is still running.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./serve-emulator.ts', import.meta.url));

export interface EmulatorProcess {
  readonly url: string;
  /** Undefined while running; the exit code or signal once it has ended. */
  exited(): string | undefined;
  /** What it wrote to standard error so far. */
  stderr(): string;
  stop(): Promise<void>;
}

export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  let stderr = '';
  let ended: string | undefined;
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      ended = signal ?? `exit code ${code}`;
      resolve();
    });
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
    void exit.then(() => reject(new Error(`the emulator process ended (${ended}) before listening:\n${stderr}`)));
  });
  return {
    url,
    exited: () => ended,
    stderr: () => stderr,
    async stop() {
      if (ended !== undefined) return;
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}
