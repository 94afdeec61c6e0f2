// What the run and the sweep command share about remote targets: the account
// line printed before anything is created (and the --account check), the
// end-of-run cleanup with its summary, and the sweep command that removes
// what an interrupted run may have left.
import { programWords } from '../run/invocation.ts';
import { shellQuote } from '../run/results.ts';
import { callerIdentity, checkAccount, identityLine } from './account.ts';
import type { RefusedDelete } from './ownership.ts';
import { scrub } from '../client/redact.ts';
import { DEFAULT_CLEANUP_TIMEOUT_MS, describeLeft, sweep } from './sweep.ts';
import type { Unconfirmed } from './sweep.ts';
import type { Target } from '../target/target.ts';

/** Where a run's lines go (process.stdout, or a sink of the run engine). */
export interface TextOut {
  write(text: string): unknown;
}

/**
 * For a remote target (or when --account is given): asks STS which account
 * the credentials act in, prints it with the region and the endpoint, and
 * checks --account (UsageError, exit 2, on a mismatch or an unknown account).
 */
export async function announceAccount(target: Target, expected: string | undefined, out: TextOut = process.stdout): Promise<void> {
  if (!target.remote && expected === undefined) return;
  const identity = await callerIdentity(target);
  out.write(`${scrub(`proton-conformance: ${identityLine(identity, target)}`)}\n`);
  checkAccount(expected, identity);
}

/** Whether a run against this target is cleaned up at its end: any target without `reset`, but the embedded emulator. */
export function cleansUp(target: Target): boolean {
  return !target.embedded && !target.capabilities.has('reset');
}

/** The command that removes what run `runId` left on this target. */
export function sweepCommand(target: Target, runId: string): string {
  const endpoint = target.aws ? 'aws' : target.endpoint;
  return (
    `${programWords().map(shellQuote).join(' ')} sweep --endpoint ${endpoint} --run ${runId} ` +
    `--yes${target.remote ? ' --allow-real-account' : ''}`
  );
}

/** The end-of-run cleanup, as the JSON report carries it. */
export interface CleanupReport {
  removed: string[];
  left: Unconfirmed[];
  /** Resources with the run's prefix that lack its tag: never removed. */
  unconfirmed: Unconfirmed[];
  refused: RefusedDelete[];
  /** The cleanup itself failed (e.g. a list call failed). */
  error?: string;
  /** Left alone on purpose: what --phase record keeps for --phase verify. */
  kept?: string[];
}

export interface CleanupOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Progress lines (stderr). */
  note: (line: string) => void;
  out?: TextOut;
  /** --phase record: resources (by arn) kept for --phase verify, and why, as the summary says it. */
  keep?: { arns: ReadonlySet<string>; why: string };
}

/** Removes everything the run created (found by its tag and prefix) and prints one summary line. */
export async function cleanUpRun(target: Target, runId: string, options: CleanupOptions): Promise<CleanupReport> {
  const out = options.out ?? process.stdout;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CLEANUP_TIMEOUT_MS;
  const started = performance.now();
  options.note(
    `proton-conformance: cleaning up: removing what run ${runId} created at ${target.endpoint} (within ${Math.round(timeoutMs / 1000)} s)`,
  );
  let report: CleanupReport;
  try {
    const keep = options.keep;
    const pass = () =>
      sweep(target, {
        runs: runId,
        timeoutMs: Math.max(1_000, timeoutMs - (performance.now() - started)),
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (line) => options.note(`proton-conformance: cleaning up: ${line}`),
        ...(keep ? { keep: (found) => typeof found.item['arn'] === 'string' && keep.arns.has(found.item['arn']) } : {}),
      });
    let { findings, removal, kept } = await pass();
    const removed = [...(removal?.removed ?? [])];
    // A create the interrupted cells sent may be carried out after the first
    // listing: list again until a listing finds nothing more to remove.
    for (let again = 0; again < 3 && (removal?.removed.length ?? 0) > 0 && (removal?.left.length ?? 0) === 0; again++) {
      ({ findings, removal, kept } = await pass());
      removed.push(...(removal?.removed ?? []));
    }
    report = {
      removed,
      left: removal?.left ?? [],
      unconfirmed: findings.unconfirmed,
      refused: removal?.refused ?? [],
      ...(keep ? { kept: kept.map((found) => found.label) } : {}),
    };
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    report = { removed: [], left: [], unconfirmed: [], refused: [], error: reason };
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const lines: string[] = [];
  if (report.error !== undefined) {
    lines.push(`cleanup: failed (${report.error}); what run ${runId} created may be left: remove it with: ${sweepCommand(target, runId)}`);
  } else if (report.left.length > 0) {
    lines.push(
      `cleanup: removed ${report.removed.length}, ${report.left.length} left after ${seconds} s: ${describeLeft(report.left)}; ` +
        `remove them later with: ${sweepCommand(target, runId)}`,
    );
  } else {
    const rest = options.keep ? 'nothing else of it is left' : 'nothing of it is left';
    lines.push(
      `cleanup: removed ${report.removed.length} resource${report.removed.length === 1 ? '' : 's'} ` +
        `of run ${runId} in ${seconds} s; ${rest}`,
    );
  }
  if (report.unconfirmed.length > 0) {
    lines.push(`cleanup: not removed, as they lack the run's tag: ${describeLeft(report.unconfirmed)}`);
  }
  if (options.keep && report.error === undefined) {
    const kept = report.kept ?? [];
    lines.push(
      `cleanup: kept ${kept.length} resource${kept.length === 1 ? '' : 's'} of run ${runId} ${options.keep.why}` +
        `${kept.length > 0 ? `: ${kept.slice(0, 10).join('; ')}${kept.length > 10 ? `; and ${kept.length - 10} more` : ''}` : ''}`,
    );
  }
  out.write(`${scrub(lines.join('\n'))}\n`);
  return report;
}
