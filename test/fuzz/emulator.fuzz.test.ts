// Fuzz: at least 10,000 random or malformed requests against the emulator,
// run in a process of its own. Zero crashes (the process stays up and
// answers every request, each within SLOW_ANSWER_MS), every answer a success or a
// well-formed AWS error (oracle.ts), and state unchanged by every rejected
// request: each batch runs in an account of its own, and snapshots of that
// account (counts hook, Lists, Gets, tags) are compared around the requests.
//
// Deterministic: FUZZ_SEED (default below) is printed; a failure prints the
// seed and path, and `FUZZ_SEED=<seed> FUZZ_PATH=<path> npx vitest run
// test/fuzz/emulator.fuzz.test.ts` replays exactly that batch. Failures are
// not shrunk (each shrink step replays a batch, and a slow answer makes that
// minutes); the message names the failing request and its answer instead.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchAccount, FIXTURE_HINTS } from './batch-account.ts';
import { startEmulatorProcess } from './emulator-process.ts';
import type { EmulatorProcess } from './emulator-process.ts';
import { answerProblems, bareErrorName, bodyText, expectationOf } from './oracle.ts';
import type { Answer, Expectation } from './oracle.ts';
import { ACCOUNT_PLACEHOLDER, requestArbitrary } from './requests.ts';
import type { FuzzRequest } from './requests.ts';
import { Wire } from './wire.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_251_126);
const PATH = process.env.FUZZ_PATH;
const BATCH = 100;
const BATCHES = Number(process.env.FUZZ_BATCHES ?? 100);
/** Longer than this and the emulator's event loop was blocked: every other client waited too. */
const SLOW_ANSWER_MS = 5_000;

let wire: Wire | undefined;
let emulator: EmulatorProcess | undefined;

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  wire = new Wire(emulator.url);
});
afterAll(async () => {
  await wire?.close();
  await emulator?.stop();
});

/** The request as sent in `account`: its placeholder ARNs and its signature filled in. */
function inAccount(request: FuzzRequest, account: BatchAccount): FuzzRequest {
  const body = typeof request.body === 'string' ? request.body.replaceAll(ACCOUNT_PLACEHOLDER, account.account) : request.body;
  const headers = request.signed ? { ...request.headers, authorization: account.authorization } : request.headers;
  return { ...request, body, headers };
}

function describeExchange(request: FuzzRequest, answer: Answer | undefined): string {
  const body = bodyText(request.body);
  const shown = body.length > 300 ? `${body.slice(0, 300)}... (${body.length} chars)` : body;
  const reply = answer === undefined ? 'no answer' : `${answer.status} ${answer.body.slice(0, 300)}`;
  return `${request.kind}: ${request.method} ${request.path.slice(0, 80)} ${JSON.stringify(request.headers)} ${shown}\n  -> ${reply}`;
}

/** What was sent and answered, for the summary line. */
const tally = { requests: 0, accepted: 0, rejected: 0, batches: 0, byError: new Map<string, number>(), byKind: new Map<string, number>() };
function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
function summary(map: Map<string, number>): string {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
}

/** Sends one request; throws unless it is answered, in time, with a well-formed answer. */
async function exchange(request: FuzzRequest, expectation: Expectation): Promise<Answer> {
  if (!wire || !emulator) throw new Error('no emulator');
  const sentAt = Date.now();
  let answer: Answer;
  try {
    answer = await wire.send(request);
  } catch (error) {
    const ended = emulator.exited();
    throw new Error(
      `no answer (${(error as Error).message}${ended ? `; the emulator process ended: ${ended}` : ''}):\n` +
        `${describeExchange(request, undefined)}${ended ? `\n${emulator.stderr()}` : ''}`,
    );
  }
  const took = Date.now() - sentAt;
  if (took > SLOW_ANSWER_MS) {
    throw new Error(
      `answered after ${(took / 1000).toFixed(1)} s (the emulator could serve no one meanwhile):\n${describeExchange(request, answer)}`,
    );
  }
  tally.requests++;
  count(tally.byKind, request.kind);
  if (answer.status < 300) tally.accepted++;
  else {
    tally.rejected++;
    const type = /"__type"\s*:\s*"([^"]*)"/.exec(answer.body)?.[1];
    count(tally.byError, type === undefined ? `${answer.status}` : `${answer.status} ${bareErrorName(type)}`);
  }
  const problems = answerProblems(request, expectation, answer);
  if (problems.length > 0) {
    const stderr = emulator.stderr().trim();
    throw new Error(
      `${problems.join('; ')}\n${describeExchange(request, answer)}${stderr ? `\nemulator stderr:\n${stderr.slice(-2000)}` : ''}`,
    );
  }
  return answer;
}

let accountSerial = 0;

/**
 * One batch in a fresh account (replays included). Requests that may succeed
 * and change state are bracketed by snapshots; every other stretch of
 * requests must leave the snapshot as it was.
 */
async function runBatch(requests: readonly FuzzRequest[]): Promise<void> {
  const account = new BatchAccount(String(200_000_000_000 + ++accountSerial), wire as Wire);
  await account.setUp();
  let baseline = await account.snapshot();
  let since: string[] = [];
  const expectUnchanged = (now: string, by: string): void => {
    if (now !== baseline) throw new Error(`state changed by ${by}:\n${since.join('\n')}\nbefore: ${baseline}\nafter:  ${now}`);
  };
  for (const generated of requests) {
    const request = inAccount(generated, account);
    const expectation = expectationOf(request);
    const bracketed = expectation.mustReject === undefined && expectation.mutating;
    if (bracketed) expectUnchanged(await account.snapshot(), 'requests that were rejected or only read');
    const answer = await exchange(request, expectation);
    since.push(describeExchange(request, answer));
    if (bracketed) {
      const after = await account.snapshot();
      if (answer.status >= 300) expectUnchanged(after, 'a rejected request');
      baseline = after;
      since = [];
    }
  }
  expectUnchanged(await account.snapshot(), 'requests that were rejected or only read');
  tally.batches++;
}

describe('emulator fuzz', () => {
  it(`answers ${BATCHES * BATCH} random and malformed requests with successes or well-formed AWS errors, rejected ones changing nothing`, {
    timeout: 600_000,
  }, async () => {
    console.log(
      `[fuzz] seed ${SEED}: ${PATH === undefined ? `${BATCHES} batches` : `replaying the batch at path ${PATH}`} of ${BATCH} ` +
        'requests (FUZZ_SEED, FUZZ_PATH, FUZZ_BATCHES to change)',
    );
    const started = Date.now();
    const batch = fc.array(requestArbitrary(FIXTURE_HINTS), { minLength: BATCH, maxLength: BATCH });
    const details = await fc.check(fc.asyncProperty(batch, runBatch), {
      seed: SEED,
      numRuns: BATCHES,
      endOnFailure: true,
      ...(PATH === undefined ? {} : { path: PATH }),
    });
    if (details.failed) {
      // Our own message names the request; fast-check's would print all the batch.
      const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      const command = 'npx vitest run test/fuzz/emulator.fuzz.test.ts';
      const replay = `FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ''} ${command}`;
      throw new Error(
        `the batch at path ${details.counterexamplePath ?? '?'} of seed ${details.seed} failed (replay: ${replay}):\n${cause}`,
      );
    }
    console.log(
      `[fuzz] ${tally.requests} requests in ${tally.batches} batches, ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
        `${tally.accepted} accepted, ${tally.rejected} rejected\n[fuzz] kinds: ${summary(tally.byKind)}\n[fuzz] ` +
        `errors: ${summary(tally.byError)}`,
    );
    if (PATH === undefined) expect(tally.requests).toBeGreaterThanOrEqual(BATCHES * BATCH);
    // The server is still up and serving the API.
    const alive = await wire?.send({ method: 'GET', path: '/_conformance/v1/capabilities', headers: {}, body: undefined });
    expect(alive?.status).toBe(200);
    expect(emulator?.exited()).toBeUndefined();
    // The emulator writes its own internal errors (caught, answered 500) here.
    expect(emulator?.stderr()).toBe('');
  });
});
