// `npm run emulator`: the reference emulator as a standalone server.
import { parseArgs } from 'node:util';
import { CREDENTIALS_ENV, loadCredentials, type Credential } from './auth.ts';
import { s3OptionsProblem } from './bundles.ts';
import { startEmulator, type RunningEmulator } from './index.ts';
import type { Durations } from './durations.ts';
import { parseAuthMode, parseDurations, parseHooks, parseLatency, parseSeed, parseWeather, settingsLine } from './flags.ts';
import { FAULT_CATALOGUE } from './faults/index.ts';
import { VARIANT_CATALOGUE } from './variants/index.ts';
import { PARITY_VARIANTS } from './variants/parity.ts';

// The SDK (the S3 client of --s3-endpoint) warns on stderr that its 2027
// releases will need Node 22; the project supports Node 20.19+, so it is noise.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

/** Default port: next to LocalStack's 4566 range, clear of its 4510-4559 and 4566. */
export const DEFAULT_PORT = 4580;

const USAGE = `Usage: npm run emulator -- [options]

The reference emulator of the AWS Proton API (AWS JSON 1.0), with the
conformance hooks under /_conformance/v1/ (docs/emulator-hooks.md).

Options:
  --port N           port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host HOST        address to listen on (default 127.0.0.1)
  --log              one line per request: time, account, operation, status, ms
  --fault NAME       inject a fault of the catalogue (repeatable)
  --variant NAME     show a conforming variant (repeatable), or a parity
                     variant (docs/parity.md)
  --list-faults      list the faults and variants by name, and exit
  --hooks LIST       hook capabilities offered: all (default), none, or some of
                     clock,durations,reset,counts,accounts (without accounts,
                     every request lands in one account)
  --durations LIST   real/N: every transition at a real account's typical
                     duration divided by N; and/or name=ms items
  --weather LIST     transient failures: throttle=R (API requests answered
                     ThrottlingException before acting), error-after=R (creates
                     and deletes answered 500 after acting); R from 0 to 1;
                     handlers=N (with --latency: N requests served at once,
                     the others queue)
  --latency MIN-MAX  a slow target: every request (hooks too) waits MIN to MAX
                     ms (real; drawn from the seed) before it is handled
  --seed N           seed of the weather and the latency (default: a constant)
  --auth MODE        open (default): any signature, the access key id picks
                     the account; strict: SigV4 verified against the
                     credentials, each mapped to its account, and no hooks
  --credentials FILE strict mode's credentials: a JSON array of
                     {"accessKeyId", "secretAccessKey", "sessionToken"?,
                     "account"}; without it, the same JSON in
                     ${CREDENTIALS_ENV}
  --s3-endpoint URL  read template bundles from this S3 endpoint (path-style;
                     credentials and region from this process's standard
                     AWS chain, region default us-east-1): a version ends
                     DRAFT or REGISTRATION_FAILED as its bundle checks out;
                     without it, registration always succeeds
  -h, --help         this text

Point a client at it:
  aws proton list-environment-templates --endpoint-url http://127.0.0.1:${DEFAULT_PORT}
  new ProtonClient({ endpoint: 'http://127.0.0.1:${DEFAULT_PORT}', region: 'us-east-1', credentials })
Open mode: any credentials work; the access key id chooses the account (a
12-digit one is the account id). Strict mode: only the configured ones.`;

function fail(message: string): never {
  process.stderr.write(`proton-emulator: ${message}\n`);
  process.exit(2);
}

/** `--s3-endpoint`: an http(s) URL. */
function parseS3Endpoint(text: string): string {
  const problem = s3OptionsProblem({ endpoint: text.trim() });
  if (problem !== undefined) fail(`--s3-endpoint: ${problem.replace(/^s3\.endpoint /, '')}`);
  return text.trim();
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^[-+]?\d+$/.test(text.trim())) fail(`--port: '${text}' is not an integer (0 to 65535)`);
  if (port < 0 || port > 65535) fail(`--port: ${port} is out of range (0 to 65535)`);
  return port;
}

/** `--port -1` as `--port=-1`: parseArgs would take the value for an option. */
function joinNegative(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (['--port', '--seed'].includes(argv[i]!) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else out.push(argv[i]!);
  }
  return out;
}

/** The fault catalogue and the conforming variants, one per line (`--list-faults`). */
export function faultList(): string {
  const lines = ['Faults (--fault NAME, repeatable): each breaks one rule of the contract', ''];
  const faults = Object.entries(FAULT_CATALOGUE);
  const width = Math.max(...faults.map(([name]) => name.length), ...Object.keys(VARIANT_CATALOGUE).map((name) => name.length));
  for (const [name, fault] of faults) lines.push(`  ${name.padEnd(width)}  ${fault.rule}: ${fault.description}`);
  lines.push('', 'Variants (--variant NAME, repeatable): behaviours the contract allows', '');
  for (const [name, variant] of Object.entries(VARIANT_CATALOGUE)) lines.push(`  ${name.padEnd(width)}  ${variant.description}`);
  lines.push('', 'Parity variants (--variant NAME): answers that differ on purpose, for the parity tests (docs/parity.md)', '');
  for (const [name, variant] of Object.entries(PARITY_VARIANTS)) lines.push(`  ${name.padEnd(width)}  ${variant.description}`);
  return `${lines.join('\n')}\n`;
}

/** A flag's value through its parser; a bad one ends the process with the parser's one line. */
function flag<T>(text: string | undefined, parse: (text: string) => T): T | undefined {
  if (text === undefined) return undefined;
  try {
    return parse(text);
  } catch (error) {
    fail((error as Error).message);
  }
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: joinNegative(process.argv.slice(2)),
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        log: { type: 'boolean' },
        fault: { type: 'string', multiple: true },
        variant: { type: 'string', multiple: true },
        hooks: { type: 'string' },
        durations: { type: 'string' },
        weather: { type: 'string' },
        seed: { type: 'string' },
        latency: { type: 'string' },
        's3-endpoint': { type: 'string' },
        auth: { type: 'string' },
        credentials: { type: 'string' },
        'list-faults': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (error) {
    fail(`${(error as Error).message.split('\n')[0]} (see --help)`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (values['list-faults']) {
    process.stdout.write(faultList());
    return;
  }
  const hooks = flag(values.hooks, parseHooks);
  const durations: Partial<Durations> | undefined = flag(values.durations, parseDurations);
  const weather = flag(values.weather, parseWeather);
  const seed = flag(values.seed, parseSeed);
  const latency = flag(values.latency, parseLatency);
  const s3Endpoint = values['s3-endpoint'] === undefined ? undefined : parseS3Endpoint(values['s3-endpoint']);
  const faults = values.fault ?? [];
  const variants = values.variant ?? [];
  const authMode = flag(values.auth, parseAuthMode) ?? 'open';
  if (authMode === 'open' && values.credentials !== undefined) fail('--credentials needs --auth strict');
  if (authMode === 'strict' && hooks !== undefined && hooks.length > 0) {
    fail('--hooks: strict auth mode offers no hooks (it looks like a real account); leave --hooks out, or --hooks none');
  }
  let credentials: Credential[] | undefined;
  if (authMode === 'strict') {
    try {
      credentials = loadCredentials(values.credentials);
    } catch (error) {
      fail((error as Error).message);
    }
  }
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({
      port: values.port === undefined ? DEFAULT_PORT : parsePort(values.port),
      host: values.host ?? '127.0.0.1',
      log: values.log ?? false,
      faults,
      variants,
      ...(hooks === undefined ? {} : { hooks }),
      ...(durations === undefined ? {} : { durations }),
      ...(weather === undefined ? {} : { weather }),
      ...(seed === undefined ? {} : { seed }),
      ...(latency === undefined ? {} : { latency }),
      ...(credentials === undefined ? {} : { auth: { mode: 'strict' as const, credentials } }),
      ...(s3Endpoint === undefined
        ? {}
        : { s3: { endpoint: s3Endpoint, region: process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'], forcePathStyle: true } }),
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const settings =
    settingsLine(emulator, { faults, variants, durations: values.durations?.trim(), seed, latency }) +
    (emulator.s3 === undefined ? '' : `; bundles: S3 at ${emulator.s3}`);
  process.stdout.write(`Proton emulator listening on ${emulator.url} (${settings})\n`);
  let closing = false;
  const stop = () => {
    if (closing) process.exit(130); // a second Ctrl-C: don't wait
    closing = true;
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
