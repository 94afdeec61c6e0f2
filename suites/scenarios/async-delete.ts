// Scenarios of the async-delete category: retries while the deletion is in
// progress (which must neither restart nor prolong it), and after it.
import type { CheckContext } from '../../harness/context.ts';
import type { Outcome } from '../../harness/types.ts';
import { InconclusiveCheck } from '../../harness/types.ts';
import { attempt } from '../../specs/commands.ts';
import type { CallResult } from '../../specs/commands.ts';
import type { DeleteOperationSpec, Resource } from '../../specs/types.ts';
import { describe, sameIdentity } from '../lib/compare.ts';
import { answerText, createToDelete } from '../lib/create.ts';
import { carried, read } from '../lib/observe.ts';
import { Timeline } from '../lib/timeline.ts';
import { expect, pass } from '../lib/verdict.ts';
import { prepare } from '../lib/world.ts';

const IN_PROGRESS = 'async-delete/retry-in-progress';
const COMPLETE = 'async-delete/retry-after-complete';

/** Virtual length of the deletion when the clock can be moved; real when it cannot. */
const VIRTUAL_DELETION_MS = 10 * 60_000;
const REAL_DELETION_MS = 2_000;

function deletion(spec: DeleteOperationSpec): NonNullable<DeleteOperationSpec['resource']['asyncDeletion']> {
  const facts = spec.resource.asyncDeletion;
  if (!facts) throw new Error(`${spec.operation}: the spec names no asynchronous deletion for ${spec.resource.kind}`);
  return facts;
}

function remove(ctx: CheckContext, spec: DeleteOperationSpec, target: Resource): Promise<CallResult> {
  return attempt(ctx.client, spec.operation, spec.resource.remove.input(target), ctx.signal);
}

export async function retryInProgress(ctx: CheckContext, spec: DeleteOperationSpec): Promise<Outcome> {
  const facts = deletion(spec);
  const timed = ctx.capabilities.has('durations');
  const jumps = timed && ctx.capabilities.has('clock');
  const lengthMs = jumps ? VIRTUAL_DELETION_MS : REAL_DELETION_MS;
  const fx = await prepare(ctx, spec, 'base', timed ? { [facts.durationHook]: lengthMs } : {});
  const target = await createToDelete(ctx, spec, fx, 'target');
  const timeline = new Timeline(ctx);
  ctx.step(`[${IN_PROGRESS}] ${spec.operation} ${describe(spec.resource, target)}${timed ? ` (the deletion set to take ${lengthMs} ms)` : ''}`);
  const started = await timeline.timed(() => remove(ctx, spec, target));
  expect(started.value.ok, () => `The original delete failed: ${answerText(spec.resource, started.value)}.`);
  const statuses: string[] = [];

  /** One retry while the deletion should be in progress. */
  const retryWhileDeleting = async (label: string): Promise<void> => {
    const inText = `${label.charAt(0).toLowerCase()}${label.slice(1)}`;
    const current = await read(ctx, spec.resource, target);
    if (current === undefined) throw new InconclusiveCheck(`the deletion finished before ${inText} could observe it`);
    const status = String(current[facts.statusField]);
    statuses.push(status);
    if (status !== facts.inProgress) throw new InconclusiveCheck(`after the delete, Get showed ${facts.statusField} ${status}, not ${facts.inProgress}`);
    ctx.step(`[${IN_PROGRESS}] ${label} of the delete, while ${facts.inProgress}`);
    const retry = await remove(ctx, spec, target);
    expect(retry.ok, () => `${label} during ${facts.inProgress} was to succeed; it answered ${answerText(spec.resource, retry)}.`);
    const returned = carried(spec.resource, retry.output);
    if (returned === undefined && (await read(ctx, spec.resource, target)) === undefined) {
      throw new InconclusiveCheck(`the deletion finished while ${inText} was in flight`);
    }
    expect(
      returned !== undefined && sameIdentity(spec.resource, returned, target),
      () => `${label} during ${facts.inProgress} was to return ${describe(spec.resource, target)}; it returned ${describe(spec.resource, returned)}.`,
    );
    expect(
      returned[facts.statusField] === facts.inProgress,
      () => `${label} returned ${facts.statusField} ${String(returned[facts.statusField])}, not ${facts.inProgress}.`,
    );
  };

  await retryWhileDeleting('A retry');
  if (jumps) {
    // Virtual time: exact.
    await timeline.advance(lengthMs / 2);
    await retryWhileDeleting('A retry halfway through the deletion');
    // The deletion was announced to end at most lengthMs after the original delete arrived.
    await timeline.advance(Math.max(0, started.at.end + lengthMs + 1 - timeline.now()));
    const still = await read(ctx, spec.resource, target);
    expect(
      still === undefined,
      () => `The deletion was to end ${lengthMs} ms after the original delete; it is still there (${facts.statusField} ${String(still?.[facts.statusField])}): the retries restarted or prolonged it.`,
    );
    return pass(`Two retries during ${facts.inProgress} returned the resource in that status, and the deletion ended on time (${lengthMs} ms virtual after the original delete).`);
  }
  if (timed) {
    // Real time: the deletion takes lengthMs; a retry halfway that restarted it would end it no sooner than lengthMs after that retry.
    await timeline.sleepUntil(started.at.start + lengthMs / 2);
    const halfway = timeline.now();
    await retryWhileDeleting('A retry halfway through the deletion');
    await timeline.sleepUntil(started.at.end + lengthMs + 1);
    const { value: still, at } = await timeline.timed(() => read(ctx, spec.resource, target));
    expect(
      still === undefined,
      () => `The deletion was to end ${lengthMs} ms after the original delete; ${at.start - started.at.end} ms after it, it is still there (${facts.statusField} ${String(still?.[facts.statusField])}): the retries restarted or prolonged it.`,
    );
    const late = at.end - (started.at.end + lengthMs);
    if (at.end >= halfway + lengthMs) {
      throw new InconclusiveCheck(
        `retries during ${facts.inProgress} returned the resource in that status, but the Get after the deletion's end came ${late} ms late (the machine is slow): ` +
          'too late to tell whether the retry halfway restarted the deletion (without the clock capability, real time is all there is)',
      );
    }
    return pass(
      `Two retries during ${facts.inProgress} returned the resource in that status, and the deletion ended on time: gone ${late} ms at most after the end set (${lengthMs} ms real after the original delete), ` +
        `when a restart by the retry halfway would have kept it ${Math.round(halfway + lengthMs - at.end)} ms longer.`,
    );
  }
  // Nothing times the deletion: the retries and the status are observed, a restart or prolongation cannot be.
  const last = await ctx.waitFor(
    `${describe(spec.resource, target)} deleted`,
    async () => {
      const current = await read(ctx, spec.resource, target);
      if (current !== undefined) statuses.push(String(current[facts.statusField]));
      return current;
    },
    (current) => current === undefined || current[facts.statusField] !== facts.inProgress,
  );
  expect(last === undefined, () => `The status went from ${facts.inProgress} back to ${String(last?.[facts.statusField])} after a retry.`);
  throw new InconclusiveCheck(
    `a retry during ${facts.inProgress} returned the resource in that status and the status only went on to deleted (${statuses.length} reads), ` +
      `but whether the retry restarted or prolonged the deletion was not observed: that needs the 'durations' capability (emulator hooks) to set how long the deletion takes` +
      `${ctx.capabilities.has('clock') ? '' : ", and 'clock' to check it in virtual time"}`,
  );
}

export async function retryAfterComplete(ctx: CheckContext, spec: DeleteOperationSpec): Promise<Outcome> {
  deletion(spec);
  const fx = await prepare(ctx, spec, 'base');
  const target = await createToDelete(ctx, spec, fx, 'target');
  ctx.step(`[${COMPLETE}] ${spec.operation} ${describe(spec.resource, target)}`);
  const first = await remove(ctx, spec, target);
  expect(first.ok, () => `The original delete failed: ${answerText(spec.resource, first)}.`);
  await ctx.waitFor(`${describe(spec.resource, target)} deleted (Get answers ResourceNotFoundException)`, () => read(ctx, spec.resource, target), (current) => current === undefined);
  ctx.step(`[${COMPLETE}] retry the delete after the deletion completed`);
  const retry = await remove(ctx, spec, target);
  expect(retry.ok, () => `The retry after the deletion completed was to succeed with an empty response; it answered ${answerText(spec.resource, retry)}.`);
  const returned = carried(spec.resource, retry.output);
  expect(returned === undefined, () => `The retry after the deletion completed returned ${describe(spec.resource, returned)}, not an empty response.`);
  return pass('Once Get answered ResourceNotFoundException, the retry of the delete succeeded with an empty response.');
}
