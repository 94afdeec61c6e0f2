// The ownership guard: against any target that is not the embedded emulator,
// before every Delete* the suite sends, the resource must be shown to be the
// run's: its name (a template version: its template's name) starts with the
// run's prefix `pc<runId>-` (harness/safety/names.ts), and it carries the tag
// proton-conformance:run=<runId> (Get for its arn, then ListTagsForResource).
// A resource that does not exist may be "deleted" (an idempotent delete of an
// absent resource is part of the contract) only if its name carries the
// prefix. Environment account connections have no name: their tag decides
// (Get by id, arn, tags); an absent one removes nothing and may be deleted
// (its id is the service's own, never given to another connection). Anything
// else is refused before it is sent: InconclusiveCheck, listed in the report.
//
// The guard also keeps the run's ledger: what its creates made and its deletes
// did not remove (what an interrupted run may leave behind).
import { ProtonClient } from '@aws-sdk/client-proton';
import type { Credentials } from '../client/client.ts';
import { NAME_PREFIX, TAG_RUN } from './names.ts';
import { InconclusiveCheck } from '../types.ts';
import { KIND_WORDS, RESOURCES } from '../../specs/resources.ts';
import { attempt } from '../../specs/commands.ts';
import type { ResourceSpec } from '../../specs/types.ts';

/** A run id as newRunId makes it: ten of [0-9a-z]. */
export const RUN_ID = /^[0-9a-z]{10}$/;
const NAMED_BY_RUN = new RegExp(`^${NAME_PREFIX}([0-9a-z]{10})(?:-|$)`);

/** The run id a name the suite gave carries (`pc<runId>-...`), if any. */
export function runIdOfName(name: unknown): string | undefined {
  return typeof name === 'string' ? NAMED_BY_RUN.exec(name)?.[1] : undefined;
}

/** Which runs' resources a guard lets go: one run (its end-of-run cleanup) or a predicate (sweep). */
export type RunSelector = string | ((runId: string) => boolean);

export function ownsRun(selector: RunSelector, runId: string): boolean {
  return typeof selector === 'string' ? selector === runId : selector(runId);
}

/** A delete the guard refused, as the report lists it. */
export interface RefusedDelete {
  operation: string;
  /** What it would have deleted: `environment pcx-1-a-1`, `connection <id>`. */
  resource: string;
  reason: string;
  /** The cell (rule and operation) that sent it; absent for a cleanup or sweep. */
  cell?: string;
}

/** The kind a Delete* removes (specs/resources.ts). */
export function removedKind(operation: string): ResourceSpec | undefined {
  return Object.values(RESOURCES).find((spec) => spec.remove.operation === operation);
}

const isVersion = (spec: ResourceSpec): boolean => spec.kind === 'environmentTemplateVersion' || spec.kind === 'serviceTemplateVersion';
const isConnection = (spec: ResourceSpec): boolean => spec.kind === 'environmentAccountConnection';

/** A short label of a resource reference, for messages. */
export function describeRef(spec: ResourceSpec, ref: Record<string, unknown>): string {
  const word = KIND_WORDS[spec.kind];
  if (isConnection(spec)) return `${word} ${String(ref.id)}`;
  if (isVersion(spec)) return `${word} ${String(ref.templateName)} ${String(ref.majorVersion)}.${String(ref.minorVersion)}`;
  return `${word} ${String(ref.name)}`;
}

/** The name that shows a resource is a run's: its own, or (a version) its template's. */
function ownerName(spec: ResourceSpec, ref: Record<string, unknown>): unknown {
  return isVersion(spec) ? ref.templateName : ref.name;
}

/** All tags of a resource; `undefined` when it is gone. */
export async function listTags(reader: ProtonClient, arn: string): Promise<Array<{ key: string; value: string }> | undefined> {
  const tags: Array<{ key: string; value: string }> = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await attempt(reader, 'ListTagsForResource', { resourceArn: arn, ...(nextToken ? { nextToken } : {}) });
    if (!result.ok) {
      if (result.error.name === 'ResourceNotFoundException') return undefined;
      throw new Error(`ListTagsForResource: ${result.error.name}: ${result.error.message}`);
    }
    for (const tag of (result.output.tags as Array<{ key: string; value: string }> | undefined) ?? []) tags.push(tag);
    nextToken = typeof result.output.nextToken === 'string' && result.output.nextToken ? result.output.nextToken : undefined;
    if (!nextToken) break;
  }
  return tags;
}

/** The run a resource's tags name (proton-conformance:run), if any. */
export function runIdOfTags(tags: ReadonlyArray<{ key: string; value: string }>): string | undefined {
  return tags.find((tag) => tag.key === TAG_RUN)?.value;
}

/** What the run created and has not deleted, by kind and identity. */
export class Ledger {
  private readonly live = new Map<string, { kind: ResourceSpec['kind']; label: string }>();

  private static key(spec: ResourceSpec, ref: Record<string, unknown>): string {
    return `${spec.kind} ${describeRef(spec, ref)}`;
  }

  created(spec: ResourceSpec, ref: Record<string, unknown>): void {
    this.live.set(Ledger.key(spec, ref), { kind: spec.kind, label: describeRef(spec, ref) });
  }

  deleted(spec: ResourceSpec, ref: Record<string, unknown>): void {
    this.live.delete(Ledger.key(spec, ref));
  }

  knows(spec: ResourceSpec, ref: Record<string, unknown>): boolean {
    return this.live.has(Ledger.key(spec, ref)) || this.ever.has(Ledger.key(spec, ref));
  }

  /** Everything ever created (a deleted connection's id stays known). */
  private readonly ever = new Set<string>();

  remember(spec: ResourceSpec, ref: Record<string, unknown>): void {
    this.ever.add(Ledger.key(spec, ref));
  }

  /** "2 environment templates, 1 environment": what may be left. */
  summary(): string {
    const byKind = new Map<string, number>();
    for (const { kind } of this.live.values()) byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    return [...byKind].map(([kind, n]) => `${n} ${KIND_WORDS[kind as ResourceSpec['kind']]}${n === 1 ? '' : 's'}`).join(', ');
  }

  get size(): number {
    return this.live.size;
  }
}

export interface GuardOptions {
  /** Reads (Get, ListTagsForResource) with the deleting client's identity, not recorded as evidence. */
  reader: ProtonClient;
  runs: RunSelector;
  /** The run's ledger: what its creates made and its deletes did not remove (what an interrupted run may leave). */
  ledger?: Ledger;
  /** Told of every refusal before it is thrown. */
  onRefuse?: (refused: RefusedDelete) => void;
  cell?: string;
}

/**
 * Decides whether a Delete* may be sent; undefined when it may, else the
 * reason it may not. Never sends the delete.
 */
export async function ownershipProblem(
  options: GuardOptions,
  operation: string,
  input: Record<string, unknown>,
): Promise<string | undefined> {
  const spec = removedKind(operation);
  if (!spec) return `${operation} removes no kind of resource the suite creates`;
  const named = !isConnection(spec);
  let nameRun: string | undefined;
  if (named) {
    const name = ownerName(spec, input);
    nameRun = runIdOfName(name);
    if (nameRun === undefined || !ownsRun(options.runs, nameRun)) {
      const which =
        typeof options.runs === 'string' ? `this run's prefix ${NAME_PREFIX}${options.runs}-` : `a run's prefix ${NAME_PREFIX}<run id>-`;
      return `its ${isVersion(spec) ? "template's name" : 'name'} '${String(name)}' does not start with ${which}`;
    }
  }
  let ref: Record<string, unknown>;
  try {
    ref = spec.get.input(input);
  } catch (error) {
    return `it cannot be read to confirm ownership (${error instanceof Error ? error.message : String(error)})`;
  }
  // Absent: the delete removes nothing. A named one still needed the run's
  // prefix (above), so that a resource created under that name between the
  // Get and the delete can only be the run's own; a connection's id is the
  // service's, made anew for every connection, so none can appear under it.
  const absent = (): string | undefined => undefined;
  const got = await attempt(options.reader, spec.get.operation, ref);
  if (!got.ok) {
    if (got.error.name === 'ResourceNotFoundException') return absent();
    return `it could not be read to confirm ownership (${spec.get.operation}: ${got.error.name}: ${got.error.message.split('\n')[0]})`;
  }
  const resource = got.output[spec.member] as Record<string, unknown> | undefined;
  const arn = resource?.arn;
  if (typeof arn !== 'string') return `${spec.get.operation} answered without its arn, so its tags cannot be read`;
  let tags: Array<{ key: string; value: string }> | undefined;
  try {
    tags = await listTags(options.reader, arn);
  } catch (error) {
    return `its tags could not be read (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
  if (tags === undefined) return absent();
  const tagRun = runIdOfTags(tags);
  if (tagRun === undefined) return `it lacks the tag ${TAG_RUN}`;
  if (nameRun !== undefined && tagRun !== nameRun) return `its tag ${TAG_RUN}=${tagRun} does not match the run in its name (${nameRun})`;
  if (!ownsRun(options.runs, tagRun)) {
    return typeof options.runs === 'string'
      ? `its tag ${TAG_RUN}=${tagRun} names another run than this one (${options.runs})`
      : `its tag ${TAG_RUN}=${tagRun} is not a run being swept`;
  }
  return undefined;
}

/** Throws InconclusiveCheck (and tells onRefuse) when the delete is not shown to be the run's. */
export async function guardDelete(options: GuardOptions, operation: string, input: Record<string, unknown>): Promise<void> {
  const problem = await ownershipProblem(options, operation, input);
  if (problem === undefined) return;
  const spec = removedKind(operation);
  const resource = spec ? describeRef(spec, input) : JSON.stringify(input);
  const refused: RefusedDelete = { operation, resource, reason: problem, ...(options.cell ? { cell: options.cell } : {}) };
  options.onRefuse?.(refused);
  throw new InconclusiveCheck(`the ownership guard refused ${operation} of ${resource}: ${problem} (nothing was deleted)`);
}

export const OWNERSHIP_MIDDLEWARE = 'protonConformanceOwnership';

/**
 * Adds the guard to a client: before each Delete* it checks ownership (once,
 * before the SDK's retries); after each Create* and Delete* that succeeded it
 * updates the ledger.
 */
export function addOwnershipGuard(client: ProtonClient, options: GuardOptions): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      const input = (args.input ?? {}) as Record<string, unknown>;
      if (operation.startsWith('Delete')) await guardDelete(options, operation, input);
      const result = await next(args);
      if (options.ledger) noteInLedger(options.ledger, operation, input, result.output as unknown as Record<string, unknown>);
      return result;
    },
    { step: 'initialize', name: OWNERSHIP_MIDDLEWARE, override: true },
  );
}

function noteInLedger(ledger: Ledger, operation: string, input: Record<string, unknown>, output: Record<string, unknown>): void {
  if (operation.startsWith('Create')) {
    for (const spec of Object.values(RESOURCES)) {
      const made = output?.[spec.member];
      if (made !== null && typeof made === 'object') {
        ledger.created(spec, made as Record<string, unknown>);
        ledger.remember(spec, made as Record<string, unknown>);
      }
    }
  } else if (operation.startsWith('Delete')) {
    const spec = removedKind(operation);
    if (spec) ledger.deleted(spec, input);
  }
}

export interface ReaderEnvironment {
  endpoint: string;
  region: string;
  credentials: Credentials | undefined;
}

/** A plain client for the guard's and the sweep's reads (the SDK's own retries; nothing recorded). */
export function createReader(env: ReaderEnvironment): ProtonClient {
  return new ProtonClient({
    endpoint: env.endpoint,
    region: env.region,
    ignoreConfiguredEndpointUrls: true,
    // Bounded: a guard's read must not hang a cell's cleanup or a sweep.
    requestHandler: { requestTimeout: 30_000, connectionTimeout: 5_000 },
    ...(env.credentials !== undefined ? { credentials: env.credentials } : {}),
  });
}

/** The run-wide side of the guard: its runs, ledger and refusals; one guard per cell client. */
export class RunOwnership {
  readonly ledger = new Ledger();
  readonly refused: RefusedDelete[] = [];

  constructor(readonly runId: string) {}

  /** The options of one cell's guard (its reader signs as the cell does). */
  forCell(reader: ProtonClient, cell: string, onRefuse?: (refused: RefusedDelete) => void): GuardOptions {
    return {
      reader,
      runs: this.runId,
      ledger: this.ledger,
      cell,
      onRefuse: (refused) => {
        this.refused.push(refused);
        onRefuse?.(refused);
      },
    };
  }
}

/**
 * The verdict of a cell whose check had a delete refused: inconclusive (what
 * it observed after the refusal is not the target's doing), with the refusal
 * as the reason; undefined when nothing was refused.
 */
export function refusalVerdict(
  refused: readonly RefusedDelete[],
  judged: { verdict: string; reason: string },
): { verdict: 'inconclusive'; reason: string } | undefined {
  if (refused.length === 0) return undefined;
  if (judged.verdict === 'inconclusive' && judged.reason.startsWith('the ownership guard refused'))
    return { verdict: 'inconclusive', reason: judged.reason };
  const what = refused.map((r) => `${r.operation} of ${r.resource}: ${r.reason}`).join('; ');
  return {
    verdict: 'inconclusive',
    reason: `the ownership guard refused ${what} (nothing was deleted; the check then said ${judged.verdict}: ${judged.reason})`,
  };
}
