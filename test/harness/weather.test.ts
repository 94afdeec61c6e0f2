// Weather (harness/client/weather.ts): transient answers are retried by the request
// handler with the very same bytes (same token, same name), recorded, counted,
// and a step that never gets past them ends the check as inconclusive.
import { CreateEnvironmentTemplateVersionCommand, GetEnvironmentTemplateCommand } from '@aws-sdk/client-proton';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProtonClient } from '../../harness/client/client.ts';
import { createPool } from '../../harness/target/http.ts';
import { Recorder, RequestCounter } from '../../harness/client/recorder.ts';
import { ShapeLedger } from '../../harness/client/shape.ts';
import { CellWeather, RunWeather, retryAfterMs, transientAnswer, transientFailure } from '../../harness/client/weather.ts';
import { attempt } from '../../specs/commands.ts';
import * as model from '../../specs/model.ts';
import { awsError, startFakeTarget } from '../support/fake-target.ts';
import type { FakeAnswer, FakeTarget } from '../support/fake-target.ts';

const version = (token: unknown) => ({
  environmentTemplateVersion: {
    templateName: 't',
    majorVersion: '1',
    minorVersion: '0',
    arn: 'arn:aws:proton:us-east-1:123456789012:environment-template/t:1.0',
    status: 'REGISTRATION_IN_PROGRESS',
    createdAt: 1_700_000_000,
    lastModifiedAt: 1_700_000_000,
    description: String(token),
  },
});

/** What the fake answers next, per operation: a script of answers, then success. */
const script = new Map<string, FakeAnswer[]>();
let target: FakeTarget;

beforeAll(async () => {
  target = await startFakeTarget({
    proton(operation, body) {
      const next = script.get(operation)?.shift();
      if (next) return next;
      if (operation === 'CreateEnvironmentTemplateVersion') return { status: 200, body: version(body['clientToken']) };
      return awsError(404, 'ResourceNotFoundException', 'no such template');
    },
  });
});

afterAll(async () => {
  await target.close();
});

function setup(run = new RunWeather({ retriesPerStep: 4, stepWaitMs: 10_000, retriesPerCell: 100 }, () => 0.5)) {
  const pool = createPool();
  const counter = new RequestCounter();
  const shape = new ShapeLedger(model);
  const recorder = new Recorder(50, [counter, shape]);
  const steps: string[] = [];
  const weather = new CellWeather(run, (text) => steps.push(text));
  const client = createProtonClient({
    endpoint: target.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    pool,
    sink: recorder,
    weather,
  });
  return { pool, counter, recorder, weather, run, steps, client, shape };
}

const throttle = (): FakeAnswer => awsError(429, 'ThrottlingException', 'Rate exceeded');
const serverError = (): FakeAnswer => awsError(500, 'InternalServerException', 'try again');

describe('classifying weather', () => {
  it('calls throttles, 429 and 5xx transient, and the contract answers not', () => {
    expect(transientAnswer(400, { 'x-amzn-errortype': 'ThrottlingException:http://internal' }, '')).toBe('throttle');
    expect(transientAnswer(400, {}, '{"__type":"com.amazonaws.proton#ThrottlingException"}')).toBe('throttle');
    expect(transientAnswer(429, {}, '')).toBe('throttle');
    expect(transientAnswer(503, {}, '<html>')).toBe('server-error');
    expect(transientAnswer(500, {}, '{"__type":"InternalServerException"}')).toBe('server-error');
    expect(transientAnswer(400, {}, '{"__type":"ValidationException","message":"IdempotentParameterMismatch"}')).toBeUndefined();
    expect(transientAnswer(409, {}, '{"__type":"ConflictException"}')).toBeUndefined();
    expect(transientAnswer(404, {}, '{"__type":"ResourceNotFoundException"}')).toBeUndefined();
    expect(transientAnswer(200, {}, '{}')).toBeUndefined();
  });

  it('calls resets transient and the cell’s own abort not', () => {
    expect(transientFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(
      transientFailure(Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }) })),
    ).toBe(true);
    expect(transientFailure(Object.assign(new Error('aborted'), { name: 'AbortError', code: 'UND_ERR_ABORTED' }))).toBe(false);
    expect(transientFailure(new Error('cell timeout'))).toBe(false);
  });

  it('reads Retry-After in seconds and as a date', () => {
    expect(retryAfterMs({ 'retry-after': '2' })).toBe(2000);
    expect(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 9_000)).toBe(1000);
    expect(retryAfterMs({})).toBeUndefined();
  });

  it('backs off from the target’s own latency, throttles longer, and grows per retry', () => {
    const fast = new RunWeather(undefined, () => 1);
    for (let i = 0; i < 50; i++) fast.observeLatency(1);
    const slow = new RunWeather(undefined, () => 1);
    for (let i = 0; i < 50; i++) slow.observeLatency(200);
    expect(fast.delayMs('server-error', 1, undefined)).toBe(5);
    expect(slow.delayMs('server-error', 1, undefined)).toBe(400);
    expect(slow.delayMs('throttle', 1, undefined)).toBe(1600);
    expect(slow.delayMs('server-error', 3, undefined)).toBe(1600);
    expect(slow.delayMs('throttle', 1, 7_000)).toBe(7_000);
  });

  it("paces from the fastest of the latest answers: time queued behind the run's own requests does not lengthen the backoff", () => {
    const busy = new RunWeather(undefined, () => 1);
    // A target whose round trip is 20 ms, most answers queued behind the run's other requests.
    for (let i = 0; i < 64; i++) busy.observeLatency(i % 8 === 0 ? 20 : 500 + i);
    expect(busy.paceMs()).toBe(20);
    expect(busy.delayMs('server-error', 1, undefined)).toBe(40);
    expect(busy.delayMs('throttle', 2, undefined)).toBe(320);
    // The window moves on: a target that slows down is paced by its new answers.
    for (let i = 0; i < 64; i++) busy.observeLatency(300);
    expect(busy.paceMs()).toBe(300);
    expect(new RunWeather().paceMs()).toBeUndefined();
  });
});

describe('retrying through the weather', () => {
  it('resends the same bytes (same token) after throttles and a 500, records each answer and counts them', async () => {
    const { client, recorder, counter, weather, steps, pool, shape } = setup();
    script.set('CreateEnvironmentTemplateVersion', [throttle(), serverError(), throttle()]);
    const before = target.received.length;
    const output = await client.send(
      new CreateEnvironmentTemplateVersionCommand({ templateName: 't', source: { s3: { bucket: 'b', key: 'k' } }, clientToken: 'tok-1' }),
    );
    expect(output.environmentTemplateVersion?.description).toBe('tok-1');
    const sent = target.received.slice(before);
    expect(sent).toHaveLength(4);
    expect(new Set(sent.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(output.$metadata.attempts).toBe(1);
    expect(weather.counts).toMatchObject({ throttle: 2, serverError: 1, network: 0, retries: 3, exhausted: 0 });
    expect(counter.count).toBe(4);
    const evidence = recorder.evidence();
    expect(evidence.map((e) => e.transient?.kind)).toEqual(['throttle', 'server-error', 'throttle', undefined]);
    expect(evidence.slice(0, 3).every((e) => typeof e.transient?.waitMs === 'number')).toBe(true);
    expect(steps.some((s) => s.includes('InternalServerException (HTTP 500)') && s.includes('may or may not have acted'))).toBe(true);
    expect(steps.at(-1)).toMatch(
      /^weather: CreateEnvironmentTemplateVersion answered HTTP 200 after 3 transient answers: the check judges this answer/,
    );
    // Modelled weather is still judged for its shape, and passes.
    expect(shape.results().map((r) => [r.verdict, r.reason])).toEqual([['pass', 'all 4 responses match the model']]);
    await pool.close();
  });

  it("counts an answer the wire proxy made up apart from the target's weather, and still retries it", async () => {
    const { client, weather, pool } = setup();
    const injected = { ...serverError(), headers: { ...serverError().headers, 'x-proton-conformance-injected': '500-after' } };
    script.set('CreateEnvironmentTemplateVersion', [injected, throttle()]);
    await client.send(
      new CreateEnvironmentTemplateVersionCommand({ templateName: 't', source: { s3: { bucket: 'b', key: 'k' } }, clientToken: 'tok-3' }),
    );
    expect(weather.counts).toMatchObject({ throttle: 1, serverError: 0, injected: 1, retries: 2 });
    await pool.close();
  });

  it('does not judge a gateway page (5xx without an error type) for its shape', async () => {
    const { client, shape, pool } = setup();
    script.set('CreateEnvironmentTemplateVersion', [{ status: 502, body: '<html>bad gateway</html>' }]);
    await client.send(
      new CreateEnvironmentTemplateVersionCommand({ templateName: 't', source: { s3: { bucket: 'b', key: 'k' } }, clientToken: 'tok-2' }),
    );
    expect(shape.results().map((r) => r.verdict)).toEqual(['pass']);
    await pool.close();
  });

  it('passes contract answers through at once', async () => {
    const { client, weather, pool } = setup();
    const result = await attempt(client, 'GetEnvironmentTemplate', { name: 'none' });
    expect(result).toMatchObject({ ok: false, error: { name: 'ResourceNotFoundException' } });
    expect(weather.counts.retries).toBe(0);
    await pool.close();
  });

  it(
    'gives a step up after its budget: InconclusiveCheck through attempt, ' + 'and every later request of the check fails at once',
    async () => {
      const { client, weather, pool, recorder } = setup();
      script.set('GetEnvironmentTemplate', Array.from({ length: 10 }, throttle));
      const before = target.received.length;
      await expect(attempt(client, 'GetEnvironmentTemplate', { name: 'busy' })).rejects.toMatchObject({ name: 'InconclusiveCheck' });
      // 1 + 4 retries, then the step gives up.
      expect(target.received.length - before).toBe(5);
      expect(weather.exhausted).toMatch(/ThrottlingException \(HTTP 429\).*weather, not a violation/);
      expect(weather.counts).toMatchObject({ throttle: 5, retries: 4, exhausted: 1 });
      expect(recorder.evidence().at(-1)?.transient).toEqual({ kind: 'throttle' });
      script.set('GetEnvironmentTemplate', []);
      await expect(client.send(new GetEnvironmentTemplateCommand({ name: 'later' }))).rejects.toMatchObject({ name: 'InconclusiveCheck' });
      expect(target.received.length - before).toBe(5);
      // Cleanups still send (and retry).
      weather.freeze();
      await expect(client.send(new GetEnvironmentTemplateCommand({ name: 'cleanup' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
      await pool.close();
    },
  );

  it('spends one budget per cell across its steps', async () => {
    const run = new RunWeather({ retriesPerStep: 10, stepWaitMs: 10_000, retriesPerCell: 3 }, () => 0.5);
    const { client, weather, pool } = setup(run);
    script.set('GetEnvironmentTemplate', [throttle(), throttle(), throttle()]);
    await attempt(client, 'GetEnvironmentTemplate', { name: 'a' });
    expect(weather.counts.retries).toBe(3);
    script.set('GetEnvironmentTemplate', [throttle()]);
    await expect(attempt(client, 'GetEnvironmentTemplate', { name: 'b' })).rejects.toThrow(/cell's budget of 3 retries is spent/);
    expect(run.counts).toMatchObject({ throttle: 4, retries: 3, exhausted: 1 });
    await pool.close();
  });
});
