// Snapshots of the reference's answers (issue 22, docs/parity.md): `parity
// --record DIR` writes one JSON file per sequence, with the sequence itself
// (so that a later `--snapshot DIR` sends exactly those requests, whatever
// corpus the suite then builds), the reference's normalised answers, the
// suite version and the date. Only the normalised answers are kept: no
// account, id or time of the recording.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../harness/errors.ts';
import type { StepAnswer } from './run.ts';
import type { ParitySequence } from './types.ts';

export const SNAPSHOT_FORMAT = 'proton-conformance-parity-snapshot/1';

export interface SnapshotFile {
  format: typeof SNAPSHOT_FORMAT;
  suiteVersion: string;
  /** ISO 8601, when it was recorded. */
  recordedAt: string;
  /** The reference it was recorded from: 'embedded' or its URL. */
  reference: string;
  seed: number;
  /** Recorded with the clocks moved by the hooks (timestamps keep their identity), else by polling. */
  clock: boolean;
  sequence: ParitySequence;
  /** Per step of `sequence.steps`. */
  answers: StepAnswer[];
  /** Why the reference was not sent the sequence (then `answers` is empty). */
  skipped?: string;
}

/** A file name for a sequence id: its characters outside [A-Za-z0-9._-] become '_', '/' becomes '__'. */
export function snapshotName(sequenceId: string): string {
  return `${sequenceId.replaceAll('/', '__').replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}

export async function writeSnapshot(dir: string, files: readonly SnapshotFile[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const names = new Set<string>();
  for (const file of files) {
    const name = snapshotName(file.sequence.id);
    if (names.has(name)) throw new Error(`two sequences map to one snapshot file: ${name}`);
    names.add(name);
    await writeFile(join(dir, name), `${JSON.stringify(file, (_key, value: unknown) => (value === undefined ? null : value), 2)}\n`);
  }
}

function isSnapshot(value: unknown): value is SnapshotFile {
  if (typeof value !== 'object' || value === null) return false;
  const file = value as Partial<SnapshotFile>;
  return file.format === SNAPSHOT_FORMAT && typeof file.sequence?.id === 'string' && Array.isArray(file.answers);
}

/** Every snapshot file of a directory, by name; a directory without any, or a file that is not one, is a usage error. */
export async function readSnapshot(dir: string): Promise<SnapshotFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    throw new UsageError(
      `--snapshot ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}: not a readable directory`,
    );
  }
  if (names.length === 0) throw new UsageError(`--snapshot ${dir}: no snapshot files (*.json) in it; record one with --record`);
  const files: SnapshotFile[] = [];
  for (const name of names) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(join(dir, name), 'utf8'));
    } catch (error) {
      throw new UsageError(`--snapshot ${dir}: ${name} is not JSON (${(error as Error).message})`);
    }
    if (!isSnapshot(parsed)) throw new UsageError(`--snapshot ${dir}: ${name} is not a parity snapshot (format ${SNAPSHOT_FORMAT})`);
    files.push({ ...parsed, answers: parsed.answers.map(fromJson) });
  }
  return files;
}

/** JSON's nulls back to absent members (an answer's `errorType`, a step's `weather`). */
function fromJson(answer: StepAnswer): StepAnswer {
  const out: StepAnswer = {};
  if (answer.weather !== undefined && answer.weather !== null) out.weather = answer.weather;
  if (answer.answer !== undefined && answer.answer !== null) {
    const { status, errorType, body } = answer.answer;
    out.answer = { status, ...(errorType === undefined || errorType === null ? {} : { errorType }), body };
  }
  return out;
}
