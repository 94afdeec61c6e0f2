// The checker of the wire rules: given what the clients finally saw, what the
// target answered to every delivery the proxy made (harness/wire/proxy.ts), and
// what List and Get show after, whether the history obeys the operation's
// category: each token or name has at most one resource (exactly one where
// every client got through), every success names it (a delete's: its
// metadata, or empty), and no identical request was called invalid.
import type { CheckContext } from '../../harness/run/context.ts';
import type { Delivery, TargetAnswer } from '../../harness/wire/proxy.ts';
import type { CallResult } from '../../specs/commands.ts';
import type { Resource, ResourceSpec } from '../../specs/types.ts';
import { describe, identityKey, sameIdentity } from './compare.ts';
import { carried, listing } from './observe.ts';
import { mark } from './sightings.ts';
import type { Observation } from './observe.ts';

/** What List shows in a scope (List alone: the wire checks judge by List, not by the hooks' counts). */
export async function listed(ctx: CheckContext, spec: ResourceSpec, scope: Resource): Promise<Observation> {
  const items = await listing(ctx, spec, scope);
  return { resource: undefined, listed: new Set(items.keys()), items, since: mark(ctx, spec), scope, hookCount: undefined };
}

/** One answer in the history: a client's final one, or the target's to one delivery. */
export type HistoryAnswer =
  | { source: string; ok: true; resource: Resource | undefined }
  | { source: string; ok: false; error: string; status: number | undefined; network: boolean };

/** The resources the successes of a history name (what a create's List must gain). */
export function namedBy(answers: readonly HistoryAnswer[]): Resource[] {
  return answers.flatMap((answer) => (answer.ok && answer.resource ? [answer.resource] : []));
}

/** A client's final answer (after its retries), as the history has it. */
export function clientAnswer(spec: ResourceSpec, who: string, result: CallResult): HistoryAnswer {
  if (result.ok) return { source: who, ok: true, resource: carried(spec, result.output) };
  return {
    source: who,
    ok: false,
    error: `${result.error.name}: ${result.error.message}`,
    status: result.error.status,
    network: result.error.status === undefined,
  };
}

/** The target's answers to the proxy's deliveries of `operation` (parsed as the SDK would: epoch seconds to Dates). */
export function targetAnswers(spec: ResourceSpec, operation: string, deliveries: readonly Delivery[]): HistoryAnswer[] {
  const answers: HistoryAnswer[] = [];
  for (const delivery of deliveries) {
    if (delivery.operation !== operation) continue;
    delivery.answers.forEach((answer, index) => {
      if ('error' in answer) return;
      const source =
        `the target's answer to ` +
        `delivery #${delivery.n}${delivery.answers.length > 1 ? ` (copy ${index + 1})` : ''}` +
        `${delivery.fault ? ` [${delivery.fault}]` : ''}`;
      answers.push(fromWire(spec, source, answer));
    });
  }
  return answers;
}

function fromWire(spec: ResourceSpec, source: string, answer: TargetAnswer): HistoryAnswer {
  let body: Record<string, unknown> = {};
  try {
    body = answer.body === '' ? {} : (JSON.parse(answer.body) as Record<string, unknown>);
  } catch {
    // A page that is not JSON: judged by its status.
  }
  if (answer.status >= 200 && answer.status < 300) {
    const member = body[spec.member];
    if (member === null || typeof member !== 'object') return { source, ok: true, resource: undefined };
    const resource: Resource = { ...(member as Resource) };
    const created = resource[spec.created];
    if (typeof created === 'number') resource[spec.created] = new Date(Math.round(created * 1000));
    return { source, ok: true, resource };
  }
  const type =
    answer.headers['x-amzn-errortype']?.split(':')[0] ??
    (typeof body['__type'] === 'string' ? body['__type'].slice(body['__type'].lastIndexOf('#') + 1) : `HTTP ${answer.status}`);
  return { source, ok: false, error: `${type}: ${String(body['message'] ?? '')}`.trim(), status: answer.status, network: false };
}

function isTransient(answer: HistoryAnswer): boolean {
  return (
    !answer.ok &&
    (answer.network || (answer.status !== undefined && (answer.status >= 500 || answer.status === 429)) || /^Throttl/.test(answer.error))
  );
}

export interface CreateVerdict {
  /** The one resource the history names, if any. */
  resource: Resource | undefined;
  problems: string[];
}

/**
 * A create's history. `added`: the identity keys List gained; `mustCreate`:
 * every client got through, so exactly one resource is due; `refusals`:
 * whether an answer may refuse an identical request (any error but a
 * ValidationException: concurrent twins); a 5xx, a throttle or a network
 * failure is weather, recorded, never by itself a violation.
 */
export function judgeCreate(
  spec: ResourceSpec,
  answers: readonly HistoryAnswer[],
  added: readonly string[],
  options: { mustCreate: boolean; refusals: boolean },
): CreateVerdict {
  const problems: string[] = [];
  if (added.length > 1) problems.push(`List gained ${added.length} resources for one token or name: ${added.slice(0, 3).join(', ')}`);
  if (options.mustCreate && added.length === 0) problems.push('List gained no resource, though a create succeeded');
  const named = new Map<string, Resource>();
  for (const answer of answers) {
    if (answer.ok) {
      if (answer.resource === undefined) problems.push(`${answer.source} succeeded without the resource (no ${spec.member})`);
      else named.set(identityKey(spec, answer.resource), answer.resource);
      continue;
    }
    if (isTransient(answer)) continue;
    if (answer.error.startsWith('ValidationException'))
      problems.push(`${answer.source} called an identical request invalid: ${answer.error}`);
    else if (!options.refusals) problems.push(`${answer.source} was to succeed: ${answer.error}`);
  }
  if (named.size > 1)
    problems.push(
      `the successes name ${named.size} different resources: ${[...named.values()]
        .slice(0, 3)
        .map((r) => describe(spec, r))
        .join('; ')}`,
    );
  const [resource] = named.values();
  if (resource !== undefined && added.length === 1 && added[0] !== identityKey(spec, resource)) {
    problems.push(`the successes name ${describe(spec, resource)}, but the resource List gained is another one (${added[0]})`);
  }
  if (resource !== undefined && added.length === 0)
    problems.push(`the successes name ${describe(spec, resource)}, which List does not show`);
  return { resource, problems };
}

/**
 * A delete's history: every success names the deleted resource or nothing;
 * with `inProgress`, the view it names is in that status (async-delete); no
 * answer but weather (or, with `refusals`, a refusal other than a
 * ValidationException) fails.
 */
export function judgeDelete(
  spec: ResourceSpec,
  target: Resource,
  answers: readonly HistoryAnswer[],
  options: { refusals: boolean; inProgress?: { field: string; value: string } },
): string[] {
  const problems: string[] = [];
  for (const answer of answers) {
    if (answer.ok) {
      if (answer.resource === undefined) continue;
      if (!sameIdentity(spec, answer.resource, target) && !sameNaming(spec, answer.resource, target)) {
        problems.push(`${answer.source} names ${describe(spec, answer.resource)}, not the deleted ${describe(spec, target)} nor nothing`);
      } else if (options.inProgress && answer.resource[options.inProgress.field] !== options.inProgress.value) {
        problems.push(
          `${answer.source} answered ${options.inProgress.field} ${String(answer.resource[options.inProgress.field])}, ` +
            `not ${options.inProgress.value}`,
        );
      }
      continue;
    }
    if (isTransient(answer)) continue;
    if (answer.error.startsWith('ValidationException') || !options.refusals)
      problems.push(`${answer.source} was to succeed (the deleted resource's metadata or empty): ${answer.error}`);
  }
  return problems;
}

/** Identity fields alike (the creation time aside: a delete's answer may carry it at another precision). */
function sameNaming(spec: ResourceSpec, a: Resource, b: Resource): boolean {
  return spec.identity.every((field) => JSON.stringify(a[field]) === JSON.stringify(b[field]));
}
