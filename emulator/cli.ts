// `npm run emulator`: the reference emulator as a standalone server.
import { parseArgs } from 'node:util';
import { startEmulator, type RunningEmulator } from './index.ts';
import type { Durations } from './durations.ts';
import { parseDurations, parseHooks, parseSeed, parseWeather, settingsLine } from './flags.ts';

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
  --variant NAME     show a conforming variant (repeatable)
  --hooks LIST       hook capabilities offered: all (default), none, or some of
                     clock,durations,reset,counts,accounts (without accounts,
                     every request lands in one account)
  --durations LIST   real/N: every transition at a real account's typical
                     duration divided by N; and/or name=ms items
  --weather LIST     transient failures: throttle=R (API requests answered
                     ThrottlingException before acting), error-after=R (creates
                     and deletes answered 500 after acting); R from 0 to 1
  --seed N           seed of the weather (default: a constant)
  -h, --help         this text

Point a client at it:
  aws proton list-environment-templates --endpoint-url http://127.0.0.1:${DEFAULT_PORT}
  new ProtonClient({ endpoint: 'http://127.0.0.1:${DEFAULT_PORT}', region: 'us-east-1', credentials })
Any credentials work; the access key id chooses the account (a 12-digit one is the account id).`;

function fail(message: string): never {
  process.stderr.write(`proton-emulator: ${message}\n`);
  process.exit(2);
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) fail(`--port must be an integer from 0 to 65535, not "${text}"`);
  return port;
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
  const hooks = flag(values.hooks, parseHooks);
  const durations: Partial<Durations> | undefined = flag(values.durations, parseDurations);
  const weather = flag(values.weather, parseWeather);
  const seed = flag(values.seed, parseSeed);
  const faults = values.fault ?? [];
  const variants = values.variant ?? [];
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
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const settings = settingsLine(emulator, { faults, variants, durations: values.durations?.trim(), seed });
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
