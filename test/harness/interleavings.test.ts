// The history queries of harness/wire/interleavings.ts: each interleaving of
// specs/wire.ts found where the proxy's times show it, and not found where
// they do not; then the proxy's own timings through a real proxy (the
// `together` gate, `late` held until its retry is answered, by its own call
// alone with lateByCall, `close`).
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInterleaving } from '../../harness/wire/interleavings.ts';
import type { Delivery, ForwardTiming } from '../../harness/wire/history.ts';
import { startProxy } from '../../harness/wire/proxy.ts';
import type { RunningProxy } from '../../harness/wire/proxy.ts';
import { INTERLEAVINGS } from '../../specs/wire.ts';
import type { Interleaving } from '../../specs/wire.ts';

/** A delivery as the proxy keeps it: received at `at`, its forwards' times, what its client was shown. */
function delivery(n: number, at: number, forwards: ForwardTiming[], shown?: Delivery['shown']): Delivery {
  const d: Delivery = {
    n,
    operation: 'CreateEnvironmentTemplate',
    body: '{"name":"a"}',
    watched: true,
    attempt: n,
    answers: [],
    receivedAt: at,
    forwards,
  };
  if (shown !== undefined) d.shown = shown;
  return d;
}

const found = (interleaving: Interleaving, deliveries: Delivery[]): boolean => findInterleaving(interleaving, deliveries).happened;

describe('history queries: each interleaving, seen and not seen', () => {
  it('retry-after-lost-answer: a retry sent after the lost answer', () => {
    const original = delivery(1, 0, [{ sentAt: 1, answeredAt: 5 }], 'closed');
    expect(found('retry-after-lost-answer', [original, delivery(2, 6, [{ sentAt: 7, answeredAt: 9 }], 200)])).toBe(true);
    // The retry sent before the original's answer came, or an original whose client saw its answer.
    expect(found('retry-after-lost-answer', [original, delivery(2, 3, [{ sentAt: 4, answeredAt: 9 }], 200)])).toBe(false);
    const shown = delivery(1, 0, [{ sentAt: 1, answeredAt: 5 }], 200);
    expect(found('retry-after-lost-answer', [shown, delivery(2, 6, [{ sentAt: 7, answeredAt: 9 }], 200)])).toBe(false);
  });

  it('retry-after-client-gave-up: the original aborted unanswered, a retry sent after', () => {
    const aborted = delivery(1, 0, [{ sentAt: 1, abortedAt: 2 }], 'closed');
    expect(found('retry-after-client-gave-up', [aborted, delivery(2, 3, [{ sentAt: 4, answeredAt: 6 }], 200)])).toBe(true);
    // The target answered before the client gave up: nothing was in flight.
    const answered = delivery(1, 0, [{ sentAt: 1, answeredAt: 2 }], 'closed');
    expect(found('retry-after-client-gave-up', [answered, delivery(2, 3, [{ sentAt: 4, answeredAt: 6 }], 200)])).toBe(false);
    expect(found('retry-after-client-gave-up', [aborted])).toBe(false);
  });

  it('retry-overtakes-original: the original sent after a retry was answered', () => {
    expect(
      found('retry-overtakes-original', [
        delivery(1, 0, [{ sentAt: 20, answeredAt: 22 }], 'closed'),
        delivery(2, 3, [{ sentAt: 4, answeredAt: 6 }]),
      ]),
    ).toBe(true);
    // The hold ran out first: the original reached the target before the retry was answered.
    expect(
      found('retry-overtakes-original', [
        delivery(1, 0, [{ sentAt: 5, answeredAt: 8 }], 'closed'),
        delivery(2, 3, [{ sentAt: 4, answeredAt: 6 }]),
      ]),
    ).toBe(false);
  });

  it("own-retry-overtakes-original: only a later attempt of the original's own call counts", () => {
    const call = (d: Delivery, invocation: string, attempt: number): Delivery => ({ ...d, invocation, attempt });
    const original = call(delivery(1, 0, [{ sentAt: 20, answeredAt: 22 }], 'closed'), 'aaaa', 1);
    const other = call(delivery(2, 3, [{ sentAt: 4, answeredAt: 6 }]), 'bbbb', 1);
    const own = (sentAt: number): Delivery => call(delivery(3, sentAt - 1, [{ sentAt, answeredAt: sentAt + 2 }]), 'aaaa', 2);
    // Another client's request answered first overtook nothing of this call (retry-overtakes-original counts it).
    expect(found('retry-overtakes-original', [original, other])).toBe(true);
    expect(found('own-retry-overtakes-original', [original, other])).toBe(false);
    expect(found('own-retry-overtakes-original', [original, other, own(8)])).toBe(true);
    // Its own retry answered after the original was sent.
    expect(found('own-retry-overtakes-original', [original, other, own(21)])).toBe(false);
  });

  it('copy-after-answer and copies-at-once: the two copies of one delivery', () => {
    const sequential = delivery(1, 0, [
      { sentAt: 1, answeredAt: 3 },
      { sentAt: 4, answeredAt: 6 },
    ]);
    const together = delivery(1, 0, [
      { sentAt: 1, answeredAt: 5 },
      { sentAt: 2, answeredAt: 6 },
    ]);
    expect(found('copy-after-answer', [sequential])).toBe(true);
    expect(found('copy-after-answer', [together])).toBe(false);
    expect(found('copies-at-once', [together])).toBe(true);
    expect(found('copies-at-once', [sequential])).toBe(false);
    expect(found('copies-at-once', [delivery(1, 0, [{ sentAt: 1, answeredAt: 5 }])])).toBe(false);
  });

  it('retry-after-unforwarded-error: the original never forwarded, a retry was', () => {
    expect(found('retry-after-unforwarded-error', [delivery(1, 0, [], 500), delivery(2, 3, [{ sentAt: 4, answeredAt: 6 }], 200)])).toBe(
      true,
    );
    expect(found('retry-after-unforwarded-error', [delivery(1, 0, [], 500)])).toBe(false);
    expect(
      found('retry-after-unforwarded-error', [delivery(1, 0, [{ sentAt: 1, answeredAt: 2 }], 500), delivery(2, 3, [{ sentAt: 4 }])]),
    ).toBe(false);
  });

  it('retry-after-error-after-acting: the target answered, the client saw an error, a retry came after', () => {
    const original = delivery(1, 0, [{ sentAt: 1, answeredAt: 3 }], 503);
    expect(found('retry-after-error-after-acting', [original, delivery(2, 4, [{ sentAt: 5, answeredAt: 7 }], 200)])).toBe(true);
    expect(found('retry-after-error-after-acting', [original])).toBe(false);
    const passed = delivery(1, 0, [{ sentAt: 1, answeredAt: 3 }], 200);
    expect(found('retry-after-error-after-acting', [passed, delivery(2, 4, [{ sentAt: 5, answeredAt: 7 }], 200)])).toBe(false);
  });

  it('requests-at-once: two of them at the target together, not one after the other', () => {
    const overlapping = [1, 2, 3].map((n) => delivery(n, 0, [{ sentAt: n, answeredAt: 10 + n }]));
    const oneByOne = [1, 2, 3].map((n) => delivery(n, 0, [{ sentAt: n * 10, answeredAt: n * 10 + 5 }]));
    expect(found('requests-at-once', overlapping)).toBe(true);
    expect(found('requests-at-once', oneByOne)).toBe(false);
    expect(found('requests-at-once', [delivery(1, 0, [{ sentAt: 1, answeredAt: 2 }])])).toBe(false);
  });

  it('every interleaving has a query and a sentence; reads and hooks do not count', () => {
    for (const interleaving of Object.keys(INTERLEAVINGS) as Interleaving[]) {
      const finding = findInterleaving(interleaving, []);
      expect(finding).toMatchObject({ interleaving, happened: false });
      expect(INTERLEAVINGS[interleaving].length).toBeGreaterThan(20);
    }
    const read = { ...delivery(1, 0, [{ sentAt: 1, answeredAt: 10 }]), watched: false };
    expect(found('requests-at-once', [read, delivery(2, 0, [{ sentAt: 2, answeredAt: 11 }])])).toBe(false);
  });
});

/** A target that answers each request after `delayMs`. */
let target: Server;
let targetUrl = '';
let delayMs = 0;

beforeAll(async () => {
  target = createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end('{"environmentTemplate":{"arn":"arn:aws:proton:us-east-1:111122223333:environment-template/t","name":"t"}}');
      }, delayMs),
    );
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});

afterAll(async () => {
  target.closeAllConnections();
  await new Promise((resolve) => target.close(resolve));
});

async function send(proxy: RunningProxy, body: string, invocation: string, attempt = 1): Promise<number | string> {
  const pool = new Pool(proxy.url);
  try {
    const answer = await pool.request({
      path: '/',
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AwsProton20200720.CreateEnvironmentTemplate',
        'amz-sdk-invocation-id': invocation,
        'amz-sdk-request': `attempt=${attempt}; max=3`,
      },
      body,
    });
    await answer.body.text();
    return answer.statusCode;
  } catch (error) {
    return (error as { code?: string }).code ?? 'error';
  } finally {
    await pool.close().catch(() => undefined);
  }
}

describe('the proxy records the times the queries read', () => {
  it('together: requests sent one after the other reach the target at once; without it, they do not', async () => {
    delayMs = 0;
    const apart = await startProxy({ target: targetUrl });
    const gathered = await startProxy({ target: targetUrl, together: 3 });
    try {
      for (const n of [1, 2, 3]) await send(apart, '{"name":"a"}', `apart-${n}`);
      expect(findInterleaving('requests-at-once', apart.deliveries)).toMatchObject({ happened: false });
      // The same three, each sent once the one before has reached the proxy: held until the third, then forwarded together.
      const sent = [send(gathered, '{"name":"b"}', 'gathered-1')];
      await gathered.received(1);
      sent.push(send(gathered, '{"name":"b"}', 'gathered-2'));
      await gathered.received(2);
      sent.push(send(gathered, '{"name":"b"}', 'gathered-3'));
      expect(await Promise.all(sent)).toEqual([200, 200, 200]);
      expect(findInterleaving('requests-at-once', gathered.deliveries)).toMatchObject({ happened: true });
      expect(
        gathered.deliveries.every((d) => d.forwards[0]!.sentAt! < Math.min(...gathered.deliveries.map((e) => e.forwards[0]!.answeredAt!))),
      ).toBe(true);
    } finally {
      await apart.close();
      await gathered.close();
    }
  });

  it("lateByCall: late holds the original until its own call's retry is answered, not another call's", async () => {
    delayMs = 0;
    const late = await startProxy({ target: targetUrl, faults: 'late:600000@first', lateByCall: true });
    try {
      expect(await send(late, '{"name":"e"}', 'first')).toBe('UND_ERR_SOCKET');
      // Another client's identical request, answered: the original is still held (by default it would go now).
      expect(await send(late, '{"name":"e"}', 'other')).toBe(200);
      expect(late.deliveries[0]!.forwards).toHaveLength(0);
      expect(await send(late, '{"name":"e"}', 'first', 2)).toBe(200);
      await late.idle();
      expect(findInterleaving('own-retry-overtakes-original', late.deliveries)).toMatchObject({ happened: true });
    } finally {
      await late.close();
    }
  });

  it('late holds the original until an explicit retry (a new invocation, the same body) is answered; close aborts unanswered', async () => {
    delayMs = 0;
    // A bound far past the test's timeout: only the retry's answer can let the original go.
    const late = await startProxy({ target: targetUrl, faults: 'late:600000@first' });
    const close = await startProxy({ target: targetUrl, faults: 'close@first' });
    try {
      expect(await send(late, '{"name":"c"}', 'first')).toBe('UND_ERR_SOCKET');
      expect(await send(late, '{"name":"c"}', 'second')).toBe(200);
      await late.idle();
      expect(findInterleaving('retry-overtakes-original', late.deliveries)).toMatchObject({ happened: true });
      delayMs = 50;
      expect(await send(close, '{"name":"d"}', 'first')).toBe('UND_ERR_SOCKET');
      expect(await send(close, '{"name":"d"}', 'second')).toBe(200);
      await close.idle();
      expect(close.deliveries[0]!.forwards[0]).toMatchObject({ sentAt: expect.any(Number), abortedAt: expect.any(Number) });
      expect(findInterleaving('retry-after-client-gave-up', close.deliveries)).toMatchObject({ happened: true });
    } finally {
      await late.close();
      await close.close();
    }
  });
});
