// Command-line flags, checked: every bad value is a UsageError with a
// one-line message naming the flag.
import { checkBundleFlags } from '../harness/bundles/flags.ts';
import { parseFailOn, parseRequiredCapabilities } from '../harness/engine/gate.ts';
import type { FailOnVerdict } from '../harness/engine/gate.ts';
import type { HookName } from '../harness/target/probe.ts';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from '../harness/errors.ts';
import { DEFAULT_NUM_RUNS } from '../harness/run/results.ts';
import { parseShard } from '../harness/run/shard.ts';
import type { Shard } from '../harness/run/shard.ts';
import { parseTransitionDurations } from '../specs/transitions.ts';
import type { ReportFlags } from './reports.ts';

export interface CliOptions {
  help: boolean;
  endpoint?: string;
  rules?: string;
  operations?: string;
  numRuns: number;
  /** Undefined: a random seed, chosen (and printed) by the run. */
  seed?: number;
  path?: string;
  /** --rerun-failed REPORT.json: that report's cells that did not pass (harness/outcomes/rerun.ts). */
  rerunFailed?: string;
  /** --certify DIR: the bundle a reviewer verifies (cli/certify.ts), with --target-name and --target-version in its target.json. */
  certify?: string;
  targetName?: string;
  targetVersion?: string;
  json?: string;
  /** Reports from the same result (reporters/junit.ts, html.ts, markdown.ts). */
  junit?: string;
  html?: string;
  markdown?: string;
  /** --reproducers DIR: a Node and a shell script per failing or warning cell, and DIR/index.json (reporters/reproducers/). */
  reproducers?: string;
  /** --summary: append the Markdown summary to $GITHUB_STEP_SUMMARY (else nothing is written there). */
  summary?: boolean;
  /** --quiet: the console prints the failures' headlines and the summary line only. */
  quiet?: boolean;
  /** Known failures (harness/outcomes/expectations.ts). */
  expect?: string;
  strictExpectations: boolean;
  writeExpectations?: string;
  /** `--shard i/n` (harness/run/shard.ts). */
  shard?: Shard;
  concurrency?: number;
  /** Seconds. */
  cellTimeout?: number;
  /** The interlock: a remote endpoint (maybe a real account) needs this. */
  allowRealAccount: boolean;
  /** The account the credentials must act in (checked with STS before anything is created). */
  account?: string;
  /** Seconds the end-of-run cleanup of a target without `reset` may take. */
  cleanupTimeout?: number;
  /** client-token/expiry without clock control, in two runs 8 h apart (harness/run/phase.ts). */
  phase?: 'record' | 'verify';
  /** The state file --phase record writes and --phase verify reads. */
  state?: string;
  /** Whether --num-runs was given (else a target without a clock gets its own default: harness/plan/sizing.ts). */
  numRunsGiven: boolean;
  /** The durations a target without hooks is expected to have (`real/N`, `name=ms,...`): the plan's (harness/plan/sizing.ts). */
  expectDurations?: string;
  /** Seconds a wait on one asynchronous step may last before its cell is inconclusive. */
  waitTimeout?: number;
  /** Seconds to wait for the endpoint to answer before the run starts. */
  waitForTarget?: number;
  /** At most this many of the run's resources at once (harness/run/live.ts). */
  maxLiveResources?: number;
  /** Seconds a run against a slow target is sized to fit (--budget; default 300: harness/plan/latency.ts). */
  budget?: number;
  /** Cells with these verdicts fail the run (harness/engine/gate.ts). */
  failOn?: FailOnVerdict[];
  /** Hooks the target must offer, else exit 2 before any cell. */
  requireCapabilities?: HookName[];
  /** The S3 bucket the run uploads its template bundles to (harness/bundles/store.ts). */
  bundleBucket?: string;
  /** Key prefix of the run's bundles in that bucket. */
  bundlePrefix?: string;
}

/** What a run and a merge share: the report files, the known failures, the step summary, a quiet console. */
export const REPORT_OPTIONS = {
  json: { type: 'string' },
  junit: { type: 'string' },
  html: { type: 'string' },
  markdown: { type: 'string' },
  reproducers: { type: 'string' },
  expect: { type: 'string' },
  'strict-expectations': { type: 'boolean' },
  summary: { type: 'boolean' },
  quiet: { type: 'boolean' },
} as const;

export const OPTIONS = {
  endpoint: { type: 'string' },
  rules: { type: 'string' },
  operations: { type: 'string' },
  'num-runs': { type: 'string' },
  seed: { type: 'string' },
  path: { type: 'string' },
  'rerun-failed': { type: 'string' },
  certify: { type: 'string' },
  'target-name': { type: 'string' },
  'target-version': { type: 'string' },
  ...REPORT_OPTIONS,
  'write-expectations': { type: 'string' },
  shard: { type: 'string' },
  concurrency: { type: 'string' },
  'cell-timeout': { type: 'string' },
  'allow-real-account': { type: 'boolean' },
  account: { type: 'string' },
  'cleanup-timeout': { type: 'string' },
  phase: { type: 'string' },
  state: { type: 'string' },
  'expect-durations': { type: 'string' },
  'wait-timeout': { type: 'string' },
  'wait-for-target': { type: 'string' },
  'max-live-resources': { type: 'string' },
  budget: { type: 'string' },
  'bundle-bucket': { type: 'string' },
  'bundle-prefix': { type: 'string' },
  'fail-on': { type: 'string' },
  'require-capabilities': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseCli(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, OPTIONS), options: OPTIONS, strict: true, allowPositionals: true, tokens: true });
  } catch (error) {
    throw new UsageError(parseArgsMessage(error));
  }
  refuseRepeats(parsed.tokens);
  const { values, positionals } = parsed;
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument '${positionals[0]}' (options start with --; see --help)`);
  }
  const options: CliOptions = {
    help: values.help === true,
    allowRealAccount: values['allow-real-account'] === true,
    strictExpectations: values['strict-expectations'] === true,
    numRuns: values['num-runs'] === undefined ? DEFAULT_NUM_RUNS : integer('--num-runs', values['num-runs'], 1, 1_000_000),
    numRunsGiven: values['num-runs'] !== undefined,
  };
  if (values['expect-durations'] !== undefined) {
    try {
      parseTransitionDurations('--expect-durations', values['expect-durations']);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    options.expectDurations = values['expect-durations'];
  }
  if (values['wait-timeout'] !== undefined) options.waitTimeout = seconds('--wait-timeout', values['wait-timeout']);
  if (values['wait-for-target'] !== undefined) options.waitForTarget = duration('--wait-for-target', values['wait-for-target']);
  if (values.budget !== undefined) options.budget = duration('--budget', values.budget);
  if (values['max-live-resources'] !== undefined)
    options.maxLiveResources = integer('--max-live-resources', values['max-live-resources'], 1, 100_000);
  checkBundleFlags(values['bundle-bucket'], values['bundle-prefix']);
  if (values['bundle-bucket'] !== undefined) options.bundleBucket = values['bundle-bucket'];
  if (values['bundle-prefix'] !== undefined) options.bundlePrefix = values['bundle-prefix'];
  if (values.endpoint !== undefined) options.endpoint = nonEmpty('--endpoint', values.endpoint);
  if (values.rules !== undefined) options.rules = nonEmpty('--rules', values.rules);
  if (values.operations !== undefined) options.operations = nonEmpty('--operations', values.operations);
  if (values.seed !== undefined) options.seed = integer('--seed', values.seed, -(2 ** 31), 2 ** 31 - 1);
  if (values.path !== undefined) {
    const path = values.path.trim();
    // A commands property adds its commands' replay path after '@' (suites/lib/property.ts).
    if (!/^\d+(:\d+)*(@[A-Za-z0-9+/=:]*)?$/.test(path)) {
      throw new UsageError(
        `--path: '${values.path}' is not a fast-check path (digits separated by ':', e.g. 3:0:1, as printed with the failure)`,
      );
    }
    if (options.seed === undefined) throw new UsageError('--path replays one case of one run: give the --seed it was printed with');
    options.path = path;
    // One case: fast-check replays the path, and without this would go on
    // drawing new cases when it passes.
    if (values['num-runs'] === undefined) options.numRuns = 1;
  }
  Object.assign(options, reportFlags(values));
  if (values.expect !== undefined) options.expect = nonEmpty('--expect', values.expect);
  if (values['write-expectations'] !== undefined)
    options.writeExpectations = nonEmpty('--write-expectations', values['write-expectations']);
  if (options.strictExpectations && options.expect === undefined) throw new UsageError('--strict-expectations goes with --expect FILE');
  if (values.shard !== undefined) options.shard = parseShard(values.shard);
  if (values.concurrency !== undefined) options.concurrency = integer('--concurrency', values.concurrency, 1, 256);
  if (values['cell-timeout'] !== undefined) options.cellTimeout = seconds('--cell-timeout', values['cell-timeout']);
  if (values.account !== undefined) options.account = accountId(values.account);
  if (values['cleanup-timeout'] !== undefined) options.cleanupTimeout = seconds('--cleanup-timeout', values['cleanup-timeout']);
  if (values['fail-on'] !== undefined) options.failOn = parseFailOn('--fail-on', values['fail-on']);
  if (values['require-capabilities'] !== undefined)
    options.requireCapabilities = parseRequiredCapabilities('--require-capabilities', values['require-capabilities']);
  phaseFlags(options, values.phase, values.state);
  if (values['rerun-failed'] !== undefined) rerunFlags(options, nonEmpty('--rerun-failed', values['rerun-failed']));
  certifyFlags(options, values.certify, values['target-name'], values['target-version']);
  return options;
}

/** --certify DIR, and what target.json says of the target (only with it). */
function certifyFlags(options: CliOptions, dir: string | undefined, name: string | undefined, version: string | undefined): void {
  if (dir === undefined) {
    if (name !== undefined || version !== undefined)
      throw new UsageError(
        `${name !== undefined ? '--target-name' : '--target-version'} goes with --certify DIR (it is written to its target.json)`,
      );
    return;
  }
  options.certify = nonEmpty('--certify', dir);
  if (name !== undefined) options.targetName = nonEmpty('--target-name', name);
  if (version !== undefined) options.targetVersion = nonEmpty('--target-version', version);
}

/** --rerun-failed FILE: the cells, the seed and the replay paths come from FILE, so nothing may choose them besides. */
function rerunFlags(options: CliOptions, file: string): void {
  for (const [flag, given] of [
    ['--rules', options.rules !== undefined],
    ['--operations', options.operations !== undefined],
    ['--path', options.path !== undefined],
    ['--shard', options.shard !== undefined],
    ['--phase', options.phase !== undefined],
  ] as const) {
    if (given) throw new UsageError(`--rerun-failed runs the cells its report names, with their replay paths: drop ${flag}`);
  }
  options.rerunFailed = file;
}

/** --phase record|verify and --state FILE: together, and verify takes what it retries from the state alone. */
function phaseFlags(options: CliOptions, phase: string | undefined, state: string | undefined): void {
  if (phase === undefined) {
    if (state !== undefined) throw new UsageError('--state FILE goes with --phase record or --phase verify');
    return;
  }
  if (phase !== 'record' && phase !== 'verify') throw new UsageError(`--phase: '${phase}' is not record or verify`);
  if (state === undefined) throw new UsageError(`--phase ${phase} needs --state FILE (the state file record writes and verify reads)`);
  options.phase = phase;
  options.state = nonEmpty('--state', state);
  if (options.path !== undefined) throw new UsageError(`--path replays a property case: not with --phase`);
  if (phase === 'verify') {
    for (const [flag, value] of [
      ['--rules', options.rules],
      ['--operations', options.operations],
    ] as const) {
      if (value !== undefined) throw new UsageError(`--phase verify retries what the state file recorded: drop ${flag}`);
    }
  }
}

/**
 * `--seed -5` as `--seed=-5`: node:util's parseArgs takes a value that starts
 * with '-' for an option, so a negative number would "need a value". Only a
 * string option followed by something that reads as a negative number.
 */
export function joinNegativeValues(argv: readonly string[], options: Readonly<Record<string, { type: string }>>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    const next = argv[i + 1];
    const name = word.startsWith('--') ? word.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${word}=${next}`);
      i++;
    } else out.push(word);
  }
  return out;
}

/** A single-value flag given twice is refused rather than silently keeping the last. */
export function refuseRepeats(
  tokens: ReadonlyArray<{ kind: string; name?: string; rawName?: string; value?: string | undefined }> | undefined,
): void {
  const seen = new Map<string, string | undefined>();
  for (const token of tokens ?? []) {
    if (token.kind !== 'option' || token.name === undefined) continue;
    if (seen.has(token.name)) {
      const values = [seen.get(token.name), token.value].filter((v): v is string => v !== undefined);
      const shown = values.length === 2 ? ` (${values[0]}, then ${values[1]})` : '';
      throw new UsageError(`--${token.name} is given twice${shown}: give it once`);
    }
    seen.set(token.name, token.value);
  }
}

/** --account: a 12-digit AWS account id. */
export function accountId(raw: string): string {
  const value = raw.trim();
  if (!/^\d{12}$/.test(value)) throw new UsageError(`--account: '${raw}' is not a 12-digit AWS account id`);
  return value;
}

/** --json, --junit, --html, --markdown, --reproducers: each given one a non-empty name; --summary and --quiet as given. */
export function reportFlags(values: ReportFlags): ReportFlags {
  const flags: ReportFlags = {};
  for (const name of ['json', 'junit', 'html', 'markdown', 'reproducers'] as const) {
    const value = values[name];
    if (value !== undefined) flags[name] = nonEmpty(`--${name}`, value);
  }
  if (values.summary === true) flags.summary = true;
  if (values.quiet === true) flags.quiet = true;
  return flags;
}

/** What parseSubcommand returns: parseArgs's result for these options (named, so the declarations can be emitted). */
export type SubcommandArgs<O extends NonNullable<ParseArgsConfig['options']>> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>
>;

/**
 * A subcommand's flags (`sweep`, `proxy`, `merge`): strict, each parseArgs
 * error a UsageError naming the subcommand; positionals only where it takes them.
 */
export function parseSubcommand<const O extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  argv: readonly string[],
  options: O,
  takesPositionals = false,
): SubcommandArgs<O> {
  let parsed: SubcommandArgs<O>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(`${command}: ${parseArgsMessage(error)}`);
  }
  if (!takesPositionals && parsed.positionals.length > 0) {
    throw new UsageError(`${command}: unexpected argument '${parsed.positionals[0]}' (see proton-conformance ${command} --help)`);
  }
  return parsed;
}

export function nonEmpty(flag: string, value: string): string {
  if (value.trim() === '') throw new UsageError(`${flag}: empty value`);
  return value;
}

export function integer(flag: string, raw: string, min: number, max: number): number {
  const text = raw.trim();
  if (!/^[-+]?\d+$/.test(text)) throw new UsageError(`${flag}: '${raw}' is not an integer`);
  const value = Number(text);
  if (value < min || value > max) throw new UsageError(`${flag}: ${value} is out of range (${min} to ${max})`);
  return value;
}

export function seconds(flag: string, raw: string): number {
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0)
    throw new UsageError(`${flag}: '${raw}' is not a positive number of seconds`);
  return value;
}

/** A duration in seconds: `300`, `300s`, `5m`, `1.5h` (positive). */
export function duration(flag: string, raw: string): number {
  const found = /^(\d+(?:\.\d+)?)\s*(s|m|min|h)?$/.exec(raw.trim());
  const value = found ? Number(found[1]) * (found[2] === 'h' ? 3600 : found[2] === 'm' || found[2] === 'min' ? 60 : 1) : NaN;
  if (!(value > 0)) throw new UsageError(`${flag}: '${raw}' is not a positive duration (seconds, or with a unit: 300s, 5m, 1h)`);
  return value;
}

/** node:util's parseArgs messages, shortened to one line that names the flag. */
export function parseArgsMessage(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? message;
    return `unknown option '${flag}' (see --help)`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /Option '([^']+)'/.exec(message)?.[1];
    return flag ? `${flag.replace(/^-\w, /, '').replace(/ <value>$/, '')} needs a value` : message;
  }
  return message;
}
