// What the reproducer tests share (issue 21): an emulator with a fault, the
// suite's failing cells on it (kept running, so their scripts can be run
// against it), the scripts written to a folder under the checkout (where
// `@aws-sdk/client-proton` resolves), and one script run to its exit code.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { newRunId } from '../../harness/safety/names.ts';
import type { CellResult } from '../../harness/run/results.ts';
import { runConformance } from '../../harness/run/runner.ts';
import { selectCells } from '../../harness/run/select.ts';
import type { Target } from '../../harness/target/target.ts';
import type { Report } from '../../harness/types.ts';
import type { EmulatorHost } from '../../mutation/emulators.ts';
import * as model from '../../specs/model.ts';
import { loadCatalog } from '../../suites/catalog.ts';
import { type IndexEntry, writeReproducers } from '../../reporters/reproducers/write.ts';
import { BIN, type Ran, runProcess } from './spawn.ts';

/** Where Debian's awscli package (AWS CLI v2) puts the binary; `aws` on PATH may be a v1. */
export const AWS_V2 = '/usr/bin/aws';

/** Whether AWS CLI v2 is at AWS_V2. */
export function hasAwsV2(): boolean {
  if (!existsSync(AWS_V2)) return false;
  try {
    return execFileSync(AWS_V2, ['--version'], { encoding: 'utf8', env: { PATH: process.env['PATH'] } }).startsWith('aws-cli/2');
  } catch {
    return false;
  }
}

/** A folder under the checkout's .tmp/ (ignored by git), removed by `dispose`. */
export function scriptFolder(name: string): { dir: string; dispose(): void } {
  const dir = resolve(import.meta.dirname, '../../.tmp', `${name}-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

let catalog: ReturnType<typeof loadCatalog> | undefined;

/** The suite's cells on `target` (rules and operations as --rules and --operations take them) that do not pass. */
export async function notPassing(target: Target, rules: string, operations?: string, seed = 20_261_126): Promise<CellResult[]> {
  catalog ??= loadCatalog();
  const loaded = await catalog;
  const selection = selectCells(loaded.rules, { rules, ...(operations ? { operations } : {}) });
  const outcome = await runConformance({
    catalog: loaded,
    selection,
    target,
    shapeModel: model,
    runId: newRunId(),
    seed,
    numRuns: 10,
    concurrency: 4,
    cellTimeoutMs: 60_000,
    passEvidence: 0,
  });
  return (outcome.report.results as CellResult[]).filter((result) => result.verdict !== 'pass');
}

/** The reproducers of `results` written to `dir`: its index. */
export function writeFor(results: CellResult[], dir: string): Promise<IndexEntry[]> {
  return writeReproducers({ results } as unknown as Report, dir);
}

/** A credential a script gets from the standard chain (the environment). */
export interface ScriptCredential {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * One reproducer run against `endpoint`: by default in an account of its own (the access key id picks it in open mode),
 * or with `credential` (a target that checks signatures); `env` over the environment it gets.
 */
export function runScript(
  dir: string,
  file: string,
  endpoint: string,
  { credential, env: extra }: { credential?: ScriptCredential; env?: NodeJS.ProcessEnv } = {},
): Promise<Ran> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: '/nonexistent',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_ACCESS_KEY_ID: credential?.accessKeyId ?? `AKIDREPRO${randomBytes(4).toString('hex').toUpperCase()}`,
    AWS_SECRET_ACCESS_KEY: credential?.secretAccessKey ?? 'reproducer-secret',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_CLI: AWS_V2,
    // `proton-conformance proxy` for a lost response, from this checkout.
    PROTON_CONFORMANCE: `${process.execPath} ${BIN}`,
    ...extra,
  };
  const path = join(dir, file);
  return file.endsWith('.sh')
    ? runProcess('bash', [path, endpoint], { env })
    : runProcess(process.execPath, [path, '--endpoint', endpoint], { env });
}

/** An emulator of `host` with `faults` (none: the reference), open until `use` ends. */
export async function withEmulator<T>(host: EmulatorHost, faults: string[], use: (target: Target) => Promise<T>): Promise<T> {
  const target = await host.target({ faults });
  try {
    return await use(target);
  } finally {
    await target.close();
  }
}
