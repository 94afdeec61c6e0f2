// wire/interleaved-retries: random interleavings of retries of one logical
// request by 2 to 32 clients at once, through a proxy whose faults fast-check
// draws (a seeded schedule: which fault meets which delivery), judged by the
// checker over the history of what each client sent and saw and what the
// target answered (suites/lib/wire.ts). Few runs: each sends up to 32
// requests and their retries.
import fc from 'fast-check';
import type { ProtonClient } from '@aws-sdk/client-proton';
import type { CheckContext, WireLink } from '../../harness/run/context.ts';
import { faultSpec } from '../../harness/wire/proxy.ts';
import type { FaultRule } from '../../harness/wire/proxy.ts';
import type { Outcome } from '../../harness/types.ts';
import { InconclusiveCheck } from '../../harness/types.ts';
import { attempt } from '../../specs/commands.ts';
import type { CallResult } from '../../specs/commands.ts';
import { INTERLEAVED_CLIENTS, INTERLEAVING_ATTEMPTS, INTERLEAVING_FAULTS, INTERLEAVINGS } from '../../specs/wire.ts';
import type { CreateOperationSpec, DeleteOperationSpec, Fixture, Input, OperationSpec, Resource } from '../../specs/types.ts';
import { describe } from '../lib/compare.ts';
import { baseInput, createToDelete, freshToken, withToken } from '../lib/create.ts';
import { settledPair } from '../lib/evidence.ts';
import { listDelta } from '../lib/observe.ts';
import { runProperty } from '../lib/property.ts';
import { expect } from '../lib/verdict.ts';
import { clientAnswer, judgeCreate, listed, namedBy, targetAnswers } from '../lib/wire.ts';
import { prepare } from '../lib/world.ts';
import { afterDelete, clientOptions, deleteProblems } from '../scenarios/wire.ts';
import type { RetryMode } from '../scenarios/wire.ts';

export const INTERLEAVED = 'wire/interleaved-retries';

/** Runs per cell at most (each run is up to 32 clients and their retries). */
export const INTERLEAVED_RUNS = 2;

interface Plan {
  clients: number;
  /** How each client retries, by client number modulo the list. */
  modes: RetryMode[];
  faults: FaultRule[];
}

/**
 * Each run: the first delivery is lost late (the client gives up at once, the
 * target receives it after its retry: a run without a lost delivery retries
 * nothing, and this one makes a retry overtake its original), client 1
 * retries by the SDK's strategy; the other clients' modes and up to five more
 * faults (any kind) on later deliveries are drawn.
 */
const planArb: fc.Arbitrary<Plan> = fc
  .record({
    clients: fc.integer({ min: INTERLEAVED_CLIENTS.min, max: INTERLEAVED_CLIENTS.max }),
    modes: fc.array(fc.constantFrom<RetryMode>('sdk', 'harness'), { maxLength: 2 }),
    faults: fc.uniqueArray(
      fc.record({
        fault: fc.constantFrom(...INTERLEAVING_FAULTS),
        when: fc.integer({ min: 2, max: 40 }).map((n) => ({ kind: 'nth' as const, n })),
      }),
      { maxLength: 5, selector: (rule) => rule.when.n },
    ),
  })
  .map(({ clients, modes, faults }) => ({
    clients,
    modes: ['sdk' as const, ...modes],
    faults: [{ fault: 'late' as const, when: { kind: 'nth' as const, n: 1 } }, ...faults],
  }));

function planText(plan: Plan): string {
  return `${plan.clients} clients (${plan.modes.join('/')} retries), faults ${faultSpec(plan.faults)}`;
}

/** SDK clients per retry mode that the run's concurrent requests are spread over. */
const SDK_CLIENTS_PER_MODE = 4;

/**
 * One proxy for the cell's runs, rescheduled for each, and its SDK clients
 * made once and reused: an SDK client costs milliseconds of CPU to make, and
 * a run sends up to 32 requests at once. Request i goes through SDK client
 * i mod 4 of its mode (each request its own invocation, its own retries); the
 * history names the SDK client and the invocation.
 */
class Wire {
  private link: WireLink | undefined;
  private readonly clients = new Map<string, ProtonClient>();

  constructor(private readonly ctx: CheckContext) {}

  /** Runs `body`, then counts the runs' interleavings for the cell (WireLink.tally), whatever became of it. */
  async counted<T>(count: { intended: number; exercised: number }, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } finally {
      this.link?.tally(count.intended, count.exercised);
    }
  }

  async forRun(plan: Plan): Promise<{ link: WireLink; clients: ProtonClient[] }> {
    if (this.link) this.link.reschedule(plan.faults);
    // The late original waits for its own call's retry alone: another client's answered request must not let it go first.
    else this.link = await this.ctx.throughProxy(plan.faults, undefined, { lateByCall: true });
    const link = this.link;
    const clients = Array.from({ length: plan.clients }, (_, i) => {
      const mode = plan.modes[i % plan.modes.length]!;
      const slot = Math.floor(i / plan.modes.length) % SDK_CLIENTS_PER_MODE;
      const key = `${mode} ${slot + 1}`;
      let client = this.clients.get(key);
      if (!client) {
        client = link.client({ ...clientOptions(mode), label: `sdk client ${slot + 1} (${mode})` });
        this.clients.set(key, client);
      }
      return client;
    });
    return { link, clients };
  }
}

/**
 * Every client sends the same request at once, client 1 (the SDK's retries)
 * first: the others start once its request reached the proxy, so that the
 * delivery the run loses late is its, and its own retry overtakes it while
 * the others' requests arrive.
 */
async function sendAll(
  ctx: CheckContext,
  link: WireLink,
  clients: readonly ProtonClient[],
  operation: OperationSpec['operation'],
  input: Input,
): Promise<CallResult[]> {
  const first = attempt(clients[0]!, operation, input, ctx.signal);
  await Promise.race([link.received(1), first]);
  const rest = clients.slice(1).map((client) => attempt(client, operation, input, ctx.signal));
  return Promise.all([first, ...rest]);
}

/**
 * The interleaving each run needs: its first delivery (client 1's original, lost late) reaches the target after a
 * retry of its own call (a later SDK attempt) was answered; another client's request answered first is not one.
 */
const RUN_INTERLEAVING = 'own-retry-overtakes-original';

async function interleavedCreate(ctx: CheckContext, spec: CreateOperationSpec, fx: Fixture, wire: Wire, plan: Plan): Promise<boolean> {
  const input = withToken(baseInput(ctx, spec, fx, ctx.uniqueName('wire')), spec.token ? freshToken() : undefined);
  const scope = spec.ref(input);
  const before = await listed(ctx, spec.resource, scope);
  const { link, clients } = await wire.forRun(plan);
  ctx.step(`[${INTERLEAVED}] ${spec.operation}: ${planText(plan)}`);
  const results = await sendAll(ctx, link, clients, spec.operation, input);
  await link.idle();
  const happened = link.interleaving(RUN_INTERLEAVING).happened;
  const answers = [
    ...results.map((result, i) => clientAnswer(spec.resource, `client ${i + 1}`, result)),
    ...targetAnswers(spec.resource, spec.operation, link.deliveries),
  ];
  // List is evidence (evidence.ts): settled against what was there and what the successes name.
  const settled = await settledPair(ctx, spec.resource, before, await listed(ctx, spec.resource, scope), { added: namedBy(answers) });
  const { added } = listDelta(settled.before, settled.after);
  link.note(`List of the scope gained ${added.length}: ${added.join(', ') || 'nothing'}`);
  // Concurrent twins: a refusal (any error but a ValidationException) is allowed; weather is recorded, not judged.
  const verdict = judgeCreate(spec.resource, answers, added, { mustCreate: false, refusals: true });
  expect(verdict.problems.length === 0, () => `${planText(plan)}: ${verdict.problems.join('; ')}.`);
  return happened;
}

async function interleavedDelete(
  ctx: CheckContext,
  spec: DeleteOperationSpec,
  fx: Fixture,
  sibling: Resource,
  wire: Wire,
  plan: Plan,
): Promise<boolean> {
  const target = await createToDelete(ctx, spec, fx, 'wire');
  const { link, clients } = await wire.forRun(plan);
  ctx.step(`[${INTERLEAVED}] ${spec.operation} ${describe(spec.resource, target)}: ${planText(plan)}`);
  const input = spec.resource.remove.input(target);
  const results: CallResult[] = await sendAll(ctx, link, clients, spec.operation, input);
  await link.idle();
  const happened = link.interleaving(RUN_INTERLEAVING).happened;
  // Concurrent twins: a refusal (any error but a ValidationException) is allowed, for the clients' answers too.
  const answers = [
    ...results.map((result, i) => clientAnswer(spec.resource, `client ${i + 1}`, result)),
    ...targetAnswers(spec.resource, spec.operation, link.deliveries),
  ];
  const problems = deleteProblems(spec, target, [], answers, true);
  // Where some client got through, the resource must be gone (or going); its sibling must stay whatever happened.
  const through = results.some((result) => result.ok);
  const after = await afterDelete(ctx, spec, target, sibling, link);
  problems.push(...(through ? after : after.filter((problem) => problem.includes('sibling'))));
  expect(problems.length === 0, () => `${planText(plan)}: ${problems.join('; ')}.`);
  return happened;
}

export async function interleavedRetries(ctx: CheckContext, spec: OperationSpec): Promise<Outcome> {
  const fx = await prepare(ctx, spec, 'base');
  const sibling = spec.kind === 'delete' ? await createToDelete(ctx, spec, fx, 'sibling') : undefined;
  const wire = new Wire(ctx);
  // Each run until its interleaving happens (each attempt a fresh token, name or resource): at most INTERLEAVING_ATTEMPTS.
  const count = { intended: 0, exercised: 0 };
  const property = fc.asyncProperty(planArb, async (plan) => {
    count.intended++;
    for (let attempt = 1; attempt <= INTERLEAVING_ATTEMPTS; attempt++) {
      const happened =
        spec.kind === 'create'
          ? await interleavedCreate(ctx, spec, fx, wire, plan)
          : await interleavedDelete(ctx, spec, fx, sibling!, wire, plan);
      if (happened) {
        count.exercised++;
        return;
      }
      ctx.step(`[${INTERLEAVED}] the run's interleaving ${RUN_INTERLEAVING} did not happen (attempt ${attempt}): run again, fresh`);
    }
  });
  const runs = { ...ctx, numRuns: Math.min(ctx.numRuns, INTERLEAVED_RUNS) };
  const outcome = await wire.counted(count, () =>
    runProperty(
      runs,
      INTERLEAVED,
      spec.operation,
      `2 to 32 clients retrying one ${spec.kind === 'create' ? 'create' : 'delete'} at once through random wire faults`,
      property,
    ),
  );
  // A failure stays a failure; a pass must have met every run's interleaving.
  if (outcome.verdict === 'pass' && count.exercised < count.intended)
    throw new InconclusiveCheck(
      `the interleaving ${RUN_INTERLEAVING} (${INTERLEAVINGS[RUN_INTERLEAVING]}) never happened in ${INTERLEAVING_ATTEMPTS} attempts ` +
        `for ${count.intended - count.exercised} of ${count.intended} runs: those runs checked nothing`,
    );
  return outcome;
}
