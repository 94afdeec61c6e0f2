// Shared by the release-gate tests: the CLI spawned as a user runs it (the
// bin shim, a clean environment), and emulators with faults on loopback.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../emulator/index.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/proton-conformance.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns `command args` (default: node BIN) in a clean environment; resolves when it ends. */
export function run(args: readonly string[], env: NodeJS.ProcessEnv = {}, command: string = process.execPath, prefix: readonly string[] = [BIN], cwd?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], {
      ...(cwd ? { cwd } : {}),
      env: {
        PATH: process.env['PATH'],
        HOME: '/nonexistent',
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
        NO_COLOR: '1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The reference emulator with `faults`, on an ephemeral loopback port. */
export async function faultyEmulator(faults: string[]): Promise<{ url: string; close(): Promise<void> }> {
  const emulator = await startEmulator({ port: 0, faults });
  return { url: emulator.url, close: () => emulator.close() };
}

/** A one-line view of a run for assertion messages. */
export function said(run: Run): string {
  return `exit ${run.code}\n--- stdout\n${run.stdout.slice(-3000)}\n--- stderr\n${run.stderr.slice(-2000)}`;
}
