// The strict gate (issue 20, item 4). `--fail-on skipped,inconclusive`: cells
// with those verdicts fail the run (exit 1), as a MUST failure does, unless
// --expect lists them; the run's settings carry the list, so that `merge`
// judges the shards' report the same way. `--require-capabilities LIST`: the
// target must offer these hooks (docs/emulator-hooks.md), else the run stops
// before any cell (exit 2, one line naming what is missing).
import { UsageError } from '../errors.ts';
import { gateExitCode } from '../outcomes/expectations.ts';
import type { ReportWithExpectations } from '../outcomes/expectations.ts';
import { HOOK_NAMES } from '../target/probe.ts';
import type { HookName } from '../target/probe.ts';
import type { Report, RuleResult } from '../types.ts';

export const FAIL_ON_VERDICTS = ['skipped', 'inconclusive'] as const;
export type FailOnVerdict = (typeof FAIL_ON_VERDICTS)[number];

/** `skipped,inconclusive` (either or both), as a list or comma-separated; `flag` names it in the message. */
export function parseFailOn(flag: string, raw: string | readonly string[]): FailOnVerdict[] {
  return parseList(flag, raw, FAIL_ON_VERDICTS, 'verdict');
}

/** `clock,durations`: capabilities of the hooks protocol. */
export function parseRequiredCapabilities(flag: string, raw: string | readonly string[]): HookName[] {
  return parseList(flag, raw, HOOK_NAMES, 'capability');
}

function parseList<T extends string>(flag: string, raw: string | readonly string[], known: readonly T[], what: string): T[] {
  const words = (typeof raw === 'string' ? raw.split(',') : [...raw]).map((word) => word.trim()).filter((word) => word !== '');
  if (words.length === 0) throw new UsageError(`${flag}: empty value (one or more of ${known.join(', ')})`);
  for (const word of words) {
    if (!(known as readonly string[]).includes(word)) throw new UsageError(`${flag}: '${word}' is not a ${what} (${known.join(', ')})`);
  }
  return [...new Set(words as T[])];
}

/** Throws the one-line UsageError when the target lacks a required capability. */
export function checkRequiredCapabilities(
  target: { endpoint: string; capabilities: ReadonlySet<string>; accounts: boolean },
  required: readonly HookName[] | undefined,
): void {
  if (required === undefined || required.length === 0) return;
  const offered = [...target.capabilities, ...(target.accounts ? ['accounts'] : [])];
  const missing = required.filter((name) => !offered.includes(name));
  if (missing.length === 0) return;
  const hooks = offered.length > 0 ? offered.join(', ') : 'none';
  throw new UsageError(
    `--require-capabilities: ${target.endpoint} lacks ${missing.join(', ')} (its hooks: ${hooks}; docs/emulator-hooks.md); no cell was run`,
  );
}

/** The --fail-on verdicts a report was made with (its settings). */
export function failOnOf(report: Report): readonly FailOnVerdict[] {
  const failOn = (report as { settings?: { failOn?: unknown } }).settings?.failOn;
  return Array.isArray(failOn) ? failOn.filter((v): v is FailOnVerdict => (FAIL_ON_VERDICTS as readonly string[]).includes(v)) : [];
}

/** The cells --fail-on fails the run for: its verdicts, unless --expect names the cell (known, as a known failure is). */
export function failOnCells(report: Report): RuleResult[] {
  const failOn = failOnOf(report);
  if (failOn.length === 0) return [];
  const named = new Set(((report as ReportWithExpectations).expectations?.entries ?? []).map((e) => `${e.rule} ${e.operation}`));
  return report.results.filter(
    (result) => (failOn as readonly string[]).includes(result.verdict) && !named.has(`${result.rule} ${result.operation}`),
  );
}

/** The gate's exit code: a MUST failure (gateExitCode), else a cell --fail-on names. */
export function strictExitCode(report: Report): 0 | 1 {
  const base = gateExitCode(report);
  return base === 0 && failOnCells(report).length > 0 ? 1 : base;
}

/** "3 skipped, 1 inconclusive (--fail-on skipped,inconclusive)"; undefined when --fail-on fails nothing. */
export function failOnText(report: Report): string | undefined {
  const cells = failOnCells(report);
  if (cells.length === 0) return undefined;
  const counts = FAIL_ON_VERDICTS.map((verdict) => [verdict, cells.filter((c) => c.verdict === verdict).length] as const)
    .filter(([, n]) => n > 0)
    .map(([verdict, n]) => `${n} ${verdict}`);
  return `${counts.join(', ')} (--fail-on ${failOnOf(report).join(',')})`;
}
