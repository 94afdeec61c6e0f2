// Shared by the release-gate tests: the CLI spawned as a user runs it (the
// bin shim, a clean environment), and emulators with faults on loopback.
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../emulator/index.ts';
import { BIN, CLEAN_ENV, runProcess } from '../support/spawn.ts';

export { BIN };

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns `command args` (default: node BIN) in a clean environment; resolves when it ends. */
export function run(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  command: string = process.execPath,
  prefix: readonly string[] = [BIN],
  cwd?: string,
): Promise<Run> {
  return runProcess(command, [...prefix, ...args], {
    env: { ...CLEAN_ENV, NO_COLOR: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    ...(cwd ? { cwd } : {}),
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
