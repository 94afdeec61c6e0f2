// Runs a fast-check property in a check: seed, run count and replay path from
// the CheckContext; a failure becomes a `fail` Outcome with its
// counterexample and the command that replays exactly that case.
import fc from 'fast-check';
import type { IAsyncProperty } from 'fast-check';
import type { CheckContext } from '../../harness/context.ts';
import type { Outcome } from '../../harness/types.ts';
import { InconclusiveCheck, SkipCheck } from '../../harness/types.ts';
import { Violation } from './verdict.ts';

export function replayCommand(rule: string, operation: string, seed: number, path: string): string {
  return `npx proton-conformance --rules ${rule} --operations ${operation} --seed ${seed} --path ${path}`;
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
  const details = await fc.check(property, {
    seed: ctx.seed,
    numRuns: ctx.numRuns,
    ...(ctx.path !== undefined ? { path: splitPath(ctx.path).path, endOnFailure: true } : {}),
  });
  if (!details.failed) {
    if (details.numRuns === 0) throw new InconclusiveCheck(`no case of the property ran (${what})`);
    return { verdict: 'pass', reason: `${details.numRuns} random cases held (${what}).` };
  }
  const error = details.errorInstance;
  if (error instanceof SkipCheck || error instanceof InconclusiveCheck) throw error;
  ctx.signal.throwIfAborted();
  if (details.counterexample === null || details.counterexamplePath === null) {
    throw new InconclusiveCheck(`the property could not finish: ${details.interrupted ? 'interrupted' : 'too many skipped cases'} (${what})`);
  }
  const cause = error instanceof Violation ? error.reason : `the case threw: ${error instanceof Error ? error.message : String(error)}`;
  const commands = commandsPathOf(details.counterexample);
  const { seed } = details;
  const path = commands === undefined ? details.counterexamplePath : `${details.counterexamplePath}@${commands}`;
  return {
    verdict: 'fail',
    reason: `${cause} Counterexample (after ${details.numRuns} runs, ${details.numShrinks} shrinks): ${counterexampleText(details.counterexample)}`,
    replay: { seed, path, command: replayCommand(rule, operation, seed, path) },
  };
}
