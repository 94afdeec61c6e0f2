// --max-live-resources (harness/run/live.ts): creates wait for room that the run's
// own deletions free; a wait past its bound is inconclusive, never a failure.
import { describe, expect, it } from 'vitest';
import { LiveResources } from '../../harness/run/live.ts';
import type { RawExchange } from '../../harness/client/recorder.ts';
import { transientAnswer } from '../../harness/client/weather.ts';

const answer = (operation: string, body: unknown, status = 200): RawExchange => ({
  operation,
  requestHeaders: {},
  requestBody: '{}',
  response: { status, headers: {}, body: JSON.stringify(body) },
  startedAt: 0,
  durationMs: 1,
});
const template = (name: string) => ({
  environmentTemplate: { name, arn: `arn:aws:proton:us-east-1:111111111111:environment-template/${name}` },
});

describe('LiveResources', () => {
  it('counts what creates made and deletes removed, a retry naming the original once', () => {
    const live = new LiveResources(10);
    live.record(answer('CreateEnvironmentTemplate', template('a')));
    live.record(answer('CreateEnvironmentTemplate', template('a')));
    live.record(answer('CreateEnvironmentAccountConnection', { environmentAccountConnection: { id: 'c-1' } }));
    live.record(answer('CreateEnvironmentTemplate', { message: 'no' }, 409));
    expect(live.count).toBe(2);
    live.record(answer('DeleteEnvironmentTemplate', template('a')));
    // A late create retry answering the deleted resource's metadata does not bring it back.
    live.record(answer('CreateEnvironmentTemplate', template('a')));
    expect(live.count).toBe(1);
    expect(live.peak).toBe(2);
  });

  it('holds a create back until a deletion frees room, and lets every other operation through', async () => {
    const live = new LiveResources(1, 5_000);
    live.record(answer('CreateEnvironmentTemplate', template('a')));
    await live.admit('ListEnvironmentTemplates', undefined);
    await live.admit('DeleteEnvironmentTemplate', undefined);
    let admitted = false;
    const waiting = live.admit('CreateEnvironmentTemplate', undefined).then(() => (admitted = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(admitted).toBe(false);
    live.record(answer('DeleteEnvironmentTemplate', template('a')));
    await waiting;
    expect(admitted).toBe(true);
  });

  it('ends a wait past its bound as inconclusive', async () => {
    const live = new LiveResources(1, 300);
    live.record(answer('CreateEnvironmentTemplate', template('a')));
    await expect(live.admit('CreateServiceTemplate', undefined)).rejects.toMatchObject({
      name: 'InconclusiveCheck',
      reason: expect.stringMatching(/--max-live-resources 1/),
    });
  });

  it('meets a full quota like a throttle: the same request later', () => {
    expect(transientAnswer(402, { 'x-amzn-errortype': 'ServiceQuotaExceededException' }, '')).toBe('throttle');
  });
});
