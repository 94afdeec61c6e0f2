// --certify DIR: the run leaves a bundle a reviewer can check without having
// watched it (harness/outcomes/bundle.ts; `proton-conformance verify DIR`):
// the JSON and JUnit reports, the console log (what stdout and stderr showed,
// without colour codes or credentials), target.json, versions.json (the
// suite's version and the contract's), the --expect file if one was given,
// and SHA256SUMS over all of them.
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REDACTED, scrub } from '../harness/client/redact.ts';
import { UsageError } from '../harness/errors.ts';
import { BUNDLE_FILES, writeManifest } from '../harness/outcomes/bundle.ts';
import type { TargetFile, VersionsFile } from '../harness/outcomes/bundle.ts';
import { contractVersion, toolVersion } from '../harness/run/invocation.ts';
import type { Report } from '../harness/types.ts';
import { jsonReporter } from '../reporters/json.ts';
import { junitReporter } from '../reporters/junit.ts';
import type { Reporter } from '../reporters/reporter.ts';

export interface CertifyOptions {
  certify: string;
  targetName?: string | undefined;
  targetVersion?: string | undefined;
  expect?: string | undefined;
  rules?: string | undefined;
  operations?: string | undefined;
  shard?: unknown;
  path?: string | undefined;
  rerunFailed?: string | undefined;
  phase?: string | undefined;
}

export interface OpenBundle {
  /** The bundle's JSON and JUnit reporters (besides any --json and --junit elsewhere); the first one's prepare makes DIR. */
  reporters: Reporter[];
  /**
   * For a run that stopped before it started (a usage error, a target that
   * does not answer): removes what this run made, DIR itself when the run
   * created it, only the bundle's own files when DIR was there before.
   */
  discard(): Promise<void>;
  /** Writes the rest of the bundle from the finished report; the console log ends here. */
  close(report: Report): Promise<void>;
  /** Stops copying the console (idempotent; a run that ends in an error leaves no manifest). */
  stop(): void;
}

/**
 * DIR checked (new, or an empty directory: a bundle is one run), the console
 * copied from now on. DIR is made only once the run has passed its checks
 * (the reporters' prepare, after the cells are chosen), so that a run refused
 * up front leaves nothing behind; discard() removes it if the run stops later
 * before it starts.
 */
export async function openBundle(options: CertifyOptions): Promise<OpenBundle> {
  const dir = options.certify;
  const existing = await readdir(dir).catch((error: { code?: string }) => {
    if (error.code === 'ENOENT') return undefined;
    throw new UsageError(`--certify: ${dir} cannot be used as a directory (${error.code ?? String(error)})`);
  });
  if (existing !== undefined && existing.length > 0)
    throw new UsageError(`--certify: ${dir} is not empty: a bundle holds one run (give a new directory)`);
  // mkdir's answer: the first directory it created (DIR or a parent of it), none when DIR was there.
  let made: Promise<string | undefined> | undefined;
  const narrowed = narrowingFlags(options);
  const makeDir = (): Promise<string | undefined> => {
    if (made === undefined && narrowed.length > 0)
      process.stderr.write(
        `proton-conformance: note: --certify with ${narrowed.join(', ')}: the bundle records a run narrowed to part of the ` +
          'contract, which verify refuses\n',
      );
    made ??= mkdir(dir, { recursive: true });
    return made;
  };
  const log = captureConsole();
  const inDir = (reporter: Reporter): Reporter => ({
    ...reporter,
    prepare: async () => {
      await makeDir();
      await reporter.prepare?.();
    },
  });
  return {
    reporters: [inDir(jsonReporter(join(dir, BUNDLE_FILES.report))), inDir(junitReporter(join(dir, BUNDLE_FILES.junit)))],
    discard: async () => {
      log.stop();
      if (made === undefined) return;
      const created = await made.catch(() => undefined);
      if (created !== undefined) await rm(created, { recursive: true, force: true });
      else for (const name of Object.values(BUNDLE_FILES)) await rm(join(dir, name), { force: true });
    },
    stop: () => log.stop(),
    close: async (report) => {
      const text = log.stop();
      await writeBundle(dir, options, report, text);
      process.stdout.write(`Certification bundle in ${dir} (check it with: proton-conformance verify ${dir})\n`);
    },
  };
}

/** The flags given that make the run less than the whole contract (verify refuses its bundle). */
export function narrowingFlags(options: CertifyOptions): string[] {
  const given: Array<[string, unknown]> = [
    ['--rules', options.rules],
    ['--operations', options.operations],
    ['--shard', options.shard],
    ['--path', options.path],
    ['--rerun-failed', options.rerunFailed],
    ['--phase', options.phase],
  ];
  return given.filter(([, value]) => value !== undefined).map(([flag]) => flag);
}

async function writeBundle(dir: string, options: CertifyOptions, report: Report, log: string): Promise<void> {
  const target: TargetFile = {
    endpoint: withoutUserInfo(report.target.endpoint),
    ...(options.targetName !== undefined ? { name: options.targetName } : {}),
    ...(options.targetVersion !== undefined ? { version: options.targetVersion } : {}),
  };
  const versions: VersionsFile = {
    suite: { name: 'proton-conformance', version: toolVersion() },
    contract: { version: contractVersion() },
    createdAt: new Date().toISOString(),
  };
  await writeFile(join(dir, BUNDLE_FILES.target), `${JSON.stringify(target, null, 2)}\n`);
  await writeFile(join(dir, BUNDLE_FILES.versions), `${JSON.stringify(versions, null, 2)}\n`);
  if (options.expect !== undefined) await copyFile(options.expect, join(dir, BUNDLE_FILES.expectations));
  await writeFile(join(dir, BUNDLE_FILES.log), log);
  await writeManifest(dir);
}

function withoutUserInfo(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    if (url.username === '' && url.password === '') return endpoint;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return endpoint;
  }
}

/** Copies what stdout and stderr are given, in order, until stopped; stop() returns it as a log. */
export function captureConsole(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): { stop(): string } {
  const chunks: string[] = [];
  const restore: Array<() => void> = [];
  for (const stream of streams) {
    const original = stream.write;
    const copying = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    };
    stream.write = copying as typeof stream.write;
    restore.push(() => {
      if (stream.write === (copying as typeof stream.write)) stream.write = original;
    });
  }
  let text: string | undefined;
  return {
    stop: () => {
      if (text === undefined) {
        for (const undo of restore) undo();
        text = consoleLog(chunks.join(''));
      }
      return text;
    },
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC and BEL are what terminal escapes are made of
const ESCAPES = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;
/** An AWS access key id (AKIA... long-term, ASIA... temporary). */
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;

/** What a terminal showed: escapes removed, a line redrawn after '\r' as its last drawing, secrets scrubbed. */
export function consoleLog(raw: string): string {
  const lines = raw
    .replace(ESCAPES, '')
    .split('\n')
    .map((line) => {
      const drawn = line.replace(/\r$/, '').split('\r');
      return drawn[drawn.length - 1] ?? '';
    });
  return scrub(lines.join('\n')).replace(ACCESS_KEY_ID, REDACTED);
}
