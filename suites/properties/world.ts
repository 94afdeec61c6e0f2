// What a property keeps across its runs, and what each run has of its own.
// `PropertyWorld`: the prerequisites, the virtual time and the ledger of what
// must exist at the end; nothing in it decides a run's verdict. `PropertyRun`:
// one run's contract models (tokens, names), the resources it has seen, its
// names and salted tokens and its own count, so that the run stands alone and
// a replay of its seed and path judges the same case the same way.
// `request` is the one place a property sends a create: it predicts with the
// run's model, sends, judges the answer and brings the model up to date.
import type { CheckContext } from '../../harness/run/context.ts';
import { withRunTags } from '../../specs/operations/index.ts';
import type { CreateOperationSpec, Fixture, Input, Needs, Resource } from '../../specs/types.ts';
import { describe, fingerprint, identityKey } from '../lib/compare.ts';
import { Census, RunCensus } from '../lib/census.ts';
import { NameModel, TokenModel, allows, explain, explainAll } from '../lib/contract-model.ts';
import type { Expected, Observed } from '../lib/contract-model.ts';
import { answerText, classify, refusesDuplicate, sendCreate } from '../lib/create.ts';
import { carried } from '../lib/observe.ts';
import type { Interval } from '../lib/timeline.ts';
import { Timeline } from '../lib/timeline.ts';
import { TokenSalt, saltToken } from '../lib/tokens.ts';
import type { ShortBinding } from '../lib/tokens.ts';
import { Violation } from '../lib/verdict.ts';
import { prepare, track } from '../lib/world.ts';
import type { CallResult } from '../../specs/commands.ts';

/** Stands for the run's fresh name in generated inputs (replaced before sending). */
export const PLACEHOLDER = 'fresh-name';

export interface Sent {
  input: Input;
  token: string | undefined;
  /** What the answer was, as judged. */
  observed: Observed;
  /** The resource the request created or returned (when it succeeded). */
  resource: Resource | undefined;
  /** When it was in flight. */
  at: Interval;
}

export interface RunOptions {
  /**
   * Judge the run's own count after it (RunCensus): the hooks' count where it
   * speaks of this cell alone, else List of the scopes the run touched. Without
   * it, only the property's ledger checks, once every run is done.
   */
  census?: boolean;
}

export class PropertyWorld {
  /** The ledger: what must be listed once every run is done (withCensus). */
  readonly census: Census;
  readonly timeline: Timeline;
  /** The hooks' count the last run ended with, checked; taken by the next run (RunCensus.start). */
  private lastCount: number | undefined;

  private constructor(
    readonly ctx: CheckContext,
    readonly spec: CreateOperationSpec,
    readonly fx: Fixture,
  ) {
    this.census = new Census(ctx, spec.resource);
    this.timeline = new Timeline(ctx);
  }

  /** `needs`: 'alternatives' for random inputs (spec.arbitrary) and changed parameters; 'base' for spec.input only. */
  static async open(ctx: CheckContext, spec: CreateOperationSpec, needs: Needs = 'alternatives'): Promise<PropertyWorld> {
    return new PropertyWorld(ctx, spec, await prepare(ctx, spec, needs));
  }

  /** A fresh run: its own models, resources seen, names, tokens and count. */
  async run(options: RunOptions = {}): Promise<PropertyRun> {
    const known = this.lastCount;
    this.lastCount = undefined;
    const census = options.census ? new RunCensus(this.ctx, this.spec.resource) : undefined;
    await census?.start(known);
    return new PropertyRun(this, census);
  }

  /** A run ended with its count checked: the next run starts from it. */
  ended(count: number | undefined): void {
    this.lastCount = count;
  }
}

export class PropertyRun {
  readonly tokens = new TokenModel();
  readonly names = new NameModel();
  /** Identity keys of the resources this run created and believes exist. */
  private readonly live = new Set<string>();
  /** Identity keys of the resources this run deleted. */
  private readonly deleted = new Set<string>();
  private readonly salt: TokenSalt;

  constructor(
    readonly world: PropertyWorld,
    private readonly census: RunCensus | undefined,
  ) {
    this.salt = TokenSalt.of(world.ctx);
  }

  get ctx(): CheckContext {
    return this.world.ctx;
  }

  get spec(): CreateOperationSpec {
    return this.world.spec;
  }

  get fx(): Fixture {
    return this.world.fx;
  }

  get timeline(): Timeline {
    return this.world.timeline;
  }

  /** A generated input made ready to send: a fresh name for the placeholder, the run's tags. */
  fresh(generated: Input): Input {
    const name = this.ctx.uniqueName('p');
    const renamed = Object.fromEntries(Object.entries(generated).map(([key, value]) => [key, value === PLACEHOLDER ? name : value]));
    return withRunTags(renamed, this.ctx.tags);
  }

  /** A generated token made unique to this run and cell (suites/lib/tokens.ts). */
  token(generated: string): string {
    const salted = saltToken(generated, this.salt.next());
    this.salt.noteSent(generated, salted);
    return salted;
  }

  /** A fresh salt, for a token salted another way. */
  nextSalt(): string {
    return this.salt.next();
  }

  /**
   * A token bound before this run, in this cell (tokens.ts ShortTokens): the
   * model knows it from here on, so that a request with it and the same
   * parameters is judged a retry of that resource.
   */
  adopt(token: string, binding: ShortBinding): void {
    this.tokens.created(token, fingerprint(binding.input), binding.at, binding.key);
    this.live.add(binding.key);
  }

  /** Whether this run created the resource and has not deleted it. */
  knows(resource: Resource): boolean {
    return this.live.has(identityKey(this.spec.resource, resource));
  }

  private predict(input: Input, token: string | undefined, at: Interval, weak: boolean): Expected[] {
    const print = fingerprint(input);
    if (token !== undefined) return this.tokens.predict(token, print, at, weak);
    if (this.spec.token) return [{ kind: 'new' }]; // no token: the SDK supplies a fresh one
    return this.names.predict(String(input.name), print);
  }

  /** The resource the token (or the name) is bound to in the model, whatever the prediction. */
  private originalOf(input: Input, token: string | undefined): string | undefined {
    if (token !== undefined) return this.tokens.keyOf(token);
    return this.spec.token ? undefined : this.names.keyOf(String(input.name));
  }

  private learn(input: Input, token: string | undefined, at: Interval, observed: Observed, resource: Resource | undefined): void {
    if (observed.kind !== 'new' || !resource) return;
    const key = identityKey(this.spec.resource, resource);
    const print = fingerprint(input);
    if (token !== undefined) this.tokens.created(token, print, at, key);
    else if (!this.spec.token) this.names.created(String(input.name), print, key);
    this.live.add(key);
    const ref = this.spec.ref(input);
    this.world.census.added(ref, resource);
    this.census?.added(ref, resource);
    track(this.ctx, this.spec.resource, resource);
  }

  /** The run deleted `resource`, created by `input`: the models, what it has seen and the counts follow. */
  removed(input: Input, resource: Resource): void {
    const key = identityKey(this.spec.resource, resource);
    this.tokens.deleted(key);
    if (!this.spec.token) this.names.deleted(String(input.name));
    this.live.delete(key);
    this.deleted.add(key);
    const ref = this.spec.ref(input);
    this.world.census.removed(ref, resource);
    this.census?.removed(ref, resource);
  }

  private judge(
    label: string,
    predicted: readonly Expected[],
    result: CallResult,
    original: string | undefined,
  ): { observed: Observed; resource: Resource | undefined } {
    const observed = classify(this.spec.resource, result, original, { live: this.live, deleted: this.deleted });
    if (!allows(predicted, observed)) {
      throw new Violation(
        `${label} was to give ${explainAll(predicted)}; it gave ${explain(observed)} (${answerText(this.spec.resource, result)}).`,
      );
    }
    return { observed, resource: result.ok ? carried(this.spec.resource, result.output) : undefined };
  }

  private async opening(input: Input): Promise<void> {
    const ref = this.spec.ref(input);
    await this.world.census.open(ref);
    await this.census?.open(ref);
  }

  /**
   * One create, judged by the contract model. `weak`: a token too short to
   * be unique (tokens.ts saltInPlace), which may be bound elsewhere already.
   */
  async request(label: string, input: Input, token: string | undefined, weak = false): Promise<Sent> {
    await this.opening(input);
    // A label that quotes its token already is not given it twice.
    this.ctx.step(`${label}${token === undefined || label.includes(JSON.stringify(token)) ? '' : ` (token ${JSON.stringify(token)})`}`);
    const original = this.originalOf(input, token);
    const { value: result, at } = await this.timeline.timed(() => sendCreate(this.ctx, this.spec.operation, input, token));
    const { observed, resource } = this.judge(label, this.predict(input, token, at, weak), result, original);
    this.learn(input, token, at, observed, resource);
    return { input, token, observed, resource, at };
  }

  /**
   * `count` identical creates at once. The contract asks for one resource and
   * that every successful response names it: the successes must agree, the
   * first is judged by the model; the others may be refused, with any error
   * but a ValidationException (create.ts refusesDuplicate), and are noted.
   * `client`: the one they go through (a wire proxy's, to make them meet and prove they did; default the cell's).
   */
  async concurrent(label: string, input: Input, token: string | undefined, count: number, client = this.ctx.client): Promise<Sent> {
    await this.opening(input);
    this.ctx.step(`${label}: ${count} identical requests at once`);
    const original = this.originalOf(input, token);
    const { value: results, at } = await this.timeline.timed(() =>
      Promise.all(Array.from({ length: count }, () => sendCreate(this.ctx, this.spec.operation, input, token, client))),
    );
    const successes = results.filter((result) => result.ok);
    const named = new Set(
      successes.flatMap((result) => {
        const resource = carried(this.spec.resource, result.output);
        return resource ? [identityKey(this.spec.resource, resource)] : [];
      }),
    );
    if (named.size > 1)
      throw new Violation(
        `${label}: ${count} identical requests at once named ${named.size} different resources: ${[...named].slice(0, 3).join(', ')}.`,
      );
    const representative = successes[0] ?? results[0]!;
    const { observed, resource } = this.judge(label, this.predict(input, token, at, false), representative, original);
    const others = results.filter((result) => result !== representative && !result.ok);
    const invalid = representative.ok ? others.find((result) => !refusesDuplicate(result)) : undefined;
    if (invalid)
      throw new Violation(
        `${label}: one of ${count} identical requests answered ${answerText(this.spec.resource, invalid)}, ` +
          'while an identical one succeeded.',
      );
    if (others.length > 0)
      this.ctx.step(
        `${label}: ${others.map((result) => answerText(this.spec.resource, result)).join('; ')} (allowed: an identical request ` +
          'may be refused)',
      );
    this.learn(input, token, at, observed, resource);
    return { input, token, observed, resource, at };
  }

  /** After the run: its own count (RunCensus), when it keeps one. */
  async finish(): Promise<void> {
    if (this.census) this.world.ended(await this.census.check());
  }

  describe(resource: Resource | undefined): string {
    return describe(this.spec.resource, resource);
  }
}
