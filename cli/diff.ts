// `proton-conformance diff OLD.json NEW.json`: what got worse, better and
// what is new between two JSON reports (harness/outcomes/diff.ts); exit 1 on any
// regression, 0 without, 2 on a usage error.
import { parseArgs } from 'node:util';
import { diffReports, renderDiff } from '../harness/outcomes/diff.ts';
import { UsageError } from '../harness/errors.ts';
import { readReport } from '../harness/outcomes/report-file.ts';
import { parseArgsMessage } from './args.ts';
import { DIFF_USAGE } from './usage.ts';

export async function runDiff(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(`diff: ${parseArgsMessage(error)}`);
  }
  if (parsed.values.help) {
    process.stdout.write(DIFF_USAGE);
    return 0;
  }
  if (parsed.positionals.length !== 2) throw new UsageError('diff: give two JSON reports: diff OLD.json NEW.json');
  const [oldFile, newFile] = parsed.positionals as [string, string];
  const [before, after] = await Promise.all([readReport(oldFile, 'diff'), readReport(newFile, 'diff')]);
  const diff = diffReports(before, after);
  process.stdout.write(renderDiff(diff));
  return diff.regressions > 0 ? 1 : 0;
}
