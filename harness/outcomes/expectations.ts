// Known failures (`--expect FILE`, `--write-expectations FILE`): a team's
// list of failures it knows of, by rule and operation, each with a reason and
// optionally a tracking link (format: specs/expectations.schema.json, checked
// with ajv; docs/ci.md "Known failures"). Applied to a finished report: a failing
// cell named in the file is marked `expected` and does not fail the run; an
// entry whose cell now passes is `fixed` (and fails the run under
// --strict-expectations). The report carries all of it, so every reporter
// (console, JSON, JUnit, HTML, Markdown) tells the same story.
import { rename, writeFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import schema from '../../specs/expectations.schema.json' with { type: 'json' };
import { UsageError } from '../errors.ts';
import { exitCodeOf } from '../run/results.ts';
import type { Report, RuleResult, Verdict } from '../types.ts';
import { readJsonFile } from './report-file.ts';

export interface Expectation {
  rule: string;
  operation: string;
  reason: string;
  link?: string;
}

export interface ExpectationsFile {
  expectations: Expectation[];
}

/**
 * What became of an entry: `expected` its cell failed (or warned) as named;
 * `fixed` its cell now passes; `unchecked` its cell was skipped or
 * inconclusive; `not-run` the run had no such cell (another shard, --rules).
 */
export type ExpectationStatus = 'expected' | 'fixed' | 'unchecked' | 'not-run';

export interface ExpectationEntry extends Expectation {
  status: ExpectationStatus;
  verdict?: Verdict;
}

/** `report.expectations`. */
export interface ExpectationsSummary {
  file: string;
  strict: boolean;
  entries: ExpectationEntry[];
  /** Failing cells named in the file. */
  expected: number;
  /** Entries whose cell passes now. */
  fixed: number;
  /** MUST failures the file does not name: these fail the run. */
  unexpected: number;
}

/** Marks a result a known failure (`result.expected`). */
export interface ExpectedMark {
  reason: string;
  link?: string;
}

export type MarkedResult = RuleResult & { expected?: ExpectedMark };
export type ReportWithExpectations = Report & { expectations?: ExpectationsSummary };

const validate = new Ajv({ allErrors: true, strict: true }).compile<ExpectationsFile>(schema);

/** Reads and checks FILE; every problem is a UsageError naming the file and the bad entry. */
export async function loadExpectations(
  file: string,
  flag = '--expect',
  knownRules?: ReadonlyMap<string, readonly string[]>,
): Promise<Expectation[]> {
  return parseExpectations(await readJsonFile(file, flag), `${flag}: ${file}`, knownRules);
}

/** Checks a parsed document against the schema, then that every entry names a known rule, one of its operations, once. */
export function parseExpectations(document: unknown, where: string, knownRules?: ReadonlyMap<string, readonly string[]>): Expectation[] {
  if (!validate(document)) {
    const error = firstError(validate.errors ?? []);
    throw new UsageError(`${where}: ${describeSchemaError(document, error)} (format: specs/expectations.schema.json)`);
  }
  const seen = new Map<string, number>();
  document.expectations.forEach((entry, i) => {
    const name = entryName(i, entry);
    if (knownRules) {
      const operations = knownRules.get(entry.rule);
      if (!operations) throw new UsageError(`${where}: ${name}: no rule '${entry.rule}' in the contract`);
      if (!operations.includes(entry.operation)) {
        throw new UsageError(
          `${where}: ${name}: rule '${entry.rule}' does not apply to '${entry.operation}' (it applies to ${operations.join(', ')})`,
        );
      }
    }
    const key = `${entry.rule} ${entry.operation}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) throw new UsageError(`${where}: ${name}: the same rule and operation as entry ${earlier + 1}`);
    seen.set(key, i);
  });
  return document.expectations;
}

function entryName(i: number, entry: Partial<Expectation> | undefined): string {
  const what =
    entry && typeof entry.rule === 'string' && typeof entry.operation === 'string' ? ` (${entry.rule} on ${entry.operation})` : '';
  return `entry ${i + 1}${what}`;
}

function firstError(errors: readonly ErrorObject[]): ErrorObject | undefined {
  // The deepest error names the bad field best.
  return [...errors].sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length)[0];
}

function describeSchemaError(document: unknown, error: ErrorObject | undefined): string {
  if (!error) return 'does not match the format';
  const parts = error.instancePath.split('/').slice(1);
  const field =
    error.keyword === 'additionalProperties'
      ? `unknown field '${String((error.params as { additionalProperty?: string }).additionalProperty)}'`
      : error.keyword === 'required'
        ? `missing field '${String((error.params as { missingProperty?: string }).missingProperty)}'`
        : `'${parts.at(-1) ?? ''}' ${error.message ?? 'is invalid'}`;
  if (parts[0] === 'expectations' && parts[1] !== undefined) {
    const index = Number(parts[1]);
    const entries = (document as { expectations?: unknown[] }).expectations ?? [];
    const entry = entries[index] as Partial<Expectation> | undefined;
    const detail =
      parts.length > 2 || error.keyword === 'additionalProperties' || error.keyword === 'required'
        ? field
        : (error.message ?? 'is invalid');
    return `${entryName(index, typeof entry === 'object' && entry !== null ? entry : undefined)}: ${detail}`;
  }
  if (error.keyword === 'additionalProperties' || error.keyword === 'required') return field;
  return `${error.instancePath || 'the document'} ${error.message ?? 'is invalid'}`;
}

const FAILING: ReadonlySet<Verdict> = new Set(['fail', 'warn']);

/** Marks the report's results and adds `report.expectations`; returns the summary. */
export function applyExpectations(report: Report, entries: readonly Expectation[], file: string, strict: boolean): ExpectationsSummary {
  const byKey = new Map(entries.map((entry) => [`${entry.rule} ${entry.operation}`, entry]));
  const results = report.results as MarkedResult[];
  const verdicts = new Map<string, Verdict>();
  for (const result of results) {
    const key = `${result.rule} ${result.operation}`;
    verdicts.set(key, result.verdict);
    delete result.expected;
    const entry = byKey.get(key);
    if (entry && FAILING.has(result.verdict)) result.expected = { reason: entry.reason, ...(entry.link ? { link: entry.link } : {}) };
  }
  const marked: ExpectationEntry[] = entries.map((entry) => {
    const verdict = verdicts.get(`${entry.rule} ${entry.operation}`);
    const status: ExpectationStatus =
      verdict === undefined ? 'not-run' : FAILING.has(verdict) ? 'expected' : verdict === 'pass' ? 'fixed' : 'unchecked';
    return { ...entry, status, ...(verdict ? { verdict } : {}) };
  });
  const summary: ExpectationsSummary = {
    file,
    strict,
    entries: marked,
    expected: results.filter((r) => r.expected).length,
    fixed: marked.filter((e) => e.status === 'fixed').length,
    unexpected: results.filter((r) => r.verdict === 'fail' && r.level === 'MUST' && !r.expected).length,
  };
  (report as ReportWithExpectations).expectations = summary;
  return summary;
}

/** The run's exit code: 1 when a MUST cell fails that no expectation names, or (strict) an expected failure is fixed; else 0. */
export function gateExitCode(report: Report): 0 | 1 {
  const summary = (report as ReportWithExpectations).expectations;
  if (!summary) return exitCodeOf(report);
  const unexpected = (report.results as MarkedResult[]).some((r) => r.verdict === 'fail' && r.level === 'MUST' && !r.expected);
  if (unexpected) return 1;
  return summary.strict && summary.fixed > 0 ? 1 : 0;
}

/**
 * An expectations file naming every failure of the report (a SHOULD rule's
 * warning is not one), rewritten from `previous` (the file being rewritten,
 * and --expect's entries): every earlier entry is kept as it was, reason and
 * link, in its place, unless its cell now passes (fixed: removed); a cell
 * skipped, inconclusive or not run keeps its entry. New failures come after,
 * in the report's order, their reasons the report's made stable
 * (`stableReason`), so that two runs with the same seed write the same bytes.
 */
export function expectationsFromReport(report: Report, previous: readonly Expectation[] = []): ExpectationsFile {
  const key = (cell: { rule: string; operation: string }): string => `${cell.rule} ${cell.operation}`;
  const verdicts = new Map(report.results.map((result) => [key(result), result.verdict]));
  const kept = new Map<string, Expectation>();
  for (const entry of previous) if (!kept.has(key(entry)) && verdicts.get(key(entry)) !== 'pass') kept.set(key(entry), entry);
  const runId = (report as { runId?: string }).runId;
  const added = report.results
    .filter((result) => result.verdict === 'fail' && !kept.has(key(result)))
    .map(
      (result): Expectation => ({ rule: result.rule, operation: result.operation, reason: oneLine(stableReason(result.reason, runId)) }),
    );
  return { expectations: [...kept.values(), ...added] };
}

/**
 * A reason without what differs from one run to the next: the run id (in
 * names `pc<run>-...`, tags, ARNs), UUIDs (client tokens, connection ids),
 * other quoted tokens, an ARN's account, instants (ISO 8601, epoch seconds or
 * milliseconds) and measured milliseconds, each replaced by a placeholder.
 */
export function stableReason(reason: string, runId?: string): string {
  let text = reason;
  if (runId !== undefined && runId !== '') text = text.split(runId).join('<run>');
  return text
    .replace(/\bpc[0-9a-z]{10}-/g, 'pc<run>-')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b(token[:= ]\s*)"(?!<uuid>")[^"]*"/gi, '$1"<token>"')
    .replace(/(arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:)\d{12}:/g, '$1<account>:')
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g, '<time>')
    .replace(/\b1\d{9}(\.\d+)?\b|\b1\d{12}\b/g, '<time>')
    .replace(/\b\d+(\.\d+)? ?ms\b/g, '<n> ms');
}

/** Writes the file atomically (a reader never sees half of it). */
export async function writeExpectations(file: string, document: ExpectationsFile): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(document, null, 2)}\n`, 'utf8');
    await rename(temporary, file);
  } catch (error) {
    throw new UsageError(`--write-expectations: cannot write ${file} (${(error as { code?: string }).code ?? String(error)})`);
  }
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line || 'known failure';
}

/** Lines for people (console, Markdown): what the expectations file did. */
export function expectationLines(report: Report): string[] {
  const summary = (report as ReportWithExpectations).expectations;
  if (!summary) return [];
  const lines = [
    `Expectations (${summary.file}): ${summary.expected} expected failure${summary.expected === 1 ? '' : 's'}, ${summary.fixed} ` +
      `fixed, ${summary.unexpected} unexpected MUST failure${summary.unexpected === 1 ? '' : 's'}`,
  ];
  // The failures that fail the run, by name: the count alone does not say which.
  for (const result of report.results as MarkedResult[]) {
    if (result.verdict === 'fail' && result.level === 'MUST' && !result.expected)
      lines.push(`  unexpected: ${result.rule}  ${result.operation} (not in the file: this fails the run)`);
  }
  for (const entry of summary.entries) {
    if (entry.status === 'fixed') {
      const strict = summary.strict ? ' (--strict-expectations: this fails the run; remove the entry)' : ' (remove the entry)';
      lines.push(`  fixed: ${entry.rule}  ${entry.operation} passes now${strict}`);
    } else if (entry.status !== 'expected') {
      lines.push(`  ${entry.status}: ${entry.rule}  ${entry.operation}${entry.verdict ? ` (${entry.verdict})` : ''}`);
    }
  }
  return lines;
}
