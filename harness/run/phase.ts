// --phase record|verify --state FILE: client-token/expiry on a target whose
// clock cannot be moved, in two runs at least 8 hours apart (docs/expiry.md).
// Record makes the originals and keeps them (the state
// file says what, when and with which token); verify, once 8 h have passed
// since the latest original request ended, retries them in the record run's
// name (its run id, its cells), then removes everything that run made.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { callerIdentity } from '../safety/account.ts';
import type { CatalogRule } from './catalog.ts';
import { UsageError } from '../errors.ts';
import {
  EXPIRY_RULE,
  ExpiryRecording,
  STATE_FORMAT,
  STATE_VERSION,
  TOKEN_EXPIRY_MS,
  formatInstant,
  keptArns,
  readState,
  verifyNotBefore,
  writeState,
} from './expiry-state.ts';
import type { ExpiryState, RunPhase } from './expiry-state.ts';
import { scrub } from '../client/redact.ts';
import { selectCells } from './select.ts';
import type { Selection } from './select.ts';
import type { Target } from '../target/target.ts';
import type { TextOut } from '../safety/real-target.ts';

export interface PhasePlan {
  kind: 'record' | 'verify';
  statePath: string;
  /** What the runner gives the cells. */
  run: RunPhase;
  /** The endpoint to resolve: --endpoint, or in verify the state's. */
  endpoint: string | undefined;
  /** Verify: the record run's id, which this run takes (names, tags, cleanup). */
  runId: string | undefined;
}

/** What a phase reads of a run's request (the CLI's --phase, --state, --endpoint, --rules, --operations). */
export interface PhaseOptions {
  phase?: 'record' | 'verify' | undefined;
  state?: string | undefined;
  endpoint?: string | undefined;
  rules?: string | undefined;
  operations?: string | undefined;
}

/** Before any request: verify reads and checks the state and the time; record checks where it will write. */
export async function preparePhase(options: PhaseOptions, now: number = Date.now()): Promise<PhasePlan | undefined> {
  if (options.phase === undefined || options.state === undefined) return undefined;
  const statePath = options.state;
  if (options.phase === 'record') {
    const existing = await stat(statePath).catch(() => undefined);
    if (existing)
      throw new UsageError(
        `--state ${statePath} exists already (an earlier recording? run --phase verify with it, or move it away): not overwritten`,
      );
    await access(dirname(statePath), constants.W_OK).catch(() => {
      throw new UsageError(`--state ${statePath}: its directory cannot be written`);
    });
    return {
      kind: 'record',
      statePath,
      run: { kind: 'record', recording: new ExpiryRecording() },
      endpoint: options.endpoint,
      runId: undefined,
    };
  }
  const state = await readState(statePath);
  const due = verifyNotBefore(state);
  if (now < due) {
    const latest = state.entries
      .map((e) => e.original.endedAt)
      .sort()
      .at(-1);
    throw new UsageError(
      `--phase verify: not before ${formatInstant(due)}, 8 h after the latest original request (it ended ${latest}; it is ` +
        `now ${new Date(now).toISOString()}): a retry sooner would return the original; nothing was sent`,
    );
  }
  const recorded = state.aws ? 'aws' : state.endpoint;
  if (options.endpoint !== undefined && !sameEndpoint(options.endpoint, recorded)) {
    throw new UsageError(`--endpoint ${options.endpoint}: the state file was recorded against ${recorded} (drop --endpoint to use it)`);
  }
  return { kind: 'verify', statePath, run: { kind: 'verify', state }, endpoint: recorded, runId: state.runId };
}

function sameEndpoint(a: string, b: string): boolean {
  const plain = (url: string): string => url.trim().replace(/\/+$/, '').toLowerCase();
  return plain(a) === plain(b);
}

/** The cells of a phase: client-token/expiry alone, on --operations (record) or on what the state holds (verify). */
export function phaseSelection(rules: readonly CatalogRule[], plan: PhasePlan, options: PhaseOptions): Selection {
  if (plan.run.kind === 'verify') {
    return selectCells(rules, { rules: EXPIRY_RULE, operations: plan.run.state.entries.map((e) => e.operation).join(',') });
  }
  if (options.rules !== undefined && !selectCells(rules, { rules: options.rules }).cells.some((cell) => cell.rule.id === EXPIRY_RULE)) {
    throw new UsageError(`--phase record checks ${EXPIRY_RULE} alone: --rules ${options.rules} does not select it (drop --rules)`);
  }
  const selection = selectCells(rules, {
    rules: EXPIRY_RULE,
    ...(options.operations !== undefined ? { operations: options.operations } : {}),
  });
  if (selection.cells.length === 0)
    throw new UsageError(
      `--phase record: --operations ${options.operations ?? ''} has no client-token operation (${EXPIRY_RULE} applies to those)`,
    );
  return selection;
}

/** The account of the run, if STS tells it. */
export interface PhaseTarget {
  account: string | undefined;
}

/** Once the target is known: it must outlive the run; in verify, the region and account must be the recorded ones. */
export async function checkPhaseTarget(plan: PhasePlan, target: Target): Promise<PhaseTarget> {
  if (target.embedded) {
    throw new UsageError(
      `--phase ${plan.kind} needs a target that outlives this run (--endpoint URL or --endpoint aws): the embedded emulator ends with it`,
    );
  }
  if (plan.run.kind === 'verify' && target.region !== plan.run.state.region) {
    throw new UsageError(
      `--phase verify: the state file was recorded in region ${plan.run.state.region}, this run signs for ${target.region} (set ` +
        `AWS_REGION=${plan.run.state.region})`,
    );
  }
  const identity = await callerIdentity(target);
  if (plan.run.kind === 'verify') {
    const recorded = plan.run.state.account;
    if (recorded !== undefined && identity.account !== undefined && identity.account !== recorded) {
      throw new UsageError(
        `--phase verify: the state file was recorded in account ${recorded}; these credentials act in ${identity.account}`,
      );
    }
  }
  return { account: identity.account };
}

/** What the end-of-run cleanup of a record run leaves alone (harness/safety/real-target.ts cleanUpRun `keep`). */
export interface KeepForVerify {
  arns: ReadonlySet<string>;
  why: string;
}

/**
 * After the record run's cells: the state file, written atomically; one line
 * saying when verify may run. Returns what the cleanup must keep, or nothing
 * (no original recorded, or the file could not be written: then the run's
 * resources are all removed, and `error` says why).
 */
export async function finishRecord(
  plan: PhasePlan,
  target: Target,
  runId: string,
  account: string | undefined,
  operationOrder: readonly string[],
  out: TextOut = process.stdout,
): Promise<{ keep?: KeepForVerify; error?: string }> {
  if (plan.run.kind !== 'record') return {};
  const entries = [...plan.run.recording.entries].sort((a, b) => operationOrder.indexOf(a.operation) - operationOrder.indexOf(b.operation));
  if (entries.length === 0) {
    out.write(`proton-conformance: phase record: no original request was recorded (see the matrix); no state file written\n`);
    return {};
  }
  const state: ExpiryState = {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    runId,
    endpoint: withoutCredentials(target.endpoint),
    aws: target.aws,
    region: target.region,
    ...(account !== undefined ? { account } : {}),
    recordedAt: new Date().toISOString(),
    tokenLifetimeMs: TOKEN_EXPIRY_MS,
    entries,
  };
  try {
    await writeState(plan.statePath, state);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const line =
      `phase record: the state file ${plan.statePath} could not be written (${reason}): what the run made is removed, nothing is ` +
      'kept for verify';
    out.write(scrub(`proton-conformance: ${line}\n`));
    return { error: line };
  }
  const operations = entries.map((e) => e.operation).join(', ');
  out.write(
    scrub(
      `proton-conformance: phase record: wrote ${plan.statePath} (run ${runId}: ${operations}); run --phase verify ` +
        `--state ${plan.statePath} not before ${formatInstant(verifyNotBefore(state))}, 8 h after the latest original request\n`,
    ),
  );
  return { keep: { arns: keptArns(entries), why: `for --phase verify (listed in ${plan.statePath}; verify removes them)` } };
}

/** An endpoint as the state keeps it: no user or password in the URL. */
function withoutCredentials(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.username === '' && url.password === '') return endpoint;
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/$/, '');
}
