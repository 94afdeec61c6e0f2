// The JSON report (`--json FILE`), schema specs/report.schema.json. Written
// to a temporary file and renamed, so a reader never sees half a report; every
// known secret is scrubbed from the text on the way out.
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report, RuleResult } from '../harness/types.ts';
import { UsageError } from '../harness/errors.ts';
import { scrub } from '../harness/client/redact.ts';
import { boundedReport } from './evidence-bound.ts';
import { cannot, wholeFile } from './file-output.ts';
import type { Reporter, RunInfo } from './reporter.ts';

/**
 * One time format: every instant an ISO 8601 string (UTC, milliseconds),
 * every duration whole milliseconds. What was run and with what result come
 * first (tool, verdict, exit code), then the rest as the runner made it.
 */
export function reportJson(whole: Report, info: RunInfo): string {
  // The run-wide evidence bound (reporters/evidence-bound.ts): a summarised cell says what it left out and how to get it.
  const report = boundedReport(whole);
  const { tool, verdict, exitCode, ...rest } = report as Report & { tool?: unknown; verdict?: unknown; exitCode?: unknown };
  const document = {
    ...(tool !== undefined ? { tool } : {}),
    ...(verdict !== undefined ? { verdict } : {}),
    ...(exitCode !== undefined ? { exitCode } : {}),
    ...rest,
    results: rest.results.map(jsonResult),
    requests: info.requests,
    wallMs: Math.round(info.wallMs),
    interrupted: info.interrupted,
  };
  return `${scrub(JSON.stringify(document, null, 2))}\n`;
}

function jsonResult(result: RuleResult): Record<string, unknown> {
  return {
    ...result,
    ...(result.durationMs !== undefined ? { durationMs: Math.round(result.durationMs) } : {}),
    evidence: result.evidence.map((exchange) => ({
      ...exchange,
      startedAt: isoTime(exchange.startedAt),
      durationMs: Math.round(exchange.durationMs),
    })),
  };
}

function isoTime(at: number | string): string {
  return typeof at === 'string' ? at : new Date(at).toISOString();
}

export function jsonReporter(file: string): Reporter {
  const { path, temporary, save } = wholeFile('--json', file);
  return {
    name: 'json',
    async prepare() {
      // Up front, before any request: a folder where the file should be.
      if (
        await stat(path).then(
          (found) => found.isDirectory(),
          () => false,
        )
      ) {
        throw new UsageError(`--json: ${file} is a directory (name a file, e.g. ${join(file, 'report.json')})`);
      }
      await save('');
      await rm(temporary, { force: true });
    },
    async write(report, info) {
      try {
        await save(reportJson(report, info));
        await rename(temporary, path);
      } catch (error) {
        // No temporary file is left behind, whatever failed.
        await rm(temporary, { force: true }).catch(() => undefined);
        if (error instanceof UsageError) throw error;
        throw cannot('--json', file, error);
      }
    },
  };
}
