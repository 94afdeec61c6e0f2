// Runs cells of the real catalog against the embedded emulator through the
// harness's own runner (harness/run/runner.ts builds each CheckContext), with an
// optional tamper: a change to each cell's context that makes the target look
// non-conforming from the client's side, to show that the checks can fail.
import { newRunId } from '../../harness/safety/names.ts';
import { runConformance } from '../../harness/run/runner.ts';
import type { Catalog, Check } from '../../harness/run/catalog.ts';
import type { CheckContext } from '../../harness/run/context.ts';
import { selectCells } from '../../harness/run/select.ts';
import { resolveTarget } from '../../harness/target/target.ts';
import type { Target } from '../../harness/target/target.ts';
import type { RuleResult } from '../../harness/types.ts';
import * as model from '../../specs/model.ts';
import { operationSpec } from '../../specs/operations/index.ts';
import { RULES } from '../../specs/rules.ts';
import type { OperationSpec } from '../../specs/types.ts';
import { checks } from '../../suites/registry.ts';

export type Tamper = (ctx: CheckContext) => CheckContext;

export function startTarget(): Promise<Target> {
  return resolveTarget({ env: {} });
}

export interface CellRun {
  rules: string;
  operations?: string;
  numRuns?: number;
  seed?: number;
  /** With `seed`: replay this one property case (fast-check path). */
  path?: string;
  tamper?: Tamper;
}

export async function runCells(target: Target, run: CellRun): Promise<RuleResult[]> {
  const wrapped: Record<string, Check<OperationSpec>> = Object.fromEntries(
    Object.entries(checks).map(([id, check]) => [
      id,
      (ctx: CheckContext, op: OperationSpec) => check(run.tamper ? run.tamper(ctx) : ctx, op),
    ]),
  );
  const catalog: Catalog<OperationSpec> = { rules: RULES, checks: wrapped, operation: operationSpec };
  const outcome = await runConformance({
    catalog,
    selection: selectCells(RULES, { rules: run.rules, ...(run.operations ? { operations: run.operations } : {}) }),
    target,
    shapeModel: model,
    // Each run has accounts and names of its own.
    runId: newRunId(),
    seed: run.seed ?? 20_261_126,
    numRuns: run.numRuns ?? 10,
    ...(run.path !== undefined ? { path: run.path } : {}),
    concurrency: 8,
    cellTimeoutMs: 60_000,
  });
  return outcome.report.results;
}

export function summary(results: readonly RuleResult[]): string {
  return results.map((result) => `${result.verdict} ${result.rule} ${result.operation}: ${result.reason}`).join('\n');
}
