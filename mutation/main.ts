// `npm run mutation`: the suite's power, measured (issue 4). Flags:
// mutation/args.ts. Progress on stderr, the report on stdout.
import { writeFileSync } from 'node:fs';
import { weatherOfVariants } from '../emulator/policy.ts';
import { describeWeather } from '../emulator/weather.ts';
import { UsageError, describeError } from '../harness/errors.ts';
import { analyse, flakiness } from './analysis.ts';
import { parseMutationArgs, USAGE } from './args.ts';
import type { MutationOptions } from './args.ts';
import { analysisJson, analysisText, flakinessJson, flakinessText } from './report.ts';
import { faultSubjects, variantSubjects } from './subjects.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** ", weather on every run: throttling (throttle 10%)", or nothing. */
function weatherNote(weather: readonly string[]): string {
  return weather.length === 0 ? '' : `, weather on every run: ${weather.join(', ')} (${describeWeather(weatherOfVariants(weather))})`;
}

async function run(options: MutationOptions): Promise<number> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  if (options.flaky !== undefined) {
    log(
      `mutation: flakiness: ${options.flaky} full runs on the reference emulator, seeds ${seed}.., ${options.numRuns} runs per property` +
        weatherNote(options.weather),
    );
    const result = await flakiness({ runs: options.flaky, seed, numRuns: options.numRuns, weather: options.weather, log });
    process.stdout.write(`${flakinessText(result)}\n`);
    if (options.json !== undefined) writeFileSync(options.json, flakinessJson(result));
    return result.flaky === 0 ? 0 : 1;
  }
  const faults = faultSubjects(options.faults);
  const variants = variantSubjects(options.variants);
  if (faults.length + variants.length === 0) throw new UsageError('nothing to run: --faults none and --variants none');
  log(
    `mutation: ${faults.length} fault(s), ${variants.length} variant(s); seed ${seed} (--seed ${seed} repeats it), ` +
      `${options.numRuns} runs per property, fault runs: ${options.scope === 'full' ? 'the whole suite' : "the target's category"}` +
      weatherNote(options.weather),
  );
  const analysis = await analyse({ faults, variants, scope: options.scope, seed, numRuns: options.numRuns, weather: options.weather, log });
  process.stdout.write(`${analysisText(analysis)}\n`);
  if (options.json !== undefined) writeFileSync(options.json, analysisJson(analysis));
  const falsePositive = analysis.variants.some((finding) => finding.falsePositives.length > 0);
  return analysis.score < 1 || falsePositive ? 1 : 0;
}

async function main(): Promise<number> {
  try {
    const options = parseMutationArgs(process.argv.slice(2));
    if (options.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    return await run(options);
  } catch (error) {
    if (error instanceof UsageError) {
      log(`mutation: ${error.message}`);
      return 2;
    }
    log(`mutation: internal error: ${describeError(error)}`);
    if (process.env['PROTON_CONFORMANCE_DEBUG'] && error instanceof Error) log(error.stack ?? '');
    return 2;
  }
}

process.exit(await main());
