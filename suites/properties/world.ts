// The state a property keeps across its runs: the contract models (tokens,
// names), the census of what must exist, the identities seen, the virtual
// time. `request` is the one place a property sends a create: it predicts
// with the model, sends, judges the answer and brings the models up to date.
import type { CheckContext } from '../../harness/context.ts';
import { withRunTags } from '../../specs/operations/index.ts';
import type { CreateOperationSpec, Fixture, Input, Needs, Resource } from '../../specs/types.ts';
import { describe, fingerprint, identityKey } from '../lib/compare.ts';
import { Census } from '../lib/census.ts';
import { NameModel, TokenModel, allows, explain, explainAll } from '../lib/contract-model.ts';
import type { Expected, Observed } from '../lib/contract-model.ts';
import { answerText, classify, sendCreate } from '../lib/create.ts';
import { carried } from '../lib/observe.ts';
import { Timeline } from '../lib/timeline.ts';
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
}

export class PropertyWorld {
  readonly tokens = new TokenModel();
  readonly names = new NameModel();
  readonly census: Census;
  readonly timeline: Timeline;
  /** Identity keys of every resource seen: a "new" one is none of these. */
  readonly known = new Set<string>();
  /** Tokens a run has used: later runs draw others (fc.pre), so that each run stands alone. */
  readonly usedTokens = new Set<string>();

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
    const world = new PropertyWorld(ctx, spec, await prepare(ctx, spec, needs));
    await world.census.start();
    return world;
  }

  /** A generated input made ready to send: a fresh name for the placeholder, the run's tags. */
  fresh(generated: Input): Input {
    const name = this.ctx.uniqueName('p');
    const renamed = Object.fromEntries(Object.entries(generated).map(([key, value]) => [key, value === PLACEHOLDER ? name : value]));
    return withRunTags(renamed, this.ctx.tags);
  }

  /** Claims a token for this run; false when an earlier run used it. */
  claim(...tokens: string[]): boolean {
    if (tokens.some((token) => this.usedTokens.has(token))) return false;
    for (const token of tokens) this.usedTokens.add(token);
    return true;
  }

  private predict(input: Input, token: string | undefined, at: { start: number; end: number }): Expected[] {
    const print = fingerprint(input);
    if (token !== undefined) return this.tokens.predict(token, print, at);
    if (this.spec.token) return [{ kind: 'new' }]; // no token: the SDK supplies a fresh one
    return this.names.predict(String(input.name), print);
  }

  private learn(input: Input, token: string | undefined, at: { start: number; end: number }, observed: Observed, resource: Resource | undefined): void {
    if (observed.kind !== 'new' || !resource) return;
    const key = identityKey(this.spec.resource, resource);
    const print = fingerprint(input);
    if (token !== undefined) this.tokens.created(token, print, at, key);
    else if (!this.spec.token) this.names.created(String(input.name), print, key);
    this.known.add(key);
    this.census.added(this.spec.ref(input), resource);
    track(this.ctx, this.spec.resource, resource);
  }

  private judge(label: string, predicted: readonly Expected[], result: CallResult): { observed: Observed; resource: Resource | undefined } {
    const observed = classify(this.spec.resource, result, predicted, this.known);
    if (!allows(predicted, observed)) {
      throw new Violation(`${label} was to give ${explainAll(predicted)}; it gave ${explain(observed)} (${answerText(this.spec.resource, result)}).`);
    }
    return { observed, resource: result.ok ? carried(this.spec.resource, result.output) : undefined };
  }

  /** One create, judged by the contract model. */
  async request(label: string, input: Input, token: string | undefined): Promise<Sent> {
    await this.census.open(this.spec.ref(input));
    this.ctx.step(`${label}${token === undefined ? '' : ` (token ${JSON.stringify(token)})`}`);
    const { value: result, at } = await this.timeline.timed(() => sendCreate(this.ctx, this.spec.operation, input, token));
    const { observed, resource } = this.judge(label, this.predict(input, token, at), result);
    this.learn(input, token, at, observed, resource);
    return { input, token, observed, resource };
  }

  /** `count` identical creates at once: one answer judged, the others agree with it. */
  async concurrent(label: string, input: Input, token: string | undefined, count: number): Promise<Sent> {
    await this.census.open(this.spec.ref(input));
    this.ctx.step(`${label}: ${count} identical requests at once`);
    const { value: results, at } = await this.timeline.timed(() =>
      Promise.all(Array.from({ length: count }, () => sendCreate(this.ctx, this.spec.operation, input, token))),
    );
    const named = new Set(results.flatMap((result) => (result.ok && carried(this.spec.resource, result.output) ? [identityKey(this.spec.resource, carried(this.spec.resource, result.output)!)] : [])));
    if (named.size > 1) throw new Violation(`${label}: ${count} identical requests at once named ${named.size} different resources.`);
    const representative = results.find((result) => result.ok) ?? results[0]!;
    const { observed, resource } = this.judge(label, this.predict(input, token, at), representative);
    for (const other of results) {
      const agrees = other.ok ? representative.ok : other.error.name === 'ConflictException' || (!representative.ok && other.error.name === representative.error.name);
      if (!agrees) throw new Violation(`${label}: among identical requests sent at once, one answered ${answerText(this.spec.resource, other)}.`);
    }
    this.learn(input, token, at, observed, resource);
    return { input, token, observed, resource };
  }

  describe(resource: Resource | undefined): string {
    return describe(this.spec.resource, resource);
  }
}
