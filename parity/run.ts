// The parity runner (issue 22, docs/parity.md): each sequence of the corpus
// sent to every target in the same order, step by step (the targets of one
// step at once), then its cleanup; each answer normalised per target per
// sequence (normalise.ts). A sequence runs in an account of its own where
// every target has the `accounts` hook (a 12-digit access key id names it),
// reset first where it has `reset`; else the sequences run one at a time in
// the one account, and their cleanups keep it clean.
//
// Time, where every target has the `clock` and `durations` hooks (clock
// mode): each sequence first sets every transition to HELD_MS (virtual), so
// nothing progresses on its own while the sequence runs, however slow the
// machine; after each step both clocks move on STEP_MS (so that two steps
// never share an instant: timestamps keep their identity); a `settle` step
// first moves both clocks past HELD_MS. Without those hooks (poll mode),
// a `settle` step first polls, on each target, every resource the sequence
// has answered with that has an asynchronous transition (specs/resources.ts:
// `ready`, `asyncDeletion`) until no status of it ends in IN_PROGRESS or it
// is gone, within three times the transition's typical duration
// (specs/transitions.ts, the plan's figures); one that never settles is
// noted, and the sequence goes on.
import { randomInt } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { RESOURCES } from '../specs/resources.ts';
import { MANAGEMENT_ACCOUNTS } from '../specs/values.ts';
import { TYPICAL_DURATIONS, TRANSITION_NAMES, type TransitionName } from '../specs/transitions.ts';
import type { Resource, ResourceSpec } from '../specs/types.ts';
import { createHooks } from '../harness/target/hooks.ts';
import type { HookName } from '../harness/target/probe.ts';
import { waitFor } from '../harness/run/wait.ts';
import type { Capability, Hooks } from '../harness/types.ts';
import type { CredentialsProvider } from '../harness/target/target.ts';
import { notOwned } from './guard.ts';
import { canonical, Normaliser, stringsOf } from './normalise.ts';
import { sendStep, type SendContext } from './send.ts';
import type { ParityAnswer, ParitySequence, ParityStep } from './types.ts';

/** Virtual time every transition takes while a sequence runs in clock mode. */
export const HELD_MS = 30 * 60_000;
/** Virtual time between two steps in clock mode. */
export const STEP_MS = 1_000;
/** Sequences at once when every target has the accounts hook. */
export const CONCURRENCY = 4;

export interface ParityEndpoint {
  /** 'reference' or 'candidate' (messages). */
  label: string;
  url: string;
  hooks: ReadonlySet<HookName>;
  /** May be a real account (parity/targets.ts): only the run's own resources are changed there (guard.ts). */
  remote?: boolean;
  /** The standard chain's credentials (a target without the accounts hook); else the per-sequence key of send.ts. */
  credentials?: CredentialsProvider;
}

/** What one target answered to one step: a normalised answer, or the weather it never got past. */
export interface StepAnswer {
  answer?: ParityAnswer;
  weather?: string;
  /** Not sent to this target, and why (guard.ts: it names no resource of the run, on a target that may be a real account). */
  withheld?: string;
}

export interface SequenceRun {
  sequence: ParitySequence;
  /** Per target (in the order given), per step. */
  answers: StepAnswer[][];
  /** Resources that did not settle within their bound before a settle step (poll mode). */
  unsettled: string[];
  /** Requests sent per target (weather retries, polls and hooks included). */
  requests: number[];
  /** Why the sequence was not sent at all (no answers): a step needs what a target lacks. */
  skipped?: string;
}

export interface DriveOptions {
  corpus: readonly ParitySequence[];
  endpoints: readonly ParityEndpoint[];
  pool: Dispatcher;
  /** The region requests are signed for (default us-east-1). */
  region?: string;
  signal?: AbortSignal;
  /** Sends of one request through weather at most (default send.ts WEATHER_ATTEMPTS). */
  weatherAttempts?: number;
  /** After each sequence: how many are done. */
  onSequence?: (run: SequenceRun, done: number, total: number) => void;
}

export interface DriveResult {
  runs: SequenceRun[];
  /** Clock mode (every target has clock and durations), else poll mode. */
  clock: boolean;
  /** Requests sent, per target (weather retries, polls and hooks included). */
  requests: number[];
}

/** Whether every endpoint offers these hooks. */
export function allHave(endpoints: readonly ParityEndpoint[], ...hooks: HookName[]): boolean {
  return endpoints.every((endpoint) => hooks.every((hook) => endpoint.hooks.has(hook)));
}

/** The account a step is sent as: the sequence's own, or the management account of its connections (ParityStep.account). */
type Acting = 'own' | 'management';

/** The management account the corpus's connection requests name (its access key id is the account id). */
export const MANAGEMENT_KEY = MANAGEMENT_ACCOUNTS[0];

/** Whether a sequence acts as the management account, or names one (its requests reach that account's lists). */
export function namesManagement(sequence: ParitySequence): boolean {
  return (
    [...sequence.steps, ...sequence.cleanup].some((step) => step.account === 'management') ||
    MANAGEMENT_ACCOUNTS.some((account) => JSON.stringify(sequence).includes(account))
  );
}

/** One target's side of one sequence. */
class Session {
  readonly normaliser: Normaliser;
  private readonly hooks = new Map<Acting, Hooks>();
  private readonly tracked = new Map<string, { spec: ResourceSpec; ref: Resource; acting: Acting }>();
  /** This target's own answers to the sequence's steps, as they came: `from` members are read from them. */
  private readonly raw: Array<ParityAnswer | undefined> = [];
  requests = 0;

  /** `acting`: the accounts the sequence sends as (the management account only when a step asks for it). */
  constructor(
    readonly endpoint: ParityEndpoint,
    private readonly send: SendContext,
    acting: readonly Acting[],
    literals: ReadonlySet<string>,
  ) {
    this.normaliser = new Normaliser(send.region, true, literals);
    const capabilities = new Set([...endpoint.hooks].filter((hook) => hook !== 'accounts')) as Set<Capability>;
    for (const who of acting) {
      const account = endpoint.hooks.has('accounts') ? this.keyOf(who) : undefined;
      this.hooks.set(
        who,
        createHooks({ endpoint: endpoint.url, pool: send.pool, capabilities, account, onRequest: () => this.requests++ }),
      );
    }
  }

  private keyOf(who: Acting): string {
    return who === 'management' ? MANAGEMENT_KEY : this.send.accessKeyId;
  }

  private context(who: Acting): SendContext {
    return who === 'own' ? this.send : { ...this.send, accessKeyId: MANAGEMENT_KEY };
  }

  async prepare(clock: boolean): Promise<void> {
    for (const hooks of this.hooks.values()) {
      if (this.endpoint.hooks.has('reset') && this.endpoint.hooks.has('accounts')) await hooks.reset();
      if (clock) await hooks.setDurations(Object.fromEntries(TRANSITION_NAMES.map((name) => [name, HELD_MS])));
    }
  }

  /** `keep`: a step of `steps` (its raw answer kept for later `from`), not of the cleanup. */
  async step(step: ParityStep, keep: boolean): Promise<StepAnswer> {
    const withheld = this.endpoint.remote ? notOwned(step) : undefined;
    if (withheld !== undefined) {
      if (keep) this.raw.push(undefined);
      return { withheld };
    }
    const acting: Acting = step.account === 'management' ? 'management' : 'own';
    const sent = await sendStep(this.context(acting), step.operation, this.input(step));
    this.requests += sent.requests;
    if (keep) this.raw.push(sent.answer);
    if (sent.answer === undefined) return { weather: sent.weather ?? 'no answer' };
    this.track(sent.answer, acting);
    return { answer: this.normaliser.answer(step.operation, sent.answer) };
  }

  /** The step's input with its `from` members read from this target's own earlier answers (left out where they lack them). */
  private input(step: ParityStep): Record<string, unknown> {
    if (step.from === undefined) return step.input;
    const input = { ...step.input };
    for (const [member, { step: index, path }] of Object.entries(step.from)) {
      const answer = this.raw[index];
      const value = answer?.errorType === undefined ? valueAt(answer?.body, path) : undefined;
      if (value === undefined) delete input[member];
      else input[member] = value;
    }
    return input;
  }

  async tick(): Promise<void> {
    for (const hooks of this.hooks.values()) await hooks.advance(STEP_MS);
  }

  /** Clock mode: past every held transition. Poll mode: each tracked resource until it settles; returns those that did not. */
  async settle(clock: boolean): Promise<string[]> {
    if (clock) {
      for (const hooks of this.hooks.values()) await hooks.advance(HELD_MS + STEP_MS);
      return [];
    }
    const left: string[] = [];
    for (const [key, { spec, ref, acting }] of this.tracked) {
      const settled = await this.poll(spec, ref, acting);
      if (!settled) left.push(`${this.endpoint.label}: ${key}`);
    }
    return left;
  }

  /** Resources with a transition, as the answers name them (their Get's input is their key). */
  private track(answer: ParityAnswer, acting: Acting): void {
    if (answer.errorType !== undefined || typeof answer.body !== 'object' || answer.body === null) return;
    const body = answer.body as Record<string, unknown>;
    for (const spec of Object.values(RESOURCES)) {
      if (spec.ready === undefined && spec.asyncDeletion === undefined) continue;
      const ref = body[spec.member];
      if (typeof ref !== 'object' || ref === null) continue;
      try {
        this.tracked.set(`${spec.kind} ${canonical(spec.get.input(ref as Resource))}`, { spec, ref: ref as Resource, acting });
      } catch {
        // A reference without its identity: nothing to poll it by.
      }
    }
  }

  private async poll(spec: ResourceSpec, ref: Resource, acting: Acting): Promise<boolean> {
    const transition: TransitionName | undefined = spec.ready?.durationHook ?? spec.asyncDeletion?.durationHook;
    const boundMs = 3 * (transition === undefined ? Math.max(...Object.values(TYPICAL_DURATIONS)) : TYPICAL_DURATIONS[transition]);
    const fields = [spec.ready?.field, spec.asyncDeletion?.statusField].filter((field) => field !== undefined);
    const env = { clock: undefined, signal: this.send.signal ?? new AbortController().signal, realTimeoutMs: boundMs };
    try {
      await waitFor(
        env,
        `${spec.kind} to settle`,
        () => sendStep(this.context(acting), spec.get.operation, spec.get.input(ref)),
        (sent) => {
          this.requests += sent.requests;
          const answer = sent.answer;
          if (answer === undefined) return false;
          if (answer.errorType !== undefined) return true;
          const member = (answer.body as Record<string, unknown>)[spec.member] as Record<string, unknown> | undefined;
          return !fields.some((field) => String(member?.[field] ?? '').endsWith('IN_PROGRESS'));
        },
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'AbortError' || this.send.signal?.aborted) throw error;
      return false;
    }
  }
}

/** The value at a dotted path (`environmentAccountConnection.id`) of a body, or undefined. */
export function valueAt(body: unknown, path: string): unknown {
  let value = body;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value ?? undefined;
}

/** A 12-digit access key id for a sequence: the run's random prefix, then the sequence's index. */
function accountKey(prefix: number, index: number): string {
  return `4${String(prefix).padStart(3, '0')}${String(index).padStart(8, '0')}`;
}

async function driveOne(
  sequence: ParitySequence,
  index: number,
  prefix: number,
  clock: boolean,
  options: DriveOptions,
): Promise<SequenceRun> {
  const acting: Acting[] = [...sequence.steps, ...sequence.cleanup].some((step) => step.account === 'management')
    ? ['own', 'management']
    : ['own'];
  if (acting.includes('management') && !allHave(options.endpoints, 'accounts')) {
    const lacking = options.endpoints.filter((endpoint) => !endpoint.hooks.has('accounts')).map((endpoint) => endpoint.label);
    const skipped = `some steps are sent as the management account, and the ${lacking.join(' and ')} lacks the accounts hook`;
    return { sequence, answers: options.endpoints.map(() => []), unsettled: [], requests: options.endpoints.map(() => 0), skipped };
  }
  const literals = stringsOf([...sequence.steps, ...sequence.cleanup].map((step) => step.input));
  const sessions = options.endpoints.map(
    (endpoint) =>
      new Session(
        endpoint,
        {
          endpoint: endpoint.url,
          pool: options.pool,
          region: options.region ?? 'us-east-1',
          accessKeyId: accountKey(prefix, index),
          ...(endpoint.credentials ? { credentials: endpoint.credentials } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.weatherAttempts === undefined ? {} : { weatherAttempts: options.weatherAttempts }),
        },
        acting,
        literals,
      ),
  );
  await Promise.all(sessions.map((session) => session.prepare(clock)));
  const answers: StepAnswer[][] = sessions.map(() => []);
  const unsettled: string[] = [];
  const run = async (step: ParityStep, keep: boolean): Promise<void> => {
    if (step.settle) for (const left of await Promise.all(sessions.map((session) => session.settle(clock)))) unsettled.push(...left);
    const got = await Promise.all(sessions.map((session) => session.step(step, keep)));
    if (keep) for (const [i, answer] of got.entries()) answers[i]!.push(answer);
    if (clock) await Promise.all(sessions.map((session) => session.tick()));
  };
  for (const step of sequence.steps) await run(step, true);
  for (const step of sequence.cleanup) await run(step, false);
  return { sequence, answers, unsettled, requests: sessions.map((session) => session.requests) };
}

/** Every sequence against every endpoint; in the corpus's order in the result. */
export async function driveSequences(options: DriveOptions): Promise<DriveResult> {
  const clock = allHave(options.endpoints, 'clock', 'durations');
  const concurrency = allHave(options.endpoints, 'accounts') ? CONCURRENCY : 1;
  const prefix = randomInt(1_000);
  const runs: SequenceRun[] = new Array(options.corpus.length);
  const requests = options.endpoints.map(() => 0);
  // Sequences that act as, or name, the management account share it: they run one at a time, in a lane of their own.
  const indices = options.corpus.map((_sequence, index) => index);
  const shared = indices.filter((index) => namesManagement(options.corpus[index]!));
  const apart = indices.filter((index) => !namesManagement(options.corpus[index]!));
  let done = 0;
  const worker = async (queue: number[]): Promise<void> => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      options.signal?.throwIfAborted();
      const run = await driveOne(options.corpus[index]!, index, prefix, clock, options);
      runs[index] = run;
      for (const [i, n] of run.requests.entries()) requests[i]! += n;
      options.onSequence?.(run, ++done, options.corpus.length);
    }
  };
  const lanes =
    concurrency === 1 ? [worker([...shared, ...apart])] : [worker(shared), ...Array.from({ length: concurrency - 1 }, () => worker(apart))];
  await Promise.all(lanes);
  return { runs, clock, requests };
}
