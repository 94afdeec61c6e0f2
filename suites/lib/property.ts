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
    ...(ctx.path !== undefined ? { path: ctx.path, endOnFailure: true } : {}),
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
  const { seed, counterexamplePath: path } = details;
  return {
    verdict: 'fail',
    reason: `${cause} Counterexample (after ${details.numRuns} runs, ${details.numShrinks} shrinks): ${counterexampleText(details.counterexample)}`,
    replay: { seed, path, command: replayCommand(rule, operation, seed, path) },
  };
}
