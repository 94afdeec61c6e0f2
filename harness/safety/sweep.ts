// Finding and removing what runs created on a target that cannot be reset
// (a real account): the end-of-run cleanup (one run) and `proton-conformance
// sweep` (any run, optionally older than a duration). Every kind is listed
// with pagination; a resource is selected by its name's prefix `pc<runId>-`
// (a template version by its template's; a connection, which has no name, by
// its tag alone) and confirmed by its tag proton-conformance:run=<runId>.
// Removal goes in dependency order (specs/resources.ts DELETION_ORDER, a
// template's recommended version after its other versions), waits for
// asynchronous deletes with backoff and jitter within a bound, and goes
// through the ownership guard like every delete the suite sends. It ends
// with what is left, never hangs.
import type { ProtonClient } from '@aws-sdk/client-proton';
import { attempt } from '../../specs/commands.ts';
import type { CallResult } from '../../specs/commands.ts';
import { DELETION_ORDER, KIND_WORDS, RESOURCES } from '../../specs/resources.ts';
import { listEvery } from '../../specs/lists.ts';
import type { Input, ResourceSpec } from '../../specs/types.ts';
import { NAME_PREFIX, TAG_RUN } from './names.ts';
import type { Credentials } from '../client/client.ts';
import { backoff, sleep } from '../pace.ts';
import type { Backoff } from '../pace.ts';
import { RUN_ID, addOwnershipGuard, createReader, describeRef, listTags, ownsRun, runIdOfName, runIdOfTags } from './ownership.ts';
import type { RefusedDelete, RunSelector } from './ownership.ts';

export interface Found {
  spec: ResourceSpec;
  /** The listed item (name, arn, template name and version numbers, id, createdAt, ...). */
  item: Record<string, unknown>;
  label: string;
  runId: string;
  createdAt: Date | undefined;
  /** A template version that is its template's recommended one (removed last). */
  recommended?: boolean;
}

/** A resource with a run's name prefix that is not confirmed by its tag: never removed. */
export interface Unconfirmed {
  label: string;
  reason: string;
}

export interface FindOptions {
  /** One run id (end-of-run cleanup) or a predicate over run ids (sweep). */
  runs: RunSelector;
  /** Only resources at least this old (by the run id's time, or the resource's createdAt, whichever says older). */
  olderThanMs?: number;
  now?: number;
  signal?: AbortSignal;
}

export interface Findings {
  found: Found[];
  unconfirmed: Unconfirmed[];
}

const TEMPLATES: ReadonlyArray<[ResourceSpec, ResourceSpec]> = [
  [RESOURCES.serviceTemplate, RESOURCES.serviceTemplateVersion],
  [RESOURCES.environmentTemplate, RESOURCES.environmentTemplateVersion],
];

const RUN_TIME_SPAN = 36 ** 6;

/**
 * The time a run id was made (newRunId: the last six base-36 digits of the
 * epoch milliseconds): the latest such instant not after `now`. The digits
 * wrap every ~25 days, so an older run looks younger: callers also use the
 * resource's createdAt.
 */
export function runIdTime(runId: string, now: number = Date.now()): number | undefined {
  if (!RUN_ID.test(runId)) return undefined;
  const low = parseInt(runId.slice(0, 6), 36);
  const candidate = now - ((((now - low) % RUN_TIME_SPAN) + RUN_TIME_SPAN) % RUN_TIME_SPAN);
  return candidate;
}

/** Parses 90s, 30m, 2h, 7d (or a combination like 1h30m); milliseconds. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(trimmed)) return undefined;
  const unit: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  let total = 0;
  for (const [, n, , u] of trimmed.matchAll(/(\d+(\.\d+)?)(ms|s|m|h|d|w)/g)) total += Number(n) * unit[u!]!;
  return total;
}

/** Calls with the SDK's retries, then more waiting while the target throttles (bounded). */
async function call(
  reader: ProtonClient,
  operation: Parameters<typeof attempt>[1],
  input: Input,
  signal?: AbortSignal,
): Promise<CallResult> {
  for (let retry = 1; ; retry++) {
    const result = await attempt(reader, operation, input);
    if (result.ok || !isThrottle(result.error.name) || retry > 5 || signal?.aborted) return result;
    await sleep(backoff(THROTTLED_READ, retry), signal, { onAbort: 'resolve' });
  }
}

function isThrottle(name: string): boolean {
  return /Throttl|TooManyRequests|RequestLimitExceeded/.test(name);
}

/** Waits are jittered by a quarter either way. */
const SWEEP_JITTER = [0.75, 1.25] as const;
/** A throttled read: 1 s, doubling, five times at most. */
const THROTTLED_READ: Backoff = { baseMs: 1_000, factor: 2, jitter: SWEEP_JITTER };
/** Between removal passes and polls of an asynchronous delete: from RemoveOptions.pollMs, growing, at most 30 s. */
const PASS_CAP_MS = 30_000;

/** The next interval between passes or polls: half as long again, or three times as long after a throttle. */
function grown(intervalMs: number, throttled: boolean): number {
  return backoff({ baseMs: intervalMs, factor: throttled ? 3 : 1.5, capMs: PASS_CAP_MS }, 2);
}

/** A jittered wait of about `intervalMs`, not past `deadline`; ends (resolving) when `signal` aborts. */
function jitteredWait(intervalMs: number, deadline: number, signal: AbortSignal | undefined): Promise<void> {
  const ms = Math.min(backoff({ baseMs: intervalMs, factor: 1, jitter: SWEEP_JITTER }), Math.max(0, deadline - Date.now()));
  return sleep(ms, signal, { onAbort: 'resolve' });
}

/** Every item of a scope (listEvery: a template's versions major by major, whichever way the target lists them). */
function listAll(
  reader: ProtonClient,
  spec: ResourceSpec,
  scope: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<Array<Record<string, unknown>>> {
  return listEvery(spec, scope, (input) => pagesOf(reader, spec, input, signal));
}

async function pagesOf(
  reader: ProtonClient,
  spec: ResourceSpec,
  first: Input,
  signal?: AbortSignal,
): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const input: Input = { ...first, maxResults: 100, ...(nextToken ? { nextToken } : {}) };
    const result = await call(reader, spec.list.operation, input, signal);
    if (!result.ok) throw new Error(`${spec.list.operation}: ${result.error.name}: ${result.error.message.split('\n')[0]}`);
    for (const item of (result.output[spec.list.items] as Array<Record<string, unknown>> | undefined) ?? []) items.push(item);
    nextToken = typeof result.output.nextToken === 'string' && result.output.nextToken ? result.output.nextToken : undefined;
    if (!nextToken || signal?.aborted) break;
  }
  return items;
}

function dateOf(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

/** Lists every kind and selects what the selected runs created (name prefix, confirmed by tag). */
export async function findLeftovers(reader: ProtonClient, options: FindOptions): Promise<Findings> {
  const now = options.now ?? Date.now();
  const found: Found[] = [];
  const unconfirmed: Unconfirmed[] = [];
  const oldEnough = (runId: string, createdAt: Date | undefined): boolean => {
    if (options.olderThanMs === undefined) return true;
    const ages = [runIdTime(runId, now), createdAt?.getTime()].flatMap((t) => (t === undefined ? [] : [now - t]));
    return ages.length > 0 && Math.max(...ages) >= options.olderThanMs;
  };
  /** The tag check of one selected item; pushes it to found or unconfirmed. */
  const confirm = async (
    spec: ResourceSpec,
    item: Record<string, unknown>,
    runId: string,
    extra: Partial<Found> = {},
  ): Promise<boolean> => {
    const label = describeRef(spec, item);
    const arn = item.arn;
    if (typeof arn !== 'string') {
      unconfirmed.push({ label, reason: `${spec.list.operation} gave no arn, so its tags cannot be read` });
      return false;
    }
    let tags;
    try {
      tags = await listTags(reader, arn);
    } catch (error) {
      unconfirmed.push({ label, reason: `its tags could not be read (${error instanceof Error ? error.message : String(error)})` });
      return false;
    }
    if (tags === undefined) return false; // gone meanwhile
    const tagRun = runIdOfTags(tags);
    if (tagRun !== runId) {
      unconfirmed.push({
        label,
        reason:
          tagRun === undefined
            ? `it carries the prefix ${NAME_PREFIX}${runId}- but not the tag ${TAG_RUN}`
            : `its tag ${TAG_RUN}=${tagRun} does not match its name's run ${runId}`,
      });
      return false;
    }
    found.push({ spec, item, label, runId, createdAt: dateOf(item[spec.created]), ...extra });
    return true;
  };
  const select = (name: unknown, createdAt: unknown): string | undefined => {
    const runId = runIdOfName(name);
    if (runId === undefined || !ownsRun(options.runs, runId)) return undefined;
    return oldEnough(runId, dateOf(createdAt)) ? runId : undefined;
  };

  for (const spec of [RESOURCES.service, RESOURCES.environment]) {
    for (const item of await listAll(reader, spec, {}, options.signal)) {
      const runId = select(item.name, item[spec.created]);
      if (runId !== undefined) await confirm(spec, item, runId);
    }
  }
  // Connections have no name: their tag alone says whose they are.
  const connections = RESOURCES.environmentAccountConnection;
  for (const item of await listAll(reader, connections, {}, options.signal)) {
    if (typeof item.arn !== 'string') continue;
    const tags = await listTags(reader, item.arn).catch(() => undefined);
    const runId = tags ? runIdOfTags(tags) : undefined;
    if (runId === undefined || !RUN_ID.test(runId) || !ownsRun(options.runs, runId) || !oldEnough(runId, dateOf(item[connections.created])))
      continue;
    found.push({ spec: connections, item, label: describeRef(connections, item), runId, createdAt: dateOf(item[connections.created]) });
  }
  for (const [templateSpec, versionSpec] of TEMPLATES) {
    for (const template of await listAll(reader, templateSpec, {}, options.signal)) {
      const runId = select(template.name, template[templateSpec.created]);
      if (runId === undefined) continue;
      let versions: Array<Record<string, unknown>> = [];
      try {
        versions = await listAll(reader, versionSpec, { templateName: template.name }, options.signal);
      } catch (error) {
        unconfirmed.push({
          label: `versions of ${describeRef(templateSpec, template)}`,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
      const recommendedMajor = typeof template.recommendedVersion === 'string' ? template.recommendedVersion.split('.')[0] : undefined;
      for (const version of versions) {
        const item = { ...version, templateName: template.name };
        const recommended = version.majorVersion === recommendedMajor && version.minorVersion === version.recommendedMinorVersion;
        await confirm(versionSpec, item, runId, { recommended });
      }
      await confirm(templateSpec, template, runId);
    }
  }
  found.sort(
    (a, b) =>
      DELETION_ORDER.indexOf(a.spec.kind) - DELETION_ORDER.indexOf(b.spec.kind) ||
      Number(a.recommended ?? false) - Number(b.recommended ?? false),
  );
  return { found, unconfirmed };
}

export interface RemoveOptions {
  /** The whole removal's bound, milliseconds (default 300 s). */
  timeoutMs?: number;
  /** First wait between polls of an asynchronous delete, milliseconds (default 2 s; grows with backoff). */
  pollMs?: number;
  signal?: AbortSignal;
  /** One line per step, for progress. */
  onProgress?: (line: string) => void;
}

export interface Removal {
  removed: string[];
  /** What is still there at the end, with why. */
  left: Unconfirmed[];
  refused: RefusedDelete[];
  timedOut: boolean;
}

export const DEFAULT_CLEANUP_TIMEOUT_MS = 300_000;

/**
 * Removes what findLeftovers found, through a guarded client (the ownership
 * guard checks every delete again, for `runs`), in dependency order, waiting
 * for asynchronous deletes, within the bound.
 */
export async function removeFound(
  deleter: ProtonClient,
  reader: ProtonClient,
  runs: RunSelector,
  found: readonly Found[],
  options: RemoveOptions = {},
): Promise<Removal> {
  const refused: RefusedDelete[] = [];
  addOwnershipGuard(deleter, { reader, runs, onRefuse: (r) => refused.push(r) });
  const timeoutMs = options.timeoutMs ?? DEFAULT_CLEANUP_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const expired = (): boolean => Date.now() >= deadline || options.signal?.aborted === true;
  const removed: string[] = [];
  const lastError = new Map<Found, string>();
  const refusedItems = new Set<Found>();
  const leftover: Found[] = [];
  const progress = options.onProgress ?? (() => undefined);

  for (const kind of DELETION_ORDER) {
    let group = found.filter((f) => f.spec.kind === kind);
    if (group.length === 0) continue;
    const spec = RESOURCES[kind];
    let wait = options.pollMs ?? 2_000;
    // Passes: a target may refuse some until others are gone (a template's
    // recommended version last, an environment until its services are gone).
    while (group.length > 0 && !expired()) {
      const again: Found[] = [];
      const deleting: Found[] = [];
      let throttled = false;
      for (const item of group) {
        if (expired()) {
          again.push(item);
          continue;
        }
        let result: CallResult;
        try {
          result = await attempt(deleter, spec.remove.operation, spec.remove.input(item.item));
        } catch (error) {
          // The ownership guard's refusal (InconclusiveCheck) is thrown, not answered.
          result = {
            ok: false,
            error: {
              name: error instanceof Error ? error.name : 'Error',
              message: error instanceof Error ? error.message : String(error),
              status: undefined,
            },
          };
        }
        if (result.ok) {
          if (spec.asyncDeletion) deleting.push(item);
          else {
            removed.push(item.label);
            progress(`removed ${item.label}`);
          }
        } else if (result.error.name === 'ResourceNotFoundException') {
          removed.push(item.label);
        } else if (result.error.name === 'InconclusiveCheck') {
          refusedItems.add(item);
          lastError.set(item, result.error.message);
        } else {
          if (isThrottle(result.error.name)) throttled = true;
          lastError.set(item, `${spec.remove.operation}: ${result.error.name}: ${result.error.message.split('\n')[0]}`);
          again.push(item);
        }
      }
      // Asynchronous deletes: poll until gone.
      let polling = deleting;
      let pollWait = options.pollMs ?? 2_000;
      if (polling.length > 0) progress(`waiting for ${polling.length} ${KIND_WORDS[kind]} deletion${polling.length === 1 ? '' : 's'}`);
      while (polling.length > 0 && !expired()) {
        await jitteredWait(pollWait, deadline, options.signal);
        const still: Found[] = [];
        let slow = false;
        for (const item of polling) {
          const probe = await attempt(reader, spec.get.operation, spec.get.input(item.item));
          if (!probe.ok && probe.error.name === 'ResourceNotFoundException') {
            removed.push(item.label);
            progress(`removed ${item.label}`);
            continue;
          }
          if (!probe.ok && isThrottle(probe.error.name)) slow = true;
          const status =
            probe.ok && spec.asyncDeletion
              ? (probe.output[spec.member] as Record<string, unknown> | undefined)?.[spec.asyncDeletion.statusField]
              : undefined;
          if (probe.ok && status !== undefined && status !== spec.asyncDeletion?.inProgress) {
            // Not deleting (the delete failed, e.g. DELETE_FAILED): try again in the next pass.
            lastError.set(item, `its ${spec.asyncDeletion?.statusField} is ${String(status)} after the delete`);
            again.push(item);
            continue;
          }
          lastError.set(item, `still ${String(status ?? 'being deleted')}`);
          still.push(item);
        }
        polling = still;
        pollWait = grown(pollWait, slow);
      }
      again.push(...polling);
      group = again;
      if (group.length > 0 && !expired()) {
        await jitteredWait(wait, deadline, options.signal);
        wait = grown(wait, throttled);
      }
    }
    leftover.push(...group, ...found.filter((f) => f.spec.kind === kind && refusedItems.has(f)));
  }
  const left = leftover.map((item) => ({
    label: item.label,
    reason: refusedItems.has(item)
      ? (lastError.get(item) ?? 'refused by the ownership guard')
      : expired() && !lastError.has(item)
        ? 'not tried: the cleanup ran out of time'
        : (lastError.get(item) ?? 'not removed'),
  }));
  return { removed, left, refused, timedOut: Date.now() >= deadline };
}

/** "3 left: service pcx-1-a-1 (still DELETE_IN_PROGRESS), ..." */
export function describeLeft(left: readonly Unconfirmed[], max = 10): string {
  const shown = left.slice(0, max).map((l) => `${l.label} (${l.reason})`);
  return `${shown.join('; ')}${left.length > max ? `; and ${left.length - max} more` : ''}`;
}

export interface SweepTarget {
  endpoint: string;
  region: string;
  credentials: Credentials | undefined;
}

export interface SweepOutcome {
  findings: Findings;
  /** Undefined for a dry run. */
  removal: Removal | undefined;
  /** Found and left alone on purpose (`keep`): what --phase record keeps for --phase verify. */
  kept: Found[];
}

/**
 * Finds what the selected runs left and (unless a dry run) removes it: the
 * end-of-run cleanup (runs = the run id) and `proton-conformance sweep`.
 */
export async function sweep(
  target: SweepTarget,
  options: FindOptions & RemoveOptions & { dryRun?: boolean; keep?: (found: Found) => boolean },
): Promise<SweepOutcome> {
  const reader = createReader(target);
  const deleter = createReader(target);
  try {
    const findings = await findLeftovers(reader, options);
    const kept = options.keep ? findings.found.filter(options.keep) : [];
    const toRemove = findings.found.filter((found) => !kept.includes(found));
    if (options.dryRun || toRemove.length === 0) {
      return { findings, removal: options.dryRun ? undefined : { removed: [], left: [], refused: [], timedOut: false }, kept };
    }
    const removal = await removeFound(deleter, reader, options.runs, toRemove, options);
    return { findings, removal, kept };
  } finally {
    reader.destroy();
    deleter.destroy();
  }
}
