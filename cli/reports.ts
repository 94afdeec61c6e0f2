// The report files a run or a merge writes, all from the same Report: --json
// (the source of truth), --junit, --html, --markdown, --reproducers DIR, and with --summary the
// Markdown summary appended to $GITHUB_STEP_SUMMARY when that is set (a GitHub
// Actions step): only where asked, so that n shards do not write n summaries.
import { jsonReporter } from '../reporters/json.ts';
import { junitReporter } from '../reporters/junit.ts';
import { htmlReporter } from '../reporters/html.ts';
import { markdownReporter, stepSummaryReporter } from '../reporters/markdown.ts';
import type { Reporter } from '../reporters/reporter.ts';
import { reproducersReporter } from '../reporters/reproducers/write.ts';

export interface ReportFlags {
  json?: string | undefined;
  junit?: string | undefined;
  html?: string | undefined;
  markdown?: string | undefined;
  /** --reproducers DIR: a script pair per failing or warning cell (reporters/reproducers/), linked from the HTML and Markdown. */
  reproducers?: string | undefined;
  /** --summary: append to $GITHUB_STEP_SUMMARY (nothing when that is not set). */
  summary?: boolean | undefined;
  /** --quiet: the console's headlines and summary line only (reporters/console.ts). */
  quiet?: boolean | undefined;
}

/** Every file reporter asked for; the JSON one is named 'json' (a run writes it last, after its cleanup). */
export function fileReporters(flags: ReportFlags, env: NodeJS.ProcessEnv = process.env): Reporter[] {
  const reporters: Reporter[] = [];
  if (flags.json !== undefined) reporters.push(jsonReporter(flags.json));
  if (flags.junit !== undefined) reporters.push(junitReporter(flags.junit));
  if (flags.html !== undefined) reporters.push(htmlReporter(flags.html, flags.reproducers));
  if (flags.markdown !== undefined) reporters.push(markdownReporter(flags.markdown, flags.reproducers));
  if (flags.reproducers !== undefined) reporters.push(reproducersReporter(flags.reproducers));
  const summary = env['GITHUB_STEP_SUMMARY'];
  if (flags.summary === true && summary !== undefined && summary.trim() !== '') reporters.push(stepSummaryReporter(summary));
  return reporters;
}
