// The JSON report (`--json FILE`), schema specs/report.schema.json. Written
// to a temporary file and renamed, so a reader never sees half a report; every
// known secret is scrubbed from the text on the way out.
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Report } from '../harness/types.ts';
import { UsageError } from '../harness/errors.ts';
import { scrub } from '../harness/redact.ts';
import type { Reporter, RunInfo } from './reporter.ts';

export function reportJson(report: Report, info: RunInfo): string {
  const document = { ...report, requests: info.requests, wallMs: Math.round(info.wallMs), interrupted: info.interrupted };
  return scrub(JSON.stringify(document, null, 2)) + '\n';
}

export function jsonReporter(file: string): Reporter {
  const path = resolve(file);
  const temporary = `${path}.${process.pid}.tmp`;
  const save = async (text: string): Promise<void> => {
    try {
      // A missing last directory is made (reports/ in a fresh clone); not a
      // whole chain: Node's recursive mkdir can spin on special file systems.
      const parent = dirname(path);
      if (!(await stat(parent).then(() => true, () => false))) await mkdir(parent);
      await writeFile(temporary, text, 'utf8');
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
      throw new UsageError(`--json: cannot write ${file} (${code})`);
    }
  };
  return {
    name: 'json',
    async prepare() {
      await save('');
      await rm(temporary, { force: true });
    },
    async write(report, info) {
      await save(reportJson(report, info));
      await rename(temporary, path);
    },
  };
}
