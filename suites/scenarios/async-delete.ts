// Scenarios of the async-delete category: retries while the deletion is in
// progress (which must neither restart nor prolong it), and after it.
import type { CheckContext } from '../../harness/run/context.ts';
import type { Outcome } from '../../harness/types.ts';
import { InconclusiveCheck } from '../../harness/types.ts';
import { attempt } from '../../specs/commands.ts';
import type { CallResult } from '../../specs/commands.ts';
import type { DeleteOperationSpec, Resource } from '../../specs/types.ts';
import { formatMs } from '../../harness/run/wait.ts';
import { describe, sameIdentity } from '../lib/compare.ts';
import { answerText, createToDelete } from '../lib/create.ts';
import { carried, read } from '../lib/observe.ts';
import { Timeline } from '../lib/timeline.ts';
import type { Interval } from '../lib/timeline.ts';
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
  // Nothing times the deletion: a control of the same kind shows how long one lasts (againstControl).
  const control = timed ? undefined : await createToDelete(ctx, spec, fx, 'control');
  const timeline = new Timeline(ctx);
  ctx.step(
    `[${IN_PROGRESS}] ${spec.operation} ${describe(spec.resource, target)}${timed ? ` (the deletion set to take ${lengthMs} ms)` : ''}`,
  );
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
    if (status !== facts.inProgress)
      throw new InconclusiveCheck(`after the delete, Get showed ${facts.statusField} ${status}, not ${facts.inProgress}`);
    // "A retry of the delete", but "A retry halfway through the deletion" (not "... of the delete").
    ctx.step(`[${IN_PROGRESS}] ${label}${/deletion|delete/.test(label) ? '' : ' of the delete'}, while ${facts.inProgress}`);
    const retry = await remove(ctx, spec, target);
    expect(retry.ok, () => `${label} during ${facts.inProgress} was to succeed; it answered ${answerText(spec.resource, retry)}.`);
    const returned = carried(spec.resource, retry.output);
    if (returned === undefined && (await read(ctx, spec.resource, target)) === undefined) {
      throw new InconclusiveCheck(`the deletion finished while ${inText} was in flight`);
    }
    expect(
      returned !== undefined && sameIdentity(spec.resource, returned, target),
      () =>
        `${label} during ${facts.inProgress} was to return ${describe(spec.resource, target)}; it ` +
        `returned ${describe(spec.resource, returned)}.`,
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
      () =>
        `The deletion was to end ${lengthMs} ms after the original delete; it is still ` +
        `there (${facts.statusField} ${String(still?.[facts.statusField])}): the retries restarted or prolonged it.`,
    );
    return pass(
      `Two retries during ${facts.inProgress} returned the resource in that status, and the deletion ended on time (${lengthMs} ` +
        'ms virtual after the original delete).',
    );
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
      () =>
        `The deletion was to end ${lengthMs} ms after the original delete; ${at.start - started.at.end} ms after it, it is still ` +
        `there (${facts.statusField} ${String(still?.[facts.statusField])}): the retries restarted or prolonged it.`,
    );
    const late = at.end - (started.at.end + lengthMs);
    if (at.end >= halfway + lengthMs) {
      throw new InconclusiveCheck(
        `retries during ${facts.inProgress} returned the resource in that status, but the Get after the deletion's end ` +
          `came ${late} ms late (the machine is slow): ` +
          'too late to tell whether the retry halfway restarted the deletion (without the clock capability, real time is all there is)',
      );
    }
    return pass(
      `Two retries during ${facts.inProgress} returned the resource in that status, and the deletion ended on time: gone ${late} ` +
        `ms at most after the end set (${lengthMs} ms real after the original delete), ` +
        `when a restart by the retry halfway would have kept it ${Math.round(halfway + lengthMs - at.end)} ms longer.`,
    );
  }
  return againstControl(ctx, spec, target, control!, started.at, retryWhileDeleting, statuses);
}

/**
 * Nothing sets how long the deletion takes: a control of the same kind, made
 * the same way and deleted right after the target (so that a target deleting
 * one at a time would end the target first), shows how long a deletion
 * without retries lasts. The target's delete is retried at every poll while
 * the control is still there; a retry that restarted the deletion would keep
 * the target about one whole deletion longer than the control. The target
 * must be gone no later than the control plus half the control's duration
 * (deletions of alike resources vary) and two polls (what polling can see).
 */
async function againstControl(
  ctx: CheckContext,
  spec: DeleteOperationSpec,
  target: Resource,
  control: Resource,
  started: Interval,
  retryWhileDeleting: (label: string) => Promise<void>,
  statuses: string[],
): Promise<Outcome> {
  const facts = deletion(spec);
  const timeline = new Timeline(ctx);
  ctx.step(`[${IN_PROGRESS}] ${spec.operation} ${describe(spec.resource, control)}, the control: deleted without retries`);
  const controlStart = await timeline.timed(() => remove(ctx, spec, control));
  expect(controlStart.value.ok, () => `The delete of the control failed: ${answerText(spec.resource, controlStart.value)}.`);
  const clock = ctx.capabilities.has('clock');
  const wait = (ms: number): Promise<void> => (clock ? timeline.advance(ms) : timeline.sleepUntil(timeline.now() + ms));
  const limitMs = clock ? 24 * 3_600_000 : 10 * 60_000;
  let retries = 1;
  let controlGone: Interval | undefined;
  let targetGone: Interval | undefined;
  let lastPoll = timeline.now();
  let interval = 100;
  while (controlGone === undefined || targetGone === undefined) {
    if (timeline.now() - started.start > limitMs) {
      throw new InconclusiveCheck(
        `the deletions had not ended ${formatMs(limitMs)} after they began (${statuses.length} reads of the target)`,
      );
    }
    await wait(interval);
    // What polling can tell: it ended between the previous poll and this one.
    const polled = { start: lastPoll, end: timeline.now() };
    const [targetNow, controlNow] = await Promise.all([
      targetGone ? undefined : read(ctx, spec.resource, target),
      controlGone ? undefined : read(ctx, spec.resource, control),
    ]);
    lastPoll = timeline.now();
    if (!controlGone && controlNow === undefined) controlGone = polled;
    if (!targetGone && targetNow === undefined) targetGone = { start: polled.start, end: lastPoll };
    if (targetNow !== undefined) {
      const status = String(targetNow[facts.statusField]);
      statuses.push(status);
      expect(status === facts.inProgress, () => `The status went from ${facts.inProgress} back to ${status} after a retry.`);
      // Retried while the control is still being deleted: any restart shows against it.
      if (!controlGone) {
        retries++;
        await retryWhileDeleting(`Retry ${retries}`).catch((error: unknown) => {
          // Finished while the retry was in flight: the next poll sees it gone.
          if (!(error instanceof InconclusiveCheck)) throw error;
        });
      }
    }
    interval = Math.min(Math.max(100, (timeline.now() - started.start) / 10), 30_000);
  }
  const controlMs = controlGone.end - controlStart.at.start;
  const slackMs = Math.max(controlMs / 2, 2 * interval);
  const late = targetGone.start - controlGone.end;
  expect(
    late <= slackMs,
    () =>
      `The deletion of ${describe(spec.resource, target)}, retried ${retries} times while ${facts.inProgress}, ` +
      `ended at least ${formatMs(late)} after that of the control ${describe(spec.resource, control)} ` +
      `(deleted after it, never retried, gone within ${formatMs(controlMs)}): ` +
      `more than the ${formatMs(slackMs)} alike deletions may differ by. The retries restarted or prolonged it.`,
  );
  const when =
    late <= 0 ? 'before it' : `at most ${formatMs(late)} after it, within the ${formatMs(slackMs)} alike deletions may differ by`;
  return pass(
    `${retries} retries during ${facts.inProgress} returned the resource in that status, ` +
      `the status only went on to deleted (${statuses.length} reads), ` +
      'and the deletion ended no later than that of a control deleted after it without retries ' +
      `(control gone within ${formatMs(controlMs)}; the target ${when}).`,
  );
}

export async function retryAfterComplete(ctx: CheckContext, spec: DeleteOperationSpec): Promise<Outcome> {
  deletion(spec);
  const fx = await prepare(ctx, spec, 'base');
  const target = await createToDelete(ctx, spec, fx, 'target');
  ctx.step(`[${COMPLETE}] ${spec.operation} ${describe(spec.resource, target)}`);
  const first = await remove(ctx, spec, target);
  expect(first.ok, () => `The original delete failed: ${answerText(spec.resource, first)}.`);
  await ctx.waitFor(
    `${describe(spec.resource, target)} deleted (Get answers ResourceNotFoundException)`,
    () => read(ctx, spec.resource, target),
    (current) => current === undefined,
  );
  ctx.step(`[${COMPLETE}] retry the delete after the deletion completed`);
  const retry = await remove(ctx, spec, target);
  expect(
    retry.ok,
    () => `The retry after the deletion completed was to succeed with an empty response; it answered ${answerText(spec.resource, retry)}.`,
  );
  const returned = carried(spec.resource, retry.output);
  expect(
    returned === undefined,
    () => `The retry after the deletion completed returned ${describe(spec.resource, returned)}, not an empty response.`,
  );
  return pass('Once Get answered ResourceNotFoundException, the retry of the delete succeeded with an empty response.');
}
