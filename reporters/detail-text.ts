// A non-pass cell in plain text for JUnit and Markdown: its reason, steps,
// evidence (the console's compact form, more of it) and the commands that
// replay or rerun it. The JSON report keeps the full exchanges.
import { omittedNote } from './evidence-bound.ts';
import type { ResultExtras } from '../harness/run/results.ts';
import type { RuleResult } from '../harness/types.ts';
import { renderEvidence } from './evidence.ts';

export type DetailResult = RuleResult & ResultExtras & { expected?: { reason: string; link?: string } };

export interface DetailOptions {
  evidenceLimit: number;
  bodyChars: number;
  stepLimit: number;
}

export const DETAIL_DEFAULTS: DetailOptions = { evidenceLimit: 30, bodyChars: 2000, stepLimit: 60 };

/** A result's steps (the last `stepLimit`) and its evidence, each under its heading, the heading indented by `indent`. */
export function stepsAndEvidence(result: RuleResult & ResultExtras, options: DetailOptions, indent: string): string[] {
  const lines: string[] = [];
  const steps = result.steps ?? [];
  if (steps.length > 0) {
    lines.push(`${indent}steps:`);
    const shown = steps.slice(-options.stepLimit);
    if (shown.length < steps.length) lines.push(`${indent}  ... ${steps.length - shown.length} earlier steps`);
    for (const step of shown) lines.push(`${indent}  ${step}`);
  }
  if (result.evidence.length > 0) {
    lines.push(`${indent}evidence:`);
    const shape = { limit: options.evidenceLimit, bodyChars: options.bodyChars, indent: `${indent}  ` };
    // A result the run-wide bound cut keeps its latest exchanges: the note below says what the rest are.
    lines.push(...renderEvidence(result.evidence, result.evidenceOmitted ? undefined : result.requests, shape));
  }
  // Summarised by the run's evidence bound: what is missing and how to get it.
  if (result.evidenceOmitted) lines.push(`${indent}evidence: ${omittedNote(result.evidenceOmitted, result.evidence.length)}`);
  return lines;
}

export function detailLines(result: DetailResult, options: DetailOptions = DETAIL_DEFAULTS): string[] {
  const mark = result.expected ? ` (expected: ${result.expected.reason})` : '';
  const lines = [`${result.verdict.toUpperCase()}${mark} ${result.rule} on ${result.operation} (${result.level}): ${result.reason}`];
  if (result.expected?.link) lines.push(`tracked at: ${result.expected.link}`);
  lines.push(...stepsAndEvidence(result, options, ''));
  if (result.replay) lines.push(`replay: ${result.replay.command}`);
  if (result.rerun) lines.push(`rerun: ${result.rerun}`);
  return lines;
}
