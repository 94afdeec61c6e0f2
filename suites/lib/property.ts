// Runs a fast-check property in a check: seed, run count and replay path from
// the CheckContext; a failure becomes a `fail` Outcome with its
// counterexample and the command that replays exactly that case.
import fc from 'fast-check';
import type { IAsyncProperty } from 'fast-check';
import type { CheckContext } from '../../harness/run/context.ts';
import type { Outcome } from '../../harness/types.ts';
import { InconclusiveCheck, SkipCheck } from '../../harness/types.ts';
import { UsageError } from '../../harness/errors.ts';
import { propertyReason } from '../../harness/run/results.ts';
import type { PropertyFailure } from '../../harness/types.ts';
import { TokenSalt } from './tokens.ts';
import { Violation } from './verdict.ts';

/** The command as a check knows it; the runner prints its own, with the program and every flag that changes the outcome. */
export function replayCommand(rule: string, operation: string, seed: number, path: string): string {
  return `proton-conformance --rules ${rule} --operations ${operation} --seed ${seed} --path ${path}`;
}

/**
 * A replay path as the suite prints it: fast-check's path, and for a property
 * over `fc.commands` the commands' own replay path after '@' (without it a
 * shrunk command sequence does not replay).
 */
export function splitPath(path: string): { path: string; commands: string | undefined } {
  const at = path.indexOf('@');
  return at === -1 ? { path, commands: undefined } : { path: path.slice(0, at), commands: path.slice(at + 1) };
}

/** Options for `fc.commands` in a replay: the commands' replay path, when the printed path carries one. */
export function commandsReplay(ctx: CheckContext): { replayPath?: string } {
  const commands = ctx.path === undefined ? undefined : splitPath(ctx.path).commands;
  return commands === undefined ? {} : { replayPath: commands };
}

/** The replay path of the commands in a counterexample, if it holds any (fc.commands). */
function commandsPathOf(counterexample: unknown): string | undefined {
  for (const value of Array.isArray(counterexample) ? (counterexample as unknown[]) : [counterexample]) {
    const metadata = (value as { metadataForReplay?: () => string } | null)?.metadataForReplay?.();
    const found = metadata === undefined ? null : /replayPath="([^"]*)"/.exec(metadata);
    if (found) return found[1];
  }
  return undefined;
}

function counterexampleText(value: unknown): string {
  const text = fc.stringify(value);
  return text.length > 600 ? `${text.slice(0, 600)}...` : text;
}

/** Runs `property`; `what` says in a few words what the runs did ("random inputs created and retried"). */
export async function runProperty<Ts>(
  ctx: CheckContext,
  rule: string,
  operation: string,
  what: string,
  property: IAsyncProperty<Ts>,
): Promise<Outcome> {
  const noCase = (): UsageError =>
    new UsageError(
      `--path ${ctx.path} names no case of ${rule} on ${operation} with seed ${ctx.seed} (replay a path as printed with a ` +
        'failure, with its --seed)',
    );
  let details;
  try {
    details = await fc.check(property, {
      seed: ctx.seed,
      numRuns: ctx.numRuns,
      ...(ctx.path !== undefined ? { path: splitPath(ctx.path).path, endOnFailure: true } : {}),
    });
  } catch (error) {
    // fast-check's "Unable to replay, got wrong path=...": a shrink index past the case's shrinks.
    if (ctx.path !== undefined && error instanceof Error && /Unable to replay/.test(error.message)) throw noCase();
    throw error;
  }
  if (!details.failed) {
    if (details.numRuns === 0 && ctx.path !== undefined) throw noCase();
    if (details.numRuns === 0) throw new InconclusiveCheck(`no case of the property ran (${what})`);
    return { verdict: 'pass', reason: `${details.numRuns} random cases held (${what}).` };
  }
  const error = details.errorInstance;
  if (error instanceof SkipCheck || error instanceof InconclusiveCheck) throw error;
  ctx.signal.throwIfAborted();
  if (details.counterexample === null || details.counterexamplePath === null) {
    throw new InconclusiveCheck(
      `the property could not finish: ${details.interrupted ? 'interrupted' : 'too many skipped cases'} (${what})`,
    );
  }
  const cause = error instanceof Violation ? error.reason : `the case threw: ${error instanceof Error ? error.message : String(error)}`;
  const commands = commandsPathOf(details.counterexample);
  const { seed } = details;
  const path = commands === undefined ? details.counterexamplePath : `${details.counterexamplePath}@${commands}`;
  // Tokens are salted per run (tokens.ts TokenSalt): a replay of this one
  // case (ctx.path) says how its generated tokens were sent, as its evidence shows them.
  const sent = ctx.path === undefined ? [] : TokenSalt.of(ctx).sentTokens();
  const salted =
    sent.length === 0 ? '' : `; sent as ${sent.map(([raw, token]) => `${JSON.stringify(token)} for ${JSON.stringify(raw)}`).join(', ')}`;
  const found: PropertyFailure = {
    cause,
    counterexample: `${counterexampleText(details.counterexample)}${salted}`,
    runs: details.numRuns,
    shrinks: details.numShrinks,
  };
  return {
    verdict: 'fail',
    reason: propertyReason(found),
    replay: { seed, path, command: replayCommand(rule, operation, seed, path) },
    property: found,
  };
}
