// `proton-conformance merge A.json B.json ... [--json OUT] [--junit FILE]
// [--html FILE] [--markdown FILE] [--expect FILE [--strict-expectations]]`:
// the shards' JSON reports (`--shard i/n`) joined into one report and one
// verdict (harness/outcomes/merge.ts), printed as a run prints it and written as the
// reports asked for. Exit codes as a run's: 0, 1, 2.
import { UsageError } from '../harness/errors.ts';
import { strictExitCode } from '../harness/engine/gate.ts';
import { applyExpectations, loadExpectations } from '../harness/outcomes/expectations.ts';
import { mergeReports } from '../harness/outcomes/merge.ts';
import { readReport } from '../harness/outcomes/report-file.ts';
import { consoleReporter } from '../reporters/console.ts';
import { parseSubcommand, REPORT_OPTIONS, reportFlags } from './args.ts';
import { fileReporters } from './reports.ts';
import { MERGE_USAGE } from './usage.ts';

/** merge's flags: the report files and the known failures, as a run's (MERGE_USAGE lists each). */
export const MERGE_OPTIONS = { ...REPORT_OPTIONS, help: { type: 'boolean', short: 'h' } } as const;

export async function runMerge(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseSubcommand('merge', argv, MERGE_OPTIONS, true);
  if (values.help) {
    process.stdout.write(MERGE_USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('merge: give the JSON reports of the shards (merge A.json B.json ...)');
  if (values['strict-expectations'] && values.expect === undefined)
    throw new UsageError('merge: --strict-expectations goes with --expect FILE');
  const flags = reportFlags(values);
  const { RULES } = await import('../specs/rules.ts');
  const known = new Map(RULES.map((rule) => [rule.id, rule.operations as readonly string[]]));
  const expectations = values.expect === undefined ? undefined : await loadExpectations(values.expect, '--expect', known);
  const inputs = await Promise.all(positionals.map(async (source) => ({ source, report: await readReport(source, 'merge') })));
  const report = mergeReports(inputs, RULES);
  if (expectations) applyExpectations(report, expectations, values.expect!, values['strict-expectations'] === true);
  // The shards' --fail-on (their settings) holds for the merged report too.
  const exitCode = strictExitCode(report);
  Object.assign(report, { verdict: exitCode === 0 ? 'pass' : 'fail', exitCode });
  const extra = report as { requests?: number; wallMs?: number; interrupted?: boolean };
  const info = { requests: extra.requests ?? 0, wallMs: extra.wallMs ?? 0, interrupted: extra.interrupted ?? false };
  const reporters = [consoleReporter(process.stdout, flags.quiet === true), ...fileReporters(flags)];
  for (const reporter of reporters) await reporter.prepare?.();
  if (!flags.quiet)
    process.stdout.write(
      `proton-conformance merge: ${inputs.length} report${inputs.length === 1 ? '' : 's'} (${inputs.map((i) => i.source).join(', ')})\n`,
    );
  for (const reporter of reporters) await reporter.write(report, info);
  if (info.interrupted) process.stderr.write('proton-conformance merge: a shard was interrupted: its results are partial\n');
  return exitCode;
}
