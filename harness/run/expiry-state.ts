// The two-phase check of client-token/expiry on a target whose clock cannot
// be moved (a real account, an emulator without the clock hook): `--phase
// record` makes the original requests and writes this state file; `--phase
// verify`, at least 8 hours after the latest original request ended, reads
// it back and retries each with the same token and input. Here: the state's
// types, its JSON Schema check (specs/expiry-state.schema.json), the atomic
// write, and what one cell's check sees of the phase (CheckContext.phase).
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import schema from '../../specs/expiry-state.schema.json' with { type: 'json' };
import { TOKEN_LIFETIME_MS } from '../../specs/rules.ts';
import type { RuleId } from '../../specs/rules.ts';
import { UsageError } from '../errors.ts';
import { scrub } from '../client/redact.ts';

export const STATE_FORMAT = 'proton-conformance/expiry-state';
export const STATE_VERSION = 1;
/** Client tokens expire eight hours after the request: specs/rules.ts TOKEN_LIFETIME_MS, under the name the phases use. */
export const TOKEN_EXPIRY_MS = TOKEN_LIFETIME_MS;
export const EXPIRY_RULE = 'client-token/expiry' satisfies RuleId;

/** When a request was in flight, wall clock (ISO 8601, milliseconds). */
export interface RequestTime {
  startedAt: string;
  endedAt: string;
}

/** A resource the record phase made and left for verify (which removes it). */
export interface KeptResource {
  kind: string;
  arn: string;
  label: string;
  /** The resource as the target described it (JSON), enough to delete it. */
  resource: Record<string, unknown>;
}

/** What a record check keeps of one operation. */
export interface RecordedEntry {
  operation: string;
  token: string;
  /** The original request's parameters, the token aside, exactly as sent. */
  input: Record<string, unknown>;
  original: RequestTime & { identityKey: string; arn: string; resource: Record<string, unknown> };
  /** The retry sent right away (before 8 h: it must return the original). */
  retry: RequestTime & { returnedOriginal: boolean; answer: string };
  /** Prerequisites and the original, in creation order. */
  cleanup: KeptResource[];
}

export interface StateEntry extends RecordedEntry {
  /** The record cell's index: names pc<runId>-<cellIndex>-..., and its account on a target with the accounts hook. */
  cellIndex: number;
}

export interface ExpiryState {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  runId: string;
  endpoint: string;
  aws: boolean;
  region: string;
  account?: string;
  recordedAt: string;
  tokenLifetimeMs: number;
  entries: StateEntry[];
}

/** The entries the record phase's cells keep, as they finish. */
export class ExpiryRecording {
  readonly entries: StateEntry[] = [];

  add(entry: StateEntry): void {
    const index = this.entries.findIndex((e) => e.operation === entry.operation);
    if (index >= 0) this.entries.splice(index, 1, entry);
    else this.entries.push(entry);
  }
}

/** The phase of a run, as the runner is given it. */
export type RunPhase = { kind: 'record'; recording: ExpiryRecording } | { kind: 'verify'; state: ExpiryState };

/** What one cell's check sees of the phase (CheckContext.phase). */
export type CellPhase =
  | { kind: 'record'; keep(entry: RecordedEntry): void }
  | { kind: 'verify'; state: ExpiryState; entry: StateEntry | undefined };

export function cellPhase(phase: RunPhase, cellIndex: number, operation: string): CellPhase {
  if (phase.kind === 'record') {
    return { kind: 'record', keep: (entry) => phase.recording.add({ ...entry, cellIndex }) };
  }
  return { kind: 'verify', state: phase.state, entry: phase.state.entries.find((e) => e.operation === operation) };
}

/** In verify, a cell continues the record cell of its operation: same index (names, account). */
export function recordedCellIndex(phase: RunPhase | undefined, rule: string, operation: string): number | undefined {
  if (phase?.kind !== 'verify' || rule !== EXPIRY_RULE) return undefined;
  return phase.state.entries.find((e) => e.operation === operation)?.cellIndex;
}

/** The earliest instant verify may run: 8 h after the latest original request ended (expiry counts from the request). */
export function verifyNotBefore(state: Pick<ExpiryState, 'entries'>): number {
  return Math.max(...state.entries.map((e) => Date.parse(e.original.endedAt))) + TOKEN_EXPIRY_MS;
}

/** 2026-12-01T03:14:00Z: whole seconds, rounded up (never earlier than the instant). */
export function formatInstant(ms: number): string {
  return new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** The resources a state (or recording) keeps, by arn: the record phase's end-of-run cleanup leaves them. */
export function keptArns(entries: readonly RecordedEntry[]): Set<string> {
  return new Set(entries.flatMap((e) => [e.original.arn, ...e.cleanup.map((k) => k.arn)]));
}

let validator: ReturnType<Ajv['compile']> | undefined;

function validate(value: unknown): readonly ErrorObject[] {
  validator ??= new Ajv({ allErrors: false, strict: true }).compile(schema);
  return validator(value) ? [] : (validator.errors ?? []);
}

/** `entries[0].original.endedAt` from `/entries/0/original/endedAt`. */
function fieldName(instancePath: string, child?: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  let out = '';
  for (const part of parts) out += /^\d+$/.test(part) ? `[${part}]` : out === '' ? part : `.${part}`;
  return out === '' ? '(the whole file)' : out;
}

function describeProblem(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${fieldName(error.instancePath, String(params['missingProperty']))} is missing`;
    case 'additionalProperties':
      return `${fieldName(error.instancePath, String(params['additionalProperty']))} is not a field of the state file`;
    case 'const':
      return `${fieldName(error.instancePath)} must be ${JSON.stringify(params['allowedValue'])}`;
    case 'enum':
      return (
        `${fieldName(error.instancePath)} must be one ` +
        `of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
      );
    case 'not':
      return `${fieldName(error.instancePath)} must not carry clientToken (the token is its own field)`;
    default:
      return `${fieldName(error.instancePath)} ${error.message ?? 'is invalid'}`;
  }
}

/** Checks what the schema cannot: real instants, in order, not in the future; one entry per operation. */
function semanticProblem(state: ExpiryState, now: number): string | undefined {
  const instant = (value: string, field: string): string | undefined => {
    const ms = Date.parse(value);
    if (Number.isNaN(ms) || new Date(ms).toISOString() !== value) return `${field} is not a real instant (${value})`;
    if (ms > now + 5 * 60_000) return `${field} is in the future (${value})`;
    return undefined;
  };
  const recorded = instant(state.recordedAt, 'recordedAt');
  if (recorded) return recorded;
  const seen = new Set<string>();
  for (const [i, entry] of state.entries.entries()) {
    if (seen.has(entry.operation)) return `entries[${i}].operation repeats ${entry.operation}`;
    seen.add(entry.operation);
    for (const part of ['original', 'retry'] as const) {
      for (const edge of ['startedAt', 'endedAt'] as const) {
        const problem = instant(entry[part][edge], `entries[${i}].${part}.${edge}`);
        if (problem) return problem;
      }
      if (Date.parse(entry[part].endedAt) < Date.parse(entry[part].startedAt))
        return `entries[${i}].${part}.endedAt is before its startedAt`;
    }
    if (Date.parse(entry.retry.startedAt) < Date.parse(entry.original.endedAt))
      return `entries[${i}].retry.startedAt is before original.endedAt`;
    if (entry.original.resource['arn'] !== entry.original.arn) return `entries[${i}].original.arn does not match original.resource.arn`;
  }
  return undefined;
}

/** The state of a file's text; a UsageError (exit 2) naming the bad field otherwise. */
export function parseState(text: string, path: string, now: number = Date.now()): ExpiryState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--state ${path}: not JSON (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
  const [first] = validate(value);
  if (first)
    throw new UsageError(
      `--state ${path}: ${describeProblem(first)} (specs/expiry-state.schema.json); not a state file --phase record wrote, or edited since`,
    );
  const state = value as ExpiryState;
  const problem = semanticProblem(state, now);
  if (problem) throw new UsageError(`--state ${path}: ${problem}; not a state file --phase record wrote, or edited since`);
  return state;
}

export async function readState(path: string): Promise<ExpiryState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--state ${path}: ${code === 'ENOENT' ? 'no such file (write it with --phase record)' : `cannot be read (${code ?? String(error)})`}`,
    );
  }
  return parseState(text, path);
}

/** The state as written: checked against its own schema, holding no secret, then written atomically (temp file, rename). */
export async function writeState(path: string, state: ExpiryState): Promise<void> {
  const text = `${JSON.stringify(state, null, 2)}\n`;
  const [problem] = validate(state);
  if (problem) throw new Error(`the expiry state to write does not match its schema: ${describeProblem(problem)}`);
  // Every known secret (credentials) and any SigV4 signature: none may reach the file.
  if (scrub(text) !== text) throw new Error('the expiry state to write contains a credential or a signature: not written');
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { encoding: 'utf8', mode: 0o600, flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
