// proton-conformance sweep: finds what earlier runs left on a target (any run
// id, or one with --run; --older-than by the run id's time or the resource's
// createdAt), lists it, and with --yes removes it in dependency order through
// the ownership guard. A dry run unless --yes. The interlock applies as to a
// run: a remote endpoint needs --allow-real-account.
import { chooseEndpoint } from '../harness/target/endpoint.ts';
import { DEFAULT_BUNDLE_PREFIX, checkBundleFlags } from '../harness/bundles/flags.ts';
import { describeError, UsageError } from '../harness/errors.ts';
import type { CredentialsProvider } from '../harness/target/target.ts';
import { RUN_ID } from '../harness/safety/ownership.ts';
import { scrub } from '../harness/client/redact.ts';
import { describeLeft, parseDuration, runIdTime, sweep } from '../harness/safety/sweep.ts';
import type { Found } from '../harness/safety/sweep.ts';
import { resolveTarget } from '../harness/target/target.ts';
import { plural } from '../harness/run/results.ts';
import { accountId, nonEmpty, parseSubcommand, seconds } from './args.ts';
import { announceAccount } from '../harness/safety/real-target.ts';
import { SWEEP_USAGE } from './usage.ts';

export interface SweepCliOptions {
  help: boolean;
  endpoint?: string;
  olderThanMs?: number;
  /** --older-than as given, for messages. */
  olderThan?: string;
  run?: string;
  yes: boolean;
  allowRealAccount: boolean;
  account?: string;
  /** Seconds. */
  timeout?: number;
  /** Also the runs' template bundles left in this bucket (under --bundle-prefix). */
  bundleBucket?: string;
  bundlePrefix?: string;
}

const OPTIONS = {
  endpoint: { type: 'string' },
  'older-than': { type: 'string' },
  run: { type: 'string' },
  yes: { type: 'boolean' },
  'allow-real-account': { type: 'boolean' },
  account: { type: 'string' },
  'cleanup-timeout': { type: 'string' },
  'bundle-bucket': { type: 'string' },
  'bundle-prefix': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseSweep(argv: readonly string[]): SweepCliOptions {
  const { values } = parseSubcommand('sweep', argv, OPTIONS);
  const options: SweepCliOptions = {
    help: values.help === true,
    yes: values.yes === true,
    allowRealAccount: values['allow-real-account'] === true,
  };
  if (values.endpoint !== undefined) options.endpoint = nonEmpty('--endpoint', values.endpoint);
  if (values['older-than'] !== undefined) {
    const ms = parseDuration(values['older-than']);
    if (ms === undefined) throw new UsageError(`--older-than: '${values['older-than']}' is not a duration (e.g. 90m, 2h, 7d, 1h30m)`);
    options.olderThanMs = ms;
    options.olderThan = values['older-than'].trim();
  }
  if (values.run !== undefined) {
    const run = values.run.trim().replace(/^pc/, '');
    if (!RUN_ID.test(run)) throw new UsageError(`--run: '${values.run}' is not a run id (ten of [0-9a-z], as printed by a run)`);
    options.run = run;
  }
  if (values.account !== undefined) options.account = accountId(values.account);
  if (values['cleanup-timeout'] !== undefined) options.timeout = seconds('--cleanup-timeout', values['cleanup-timeout']);
  checkBundleFlags(values['bundle-bucket'], values['bundle-prefix']);
  if (values['bundle-bucket'] !== undefined) options.bundleBucket = values['bundle-bucket'];
  if (values['bundle-prefix'] !== undefined) options.bundlePrefix = values['bundle-prefix'];
  return options;
}

/** Runs `proton-conformance sweep`; resolves with the exit code (0: nothing left to remove; 1: something is left). */
export async function runSweep(argv: readonly string[]): Promise<number> {
  const options = parseSweep(argv);
  if (options.help) {
    process.stdout.write(SWEEP_USAGE);
    return 0;
  }
  const choice = await chooseEndpoint(options.endpoint);
  if (choice.url === undefined && !choice.aws) {
    throw new UsageError(
      'sweep needs a target: --endpoint URL (or aws), AWS_ENDPOINT_URL_PROTON or AWS_ENDPOINT_URL (the embedded emulator starts empty)',
    );
  }
  const target = await resolveTarget({
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    allowRealAccount: options.allowRealAccount,
  });
  const interrupt = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    if (++interrupts > 1) process.exit(130);
    process.stderr.write('proton-conformance: sweep interrupted; stopping after the current request (Ctrl-C again to quit at once)\n');
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await announceAccount(target, options.account);
    const out = (text: string): void => void process.stdout.write(`${scrub(text)}\n`);
    const runs = options.run !== undefined ? options.run : (runId: string) => RUN_ID.test(runId);
    const age = options.olderThan !== undefined ? `, older than ${options.olderThan}` : '';
    const scope = `${options.run !== undefined ? `run ${options.run}` : 'any run'}${age}`;
    out(
      `proton-conformance sweep: ${target.endpoint} (${scope}; ${options.yes ? 'removing' : 'dry run: nothing is removed without --yes'})`,
    );
    const now = Date.now();
    const { findings, removal } = await sweep(target, {
      runs,
      ...(options.olderThanMs !== undefined ? { olderThanMs: options.olderThanMs } : {}),
      now,
      dryRun: !options.yes,
      ...(options.timeout !== undefined ? { timeoutMs: options.timeout * 1000 } : {}),
      signal: interrupt.signal,
      onProgress: (line) => void process.stderr.write(`proton-conformance: sweep: ${line}\n`),
    });
    for (const line of listing(findings.found, now)) out(line);
    const bundlesLeft = options.bundleBucket === undefined ? 0 : await sweepBundles(options, target, runs, now, out);
    if (findings.unconfirmed.length > 0)
      out(`never removed (a run's name prefix without its tag): ${describeLeft(findings.unconfirmed, 50)}`);
    const runCount = new Set(findings.found.map((f) => f.runId)).size;
    const what = `${plural(findings.found.length, 'resource')} of ${plural(runCount, 'run')}`;
    if (removal === undefined) {
      out(findings.found.length === 0 ? 'nothing to remove' : `dry run: ${what} would be removed; add --yes to remove them`);
      return 0;
    }
    if (bundlesLeft > 0) return 1;
    if (removal.left.length > 0) {
      out(`removed ${removal.removed.length} of ${what}; ${removal.left.length} left: ${describeLeft(removal.left, 50)}`);
      return 1;
    }
    out(findings.found.length === 0 ? 'nothing to remove' : `removed ${what}; nothing is left`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await target.close();
  }
}

/**
 * The runs' template bundles in --bundle-bucket: listed, and removed with
 * --yes (only keys under `<prefix>pc<run id>/`). Resolves with how many are
 * left (0 in a dry run).
 */
async function sweepBundles(
  options: SweepCliOptions,
  target: { region: string; credentials: CredentialsProvider | undefined },
  runs: string | ((runId: string) => boolean),
  now: number,
  out: (text: string) => void,
): Promise<number> {
  const { findLeftBundles } = await import('../harness/bundles/store.ts');
  const left = await findLeftBundles({
    bucket: options.bundleBucket!,
    ...(options.bundlePrefix !== undefined ? { prefix: options.bundlePrefix } : {}),
    region: target.region,
    credentials: target.credentials,
    runs,
    ...(options.olderThanMs !== undefined ? { olderThanMs: options.olderThanMs } : {}),
    now,
  });
  const where = `s3://${options.bundleBucket}/${options.bundlePrefix ?? DEFAULT_BUNDLE_PREFIX}`;
  if (left.found.length === 0) {
    out(`template bundles: none left under ${where}`);
    return 0;
  }
  const runCount = new Set(left.found.map((item) => item.runId)).size;
  const what = `${plural(left.found.length, 'template bundle')} of ${plural(runCount, 'run')} under ${where}`;
  for (const item of left.found) out(`  ${item.key}${item.lastModified ? `  uploaded ${item.lastModified.toISOString()}` : ''}`);
  if (!options.yes) {
    out(`dry run: ${what} would be removed`);
    return 0;
  }
  try {
    const removed = await left.remove();
    out(`removed ${removed} of ${what}`);
    return 0;
  } catch (error) {
    out(`template bundles: could not remove ${what}: ${describeError(error)}`);
    return left.found.length;
  }
}

function listing(found: readonly Found[], now: number): string[] {
  const byRun = new Map<string, Found[]>();
  for (const item of found) byRun.set(item.runId, [...(byRun.get(item.runId) ?? []), item]);
  const lines: string[] = [];
  for (const [runId, items] of byRun) {
    const started = runIdTime(runId, now);
    const since = started !== undefined ? ` (started ${new Date(started).toISOString()})` : '';
    lines.push(`run ${runId}${since}: ${plural(items.length, 'resource')}`);
    for (const item of items) lines.push(`  ${item.label}${item.createdAt ? `  created ${item.createdAt.toISOString()}` : ''}`);
  }
  return lines;
}
