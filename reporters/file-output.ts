// A reporter that writes one file (JUnit, HTML, Markdown): checked writable
// before the run (prepare), written to a temporary file and renamed, so that
// a reader never sees half a report; every known secret scrubbed on the way out.
import { appendFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../harness/errors.ts';
import { scrub } from '../harness/client/redact.ts';
import type { Report } from '../harness/types.ts';
import type { Reporter, RunInfo } from './reporter.ts';

export type Render = (report: Report, info: RunInfo) => string;

async function ensureParent(path: string): Promise<void> {
  // A missing last directory is made (reports/ in a fresh clone); not a
  // whole chain: Node's recursive mkdir can spin on special file systems.
  const parent = dirname(path);
  if (
    !(await stat(parent).then(
      () => true,
      () => false,
    ))
  )
    await mkdir(parent);
}

export function cannot(flag: string, file: string, error: unknown): UsageError {
  const code = (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
  return new UsageError(`${flag}: cannot write ${file} (${code})`);
}

/** Where `flag FILE` is written whole: `save` writes the temporary file beside it (its folder made if missing), renamed over it after. */
export function wholeFile(flag: string, file: string): { path: string; temporary: string; save: (text: string) => Promise<void> } {
  const path = resolve(file);
  const temporary = `${path}.${process.pid}.tmp`;
  const save = async (text: string): Promise<void> => {
    try {
      await ensureParent(path);
      await writeFile(temporary, text, 'utf8');
    } catch (error) {
      throw cannot(flag, file, error);
    }
  };
  return { path, temporary, save };
}

/** `flag FILE`: the whole file, replaced. */
export function fileReporter(name: string, flag: string, file: string, render: Render): Reporter {
  const { path, temporary, save } = wholeFile(flag, file);
  return {
    name,
    async prepare() {
      await save('');
      await rm(temporary, { force: true });
    },
    async write(report, info) {
      await save(scrub(render(report, info)));
      await rename(temporary, path);
    },
  };
}

/** Appended to FILE (e.g. $GITHUB_STEP_SUMMARY, which other steps write too). */
export function appendReporter(name: string, what: string, file: string, render: Render): Reporter {
  return {
    name,
    async prepare() {
      try {
        await ensureParent(resolve(file));
        await appendFile(file, '', 'utf8');
      } catch (error) {
        throw cannot(what, file, error);
      }
    },
    async write(report, info) {
      try {
        await appendFile(file, scrub(render(report, info)), 'utf8');
      } catch (error) {
        throw cannot(what, file, error);
      }
    },
  };
}
