// general/exact-resource-count on the create operations: random sequences of
// create, identical retry, changed retry, modify, delete, clock jump and
// concurrent identical requests, each answer judged by the contract model;
// after every sequence the count (the hooks', or List where there are none)
// and Get of what the sequence deleted, and at the end List identity by
// identity, must show exactly the resources the model predicts.
import fc from 'fast-check';
import type { ProtonClient } from '@aws-sdk/client-proton';
import type { CheckContext, WireLink } from '../../harness/run/context.ts';
import type { Outcome } from '../../harness/types.ts';
import { InconclusiveCheck } from '../../harness/types.ts';
import { INTERLEAVINGS } from '../../specs/wire.ts';
import { attempt } from '../../specs/commands.ts';
import { settle } from '../../specs/prerequisites.ts';
import { TOKEN_LIFETIME_MS } from '../../specs/rules.ts';
import type { CreateOperationSpec, Input, ParameterSpec, Resource } from '../../specs/types.ts';
import { answerText, freshToken } from '../lib/create.ts';
import { change } from '../lib/expectations.ts';
import { read } from '../lib/observe.ts';
import { commandsReplay, runProperty } from '../lib/property.ts';
import { expect } from '../lib/verdict.ts';
import { specEnv } from '../lib/world.ts';
import { withCensus } from './create-retries.ts';
import { PLACEHOLDER, PropertyWorld } from './world.ts';
import type { PropertyRun, Sent } from './world.ts';

const RULE = 'general/exact-resource-count';
const CONCURRENCY = 2;
const MAX_COMMANDS = 2;
/** What the concurrent commands' requests must do at the target (Meeting). */
const INTERLEAVING = 'requests-at-once';

interface Entry extends Sent {
  deleted: boolean;
}

/** The model of one sequence: what it sent, and what it deleted. */
interface Run {
  entries: Entry[];
  deletedThisRun: Resource[];
}

type Command = fc.AsyncCommand<Run, PropertyRun>;

/** Entries a retry may pick: by name, only resources that still exist (re-creating a deleted name is no retry). */
function retryable(run: Run, spec: CreateOperationSpec): Entry[] {
  return run.entries.filter((entry) => entry.resource !== undefined && (spec.token || !entry.deleted));
}

function live(run: Run): Entry[] {
  return run.entries.filter((entry) => entry.resource !== undefined && !entry.deleted && entry.observed.kind === 'new');
}

function record(run: Run, sent: Sent): void {
  if (sent.observed.kind === 'new') run.entries.push({ ...sent, deleted: false });
}

class CreateCommand implements Command {
  constructor(private readonly generated: Input) {}
  check = (): boolean => true;
  async run(run: Run, world: PropertyRun): Promise<void> {
    const token = world.spec.token ? freshToken() : undefined;
    record(run, await world.request(`[${RULE}] create`, world.fresh(this.generated), token));
  }
  toString = (): string => `create(${fc.stringify(this.generated)})`;
}

class RetryCommand implements Command {
  constructor(
    private readonly pick: number,
    private readonly changed: readonly ParameterSpec[],
  ) {}
  check = (run: Run): boolean => run.entries.length > 0;
  async run(run: Run, world: PropertyRun): Promise<void> {
    const choices = retryable(run, world.spec);
    if (choices.length === 0) return;
    const entry = choices[this.pick % choices.length]!;
    const input = this.changed.length === 0 ? entry.input : change(world.fx, entry.input, this.changed);
    const what = this.changed.length === 0 ? 'identical retry' : `retry with ${this.changed.map((p) => p.name).join(', ')} changed`;
    record(run, await world.request(`[${RULE}] ${what}`, input, entry.token));
  }
  toString = (): string =>
    this.changed.length === 0 ? `retry(#${this.pick})` : `retry(#${this.pick}, changed: ${this.changed.map((p) => p.name).join(',')})`;
}

/**
 * The concurrent commands' requests meet at the target, and the pass proves it (issue 19): they go through a wire
 * proxy of the cell's (no faults) that holds them until all have come and forwards them at once (WireLink.gather),
 * and its history must then show two of them at the target before either was answered (specs/wire.ts
 * `requests-at-once`). Each command counts one intended interleaving, exercised or not (the report's
 * `interleavings`); a pass where some did not happen is inconclusive.
 */
class Meeting {
  readonly count = { intended: 0, exercised: 0 };
  private through: Promise<{ link: WireLink; client: ProtonClient }> | undefined;

  constructor(private readonly ctx: CheckContext) {}

  /** Sends `count` requests through the proxy, gathered; then reads whether they met. */
  async send<T>(count: number, send: (client: ProtonClient) => Promise<T>): Promise<T> {
    this.through ??= this.ctx.throughProxy('none').then((link) => ({ link, client: link.client({ label: 'client (at once)' }) }));
    const { link, client } = await this.through;
    // From here on: this command's deliveries alone, the next `count` held until all have come.
    link.reschedule('none');
    link.gather(count);
    const value = await send(client);
    await link.idle();
    this.count.intended++;
    if (link.interleaving(INTERLEAVING).happened) this.count.exercised++;
    return value;
  }

  /** The cell's count (WireLink.tally), once, when any command was sent. */
  async tally(): Promise<void> {
    if (this.through !== undefined) (await this.through).link.tally(this.count.intended, this.count.exercised);
  }
}

/** Where the model run's commands find the cell's Meeting. */
const meetings = new WeakMap<PropertyRun, Meeting>();

class ConcurrentCommand implements Command {
  constructor(private readonly pick: number) {}
  check = (run: Run): boolean => run.entries.length > 0;
  async run(run: Run, world: PropertyRun): Promise<void> {
    const choices = retryable(run, world.spec);
    if (choices.length === 0) return;
    const entry = choices[this.pick % choices.length]!;
    const label = `[${RULE}] identical retries at once`;
    const meeting = meetings.get(world);
    const sent = meeting
      ? await meeting.send(CONCURRENCY, (client) => world.concurrent(label, entry.input, entry.token, CONCURRENCY, client))
      : await world.concurrent(label, entry.input, entry.token, CONCURRENCY);
    record(run, sent);
  }
  toString = (): string => `concurrent(#${this.pick} x${CONCURRENCY})`;
}

class ModifyCommand implements Command {
  constructor(private readonly pick: number) {}
  check = (run: Run): boolean => live(run).length > 0;
  async run(run: Run, world: PropertyRun): Promise<void> {
    const modify = world.spec.resource.modify!;
    const entry = live(run)[this.pick % live(run).length]!;
    const resource = await settle(specEnv(world.ctx), world.spec.resource, entry.resource!);
    world.ctx.step(`[${RULE}] modify: ${modify.operation} ${modify.field}`);
    const result = await attempt(world.ctx.client, modify.operation, modify.input(resource, `modified ${this.pick}`), world.ctx.signal);
    expect(result.ok, () => `${modify.operation}, needed to modify the resource, failed: ${answerText(world.spec.resource, result)}.`);
    if (!world.spec.token) world.names.modified(String(entry.input.name));
  }
  toString = (): string => `modify(#${this.pick})`;
}

class DeleteCommand implements Command {
  constructor(private readonly pick: number) {}
  check = (run: Run): boolean => live(run).length > 0;
  async run(run: Run, world: PropertyRun): Promise<void> {
    const { spec, ctx } = world;
    const entry = live(run)[this.pick % live(run).length]!;
    const resource = await settle(specEnv(ctx), spec.resource, entry.resource!);
    ctx.step(`[${RULE}] delete ${world.describe(resource)}`);
    const result = await attempt(ctx.client, spec.resource.remove.operation, spec.resource.remove.input(resource), ctx.signal);
    expect(
      result.ok,
      () => `${spec.resource.remove.operation} of ${world.describe(resource)} failed: ${answerText(spec.resource, result)}.`,
    );
    entry.deleted = true;
    if (spec.resource.asyncDeletion) {
      // Waiting for the deletion to end reads it with Get: that is the check of the deletion as well.
      await ctx.waitFor(
        `${world.describe(resource)} deleted`,
        () => read(ctx, spec.resource, resource),
        (current) => current === undefined,
      );
    } else {
      run.deletedThisRun.push(resource);
    }
    world.removed(entry.input, resource);
  }
  toString = (): string => `delete(#${this.pick})`;
}

class AdvanceCommand implements Command {
  constructor(private readonly ms: number) {}
  check = (): boolean => true;
  async run(_run: Run, world: PropertyRun): Promise<void> {
    world.ctx.step(`[${RULE}] advance the clock ${this.ms} ms`);
    await world.timeline.advance(this.ms);
  }
  toString = (): string => `advance(${this.ms})`;
}

function commandArbs(world: PropertyWorld): fc.Arbitrary<Command>[] {
  const { spec } = world;
  const pick = fc.nat(20);
  const arbs: fc.Arbitrary<Command>[] = [
    spec.arbitrary(world.fx, PLACEHOLDER).map((generated) => new CreateCommand(generated)),
    pick.map((n) => new RetryCommand(n, [])),
    fc.tuple(pick, fc.subarray([...spec.parameters], { minLength: 1 })).map(([n, changed]) => new RetryCommand(n, changed)),
    pick.map((n) => new ConcurrentCommand(n)),
    pick.map((n) => new DeleteCommand(n)),
  ];
  if (!spec.token && spec.resource.modify) arbs.push(pick.map((n) => new ModifyCommand(n)));
  if (spec.token && world.ctx.capabilities.has('clock')) {
    arbs.push(
      fc
        .constantFrom(3_600_000, TOKEN_LIFETIME_MS - 1_000, TOKEN_LIFETIME_MS, TOKEN_LIFETIME_MS + 1_000)
        .map((ms) => new AdvanceCommand(ms)),
    );
  }
  return arbs;
}

export async function exactResourceCountProperty(ctx: CheckContext, spec: CreateOperationSpec): Promise<Outcome> {
  const world = await PropertyWorld.open(ctx, spec);
  // Every sequence opens with a create, so that retries, deletes and the rest have something to act on.
  const opening = spec.arbitrary(world.fx, PLACEHOLDER).map((generated) => new CreateCommand(generated));
  const commandsArb = fc.commands(commandArbs(world), { maxCommands: MAX_COMMANDS, ...commandsReplay(ctx) });
  const meeting = new Meeting(ctx);
  const property = fc.asyncProperty(opening, commandsArb, async (first, commands) => {
    // Each sequence is a run of its own: its models, its count before and after (the hooks', else List).
    const real = await world.run({ census: true });
    meetings.set(real, meeting);
    const run: Run = { entries: [], deletedThisRun: [] };
    await fc.asyncModelRun(() => ({ model: run, real }), [first, ...commands]);
    await real.finish();
    // Get of what it deleted: gone, or (same name or numbers) a resource the sequence re-created since.
    for (const resource of run.deletedThisRun) {
      const found = await read(ctx, spec.resource, resource);
      expect(found === undefined || real.knows(found), () => `Get still finds ${real.describe(found)}, which the sequence deleted.`);
    }
  });
  const outcome = await withCensus(world, async () => {
    try {
      return await runProperty(
        ctx,
        RULE,
        spec.operation,
        `random sequences of a create and up to ${MAX_COMMANDS} more creates, retries, changed retries, ` +
          `deletes${spec.token ? ', clock jumps' : ', modifications'} and concurrent retries (through a proxy that makes them meet)`,
        property,
      );
    } finally {
      await meeting.tally();
    }
  });
  // A failure stays a failure; a pass must have met every concurrent command's interleaving.
  const { intended, exercised } = meeting.count;
  if (outcome.verdict === 'pass' && exercised < intended)
    throw new InconclusiveCheck(
      `the interleaving ${INTERLEAVING} (${INTERLEAVINGS[INTERLEAVING]}) did not happen for ${intended - exercised} of ` +
        `${intended} concurrent commands: those commands checked nothing concurrent`,
    );
  return outcome;
}
