// Shared by the release-gate tests: the CLI spawned as a user runs it (the
// bin shim, a clean environment), and emulators with faults on loopback.
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../emulator/index.ts';
import { summarize } from '../../harness/run/results.ts';
import type { Report, RuleResult } from '../../harness/types.ts';
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

/** A made-up report of `results` (a loopback target, seed 7, 3 runs per property), with `fields` on top. */
export function syntheticReport(results: RuleResult[], fields: Record<string, unknown> = {}): Report {
  return {
    target: { endpoint: 'http://127.0.0.1:4566', embedded: false, region: 'us-east-1', capabilities: [] },
    startedAt: '2026-12-07T00:00:00.000Z',
    finishedAt: '2026-12-07T00:00:01.000Z',
    seed: 7,
    numRuns: 3,
    summary: summarize(results),
    results,
    ...fields,
  } as Report;
}
