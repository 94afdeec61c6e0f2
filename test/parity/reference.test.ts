// The reference emulator held to the model by the parity corpus (issue 22,
// item 4): every answer to every step matches the model (the output shape, or
// an error the model lists for the operation with its status and shape), and
// what the step's intent says the model, the API reference and the contract
// require (ValidationException for invalid input, ResourceNotFoundException
// for a missing resource, ConflictException for a conflict or a dependency,
// success for valid requests, an empty answer for an absent delete). Each
// sequence's cleanup leaves the account empty. All sequences run one after
// another in one account, as a parity run does.
import { describe, expect, it } from 'vitest';
import { TRANSITION_NAMES } from '../../emulator/durations.ts';
import { type RunningEmulator, startEmulator } from '../../emulator/index.ts';
import { buildCorpus, expectedOutcome } from '../../parity/corpus.ts';
import type { ParitySequence, ParityStep } from '../../parity/types.ts';
import { operationErrors, validateError, validateOutput } from '../../specs/model.ts';
import { MANAGEMENT_ACCOUNTS } from '../../specs/values.ts';
import { rawCall } from '../emulator/support.ts';

/**
 * Every transition takes this long (virtual), so that what a step reads in
 * progress stays in progress however slowly the machine runs it; a settle
 * moves the clock past it (well before deleted metadata is forgotten, 6 h, or
 * a token expires, 8 h).
 */
const HELD_MS = 30 * 60_000;
const SETTLE_MS = HELD_MS + 1_000;
const ACCOUNT = '123456789012';
/** The management account of the corpus's connection requests (ParityStep.account). */
const MANAGEMENT_ACCOUNT = MANAGEMENT_ACCOUNTS[0];

interface Answer {
  status: number;
  errorType?: string;
  body: Record<string, unknown>;
}

function read(body: unknown, path: string): unknown {
  let value = body;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The step's input with its `from` members read from earlier answers; undefined when one is missing. */
function resolve(step: ParityStep, answers: readonly Answer[]): Record<string, unknown> | undefined {
  const input = { ...step.input };
  for (const [member, ref] of Object.entries(step.from ?? {})) {
    const value = read(answers[ref.step]?.body, ref.path);
    if (value === undefined) return undefined;
    input[member] = value;
  }
  return input;
}

async function send(emulator: RunningEmulator, step: ParityStep, input: Record<string, unknown>): Promise<Answer> {
  if (step.settle === true) emulator.advanceClock(SETTLE_MS);
  const answer = await rawCall(emulator.url, step.operation, input, {
    account: step.account === 'management' ? MANAGEMENT_ACCOUNT : ACCOUNT,
  });
  const type = answer.json['__type'];
  const bare = typeof type === 'string' ? type.slice(type.lastIndexOf('#') + 1) : undefined;
  return { status: answer.status, ...(bare === undefined ? {} : { errorType: bare }), body: answer.json };
}

/** What is wrong with one answer: against the model, then against the step's intent. */
function problemsOf(step: ParityStep, answer: Answer): string[] {
  const problems: string[] = [];
  if (answer.status === 200) {
    problems.push(...validateOutput(step.operation, answer.body).map((v) => `output ${v.path}: ${v.message}`));
  } else {
    const type = answer.errorType ?? '(no __type)';
    problems.push(...validateError(String(answer.body['__type'] ?? type), answer.status, answer.body).map((v) => `error: ${v.message}`));
    if (!operationErrors(step.operation).includes(type)) problems.push(`${type} is not an error of ${step.operation} in the model`);
  }
  const expected = expectedOutcome(step.intent);
  if (expected === undefined) return problems;
  if (expected.ok && answer.status !== 200) problems.push(`expected success, got ${answer.status} ${answer.errorType}`);
  if (expected.ok && expected.empty === true && answer.status === 200 && Object.keys(answer.body).length > 0) {
    problems.push(`expected an empty answer, got ${JSON.stringify(answer.body)}`);
  }
  if (!expected.ok && answer.errorType !== expected.error) {
    problems.push(`expected ${expected.error}, got ${answer.status} ${answer.errorType ?? 'success'}`);
  }
  return problems;
}

async function runSequence(emulator: RunningEmulator, sequence: ParitySequence): Promise<string[]> {
  const answers: Answer[] = [];
  const problems: string[] = [];
  for (const [index, step] of sequence.steps.entries()) {
    const input = resolve(step, answers);
    if (input === undefined) {
      problems.push(`${sequence.id} step ${index} ${step.operation}: an earlier answer lacks what its input takes from it`);
      answers.push({ status: 0, body: {} });
      continue;
    }
    const answer = await send(emulator, step, input);
    answers.push(answer);
    const where = `${sequence.id} step ${index} ${step.operation} (${step.intent})`;
    for (const problem of problemsOf(step, answer)) problems.push(`${where}: ${problem} [${JSON.stringify(answer.body).slice(0, 300)}]`);
  }
  for (const [index, step] of sequence.cleanup.entries()) {
    const input = resolve(step, answers);
    // What a failed step never made has no id to remove.
    if (input === undefined) continue;
    const answer = await send(emulator, step, input);
    if (answer.status !== 200)
      problems.push(`${sequence.id} cleanup ${index} ${step.operation}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  emulator.advanceClock(SETTLE_MS);
  const left = Object.entries(emulator.counts()).filter(([, n]) => n > 0);
  if (left.length > 0) problems.push(`${sequence.id}: its cleanup left ${JSON.stringify(Object.fromEntries(left))}`);
  return problems;
}

describe('the reference emulator against the model, over the parity corpus', () => {
  it('answers every step as the model and the step intent say, and every cleanup leaves nothing', async () => {
    const emulator = await startEmulator({ port: 0, durations: Object.fromEntries(TRANSITION_NAMES.map((name) => [name, HELD_MS])) });
    try {
      const problems: string[] = [];
      for (const sequence of buildCorpus({ seed: 20261207 })) problems.push(...(await runSequence(emulator, sequence)));
      expect(problems).toEqual([]);
    } finally {
      await emulator.close();
    }
  });
});
