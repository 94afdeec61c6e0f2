// Whether a case's interleaving happened (specs/wire.ts INTERLEAVINGS), read
// from the proxy's deliveries alone: when each was received, handed to the
// target, answered, aborted (history.ts ForwardTiming). No hook of the target
// is needed, so the same evidence holds against any target. The first watched
// delivery of a case is its original; the later ones are its retries (a
// case's proxy carries one logical request: its own name, token or resource).
import type { Interleaving } from '../../specs/wire.ts';
import type { Delivery, ForwardTiming } from './history.ts';

/** Whether the interleaving happened, and the times that show it (or what was missing). */
export interface InterleavingFinding {
  interleaving: Interleaving;
  happened: boolean;
  evidence: string;
}

type Query = (original: Delivery, retries: readonly Delivery[], all: readonly Delivery[]) => { happened: boolean; evidence: string };

const QUERIES: Readonly<Record<Interleaving, Query>> = {
  'retry-after-lost-answer': (original, retries) => afterAnswer(original, retries, (shown) => shown === 'closed', 'never shown'),
  'retry-after-client-gave-up': (original, retries) => {
    const forward = original.forwards[0];
    if (forward?.sentAt === undefined) return no(`the original (delivery ${original.n}) never reached the target`);
    if (forward.abortedAt === undefined || forward.answeredAt !== undefined)
      return no(`the target answered the original (delivery ${original.n}) before the client gave up`);
    const retry = firstSentAfter(retries, forward.abortedAt);
    return retry
      ? yes(`delivery ${original.n} aborted at ${ms(forward.abortedAt)} with no answer; retry ${retry.n} sent at ${ms(sentAt(retry)!)}`)
      : no(`no retry reached the target after the original (delivery ${original.n}) was given up at ${ms(forward.abortedAt)}`);
  },
  'retry-overtakes-original': (original, retries) => overtaken(original, retries),
  'own-retry-overtakes-original': (original, retries) => {
    if (original.invocation === undefined) return no(`the original (delivery ${original.n}) carries no SDK invocation id`);
    const own = retries.filter((retry) => retry.invocation === original.invocation && retry.attempt > original.attempt);
    return own.length > 0 ? overtaken(original, own) : no(`no retry of the original's call (delivery ${original.n}) came`);
  },
  'copy-after-answer': (original) => {
    const [first, second] = original.forwards;
    if (first?.answeredAt === undefined || second?.sentAt === undefined)
      return no(`delivery ${original.n} was not delivered twice with an answer to the first copy`);
    return second.sentAt > first.answeredAt
      ? yes(`copy 1 answered at ${ms(first.answeredAt)}, copy 2 sent at ${ms(second.sentAt)}`)
      : no(`copy 2 was sent at ${ms(second.sentAt)}, before copy 1 was answered at ${ms(first.answeredAt)}`);
  },
  'copies-at-once': (original) => {
    const [first, second] = original.forwards;
    if (first === undefined || second === undefined) return no(`delivery ${original.n} was not delivered twice`);
    return overlapping(first, second)
      ? yes(`copies sent at ${ms(first.sentAt!)} and ${ms(second.sentAt!)}, the first answer at ${ms(firstEnd(first, second))}`)
      : no(`the copies of delivery ${original.n} were not at the target together (${spans([first, second])})`);
  },
  'retry-after-unforwarded-error': (original, retries) => {
    if (original.forwards.length > 0) return no(`the original (delivery ${original.n}) reached the target`);
    const retry = firstSentAfter(retries, original.receivedAt);
    return retry
      ? yes(`the original (delivery ${original.n}) was answered by the proxy; retry ${retry.n} sent at ${ms(sentAt(retry)!)}`)
      : no(`no retry of delivery ${original.n} reached the target`);
  },
  'retry-after-error-after-acting': (original, retries) =>
    afterAnswer(original, retries, (shown) => typeof shown === 'number' && (shown >= 500 || shown === 429), 'shown an error'),
  'requests-at-once': (_original, _retries, all) => {
    const forwards = all.flatMap((delivery) => delivery.forwards.map((forward) => ({ n: delivery.n, forward })));
    for (const [i, a] of forwards.entries()) {
      for (const b of forwards.slice(i + 1)) {
        if (overlapping(a.forward, b.forward))
          return yes(
            `deliveries ${a.n} and ${b.n} sent at ${ms(a.forward.sentAt!)} and ${ms(b.forward.sentAt!)}, ` +
              `the first answer at ${ms(firstEnd(a.forward, b.forward))}`,
          );
      }
    }
    return no(`no two of the ${all.length} requests were at the target together (${spans(forwards.map((f) => f.forward))})`);
  },
};

/**
 * Whether `interleaving` happened among a case's deliveries (the watched ones, in arrival order: the first is the
 * original). Without a watched delivery, it did not.
 */
export function findInterleaving(interleaving: Interleaving, deliveries: readonly Delivery[]): InterleavingFinding {
  const watched = deliveries.filter((delivery) => delivery.watched);
  const [original, ...retries] = watched;
  if (original === undefined) return { interleaving, happened: false, evidence: 'no request reached the proxy' };
  return { interleaving, ...QUERIES[interleaving](original, retries, watched) };
}

/** A retry among `retries` was answered before the original was sent to the target. */
function overtaken(original: Delivery, retries: readonly Delivery[]): { happened: boolean; evidence: string } {
  const sent = original.forwards[0]?.sentAt;
  if (sent === undefined) return no(`the original (delivery ${original.n}) never reached the target`);
  const answered = retries.flatMap((retry) =>
    retry.forwards.flatMap((f) => (f.answeredAt === undefined ? [] : [{ retry, at: f.answeredAt }])),
  );
  const first = answered.sort((a, b) => a.at - b.at)[0];
  if (first === undefined) return no(`no retry was answered (the original, delivery ${original.n}, was sent at ${ms(sent)})`);
  return first.at < sent
    ? yes(`retry ${first.retry.n} answered at ${ms(first.at)}; the original (delivery ${original.n}) sent at ${ms(sent)}`)
    : no(`the original (delivery ${original.n}) was sent at ${ms(sent)}, before any retry was answered (first at ${ms(first.at)})`);
}

/** The target answered the original, the client was shown what `shown` accepts, and a retry was sent after the answer. */
function afterAnswer(
  original: Delivery,
  retries: readonly Delivery[],
  shown: (what: Delivery['shown']) => boolean,
  what: string,
): { happened: boolean; evidence: string } {
  const answered = original.forwards[0]?.answeredAt;
  if (answered === undefined) return no(`the target never answered the original (delivery ${original.n})`);
  if (!shown(original.shown)) return no(`the client of delivery ${original.n} was shown ${String(original.shown)}, not ${what}`);
  const retry = firstSentAfter(retries, answered);
  return retry
    ? yes(`delivery ${original.n} answered at ${ms(answered)}; retry ${retry.n} sent at ${ms(sentAt(retry)!)}`)
    : no(`no retry reached the target after the original (delivery ${original.n}) was answered at ${ms(answered)}`);
}

/** Both forwards were handed to the target before either was answered (one not answered at all counts as still there). */
function overlapping(a: ForwardTiming, b: ForwardTiming): boolean {
  if (a.sentAt === undefined || b.sentAt === undefined) return false;
  return a.sentAt < end(b) && b.sentAt < end(a);
}

/** When a forward stopped being at the target as far as the proxy knows: its answer, its failure; never, if aborted unanswered. */
function end(forward: ForwardTiming): number {
  return forward.answeredAt ?? forward.failedAt ?? Number.POSITIVE_INFINITY;
}

function firstEnd(a: ForwardTiming, b: ForwardTiming): number {
  return Math.min(end(a), end(b));
}

function sentAt(delivery: Delivery): number | undefined {
  return delivery.forwards[0]?.sentAt;
}

function firstSentAfter(retries: readonly Delivery[], at: number): Delivery | undefined {
  return retries.find((retry) => retry.forwards.some((forward) => forward.sentAt !== undefined && forward.sentAt > at));
}

function spans(forwards: readonly ForwardTiming[]): string {
  return forwards
    .slice(0, 4)
    .map((f) => `${f.sentAt === undefined ? 'never sent' : ms(f.sentAt)}-${f.answeredAt === undefined ? 'unanswered' : ms(f.answeredAt)}`)
    .join(', ');
}

function ms(at: number): string {
  return `${at.toFixed(1)} ms`;
}

function yes(evidence: string): { happened: boolean; evidence: string } {
  return { happened: true, evidence };
}

function no(evidence: string): { happened: boolean; evidence: string } {
  return { happened: false, evidence };
}
