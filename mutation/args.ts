// `npm run mutation` flags, checked: every bad value is a UsageError with a
// one-line message naming the flag.
import { parseArgs } from 'node:util';
import { UsageError } from '../harness/errors.ts';
import { DEFAULT_NUM_RUNS } from '../harness/run/results.ts';
import { splitList } from '../harness/run/select.ts';
import { integer } from '../cli/args.ts';
import { allWeatherVariants, weatherVariants } from './subjects.ts';
import type { FaultScope } from './subjects.ts';

export const DEFAULT_FLAKY_RUNS = 20;

export interface MutationOptions {
  help: boolean;
  /** undefined: every fault (unless only variants were chosen). */
  faults?: string[];
  variants?: string[];
  seed?: number;
  numRuns: number;
  scope: FaultScope;
  json?: string;
  /** Flakiness mode: this many runs of the full suite on the reference emulator. */
  flaky?: number;
  /** Weather variants added to every subject and to the flaky runs (issue 11). */
  weather: string[];
}

export const USAGE = `Usage: npm run mutation -- [options]

Runs the conformance suite against every fault of the emulator's catalogue
(each must be caught by the rule it targets) and every conforming variant
(each must pass: no MUST cell may fail), and prints the mutation score.
Exit 0 when the score is 100% and no variant has a false positive; 1
otherwise; 2 on a usage error. Catalogue: emulator/faults/README.md.

Options:
  --faults LIST      comma-separated faults to run ('all', 'none'; default: all,
                     or none when only --variants is given)
  --variants LIST    comma-separated variants to run ('all', 'none'; default: all,
                     or none when only --faults is given)
  --scope S          cells of a fault's run: 'full' (the whole suite, default) or
                     'category' (the target's category and the shape and general
                     rules on its operations: faster, "caught by" within those)
  --seed N           seed of every run (default: random, printed)
  --num-runs N       runs per property (default ${DEFAULT_NUM_RUNS})
  --json FILE        write {"faults": [...], "variants": [...], "score"}
  --flaky [N]        instead: the full suite against the reference emulator N
                     times (default ${DEFAULT_FLAKY_RUNS}) with seeds seed, seed+1, ...; every
                     verdict other than pass (any level) is reported (exit 1 if any)
  --weather LIST     comma-separated weather variants (throttling,
                     errors-after-acting) added to every fault and variant and
                     to the --flaky runs; seeded with each run's seed
  -h, --help         this text
`;

const OPTIONS = {
  faults: { type: 'string' },
  variants: { type: 'string' },
  scope: { type: 'string' },
  seed: { type: 'string' },
  'num-runs': { type: 'string' },
  json: { type: 'string' },
  flaky: { type: 'string' },
  weather: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function names(flag: string, raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const list = splitList(raw);
  if (list.length === 0) throw new UsageError(`${flag}: empty list`);
  if (list.length === 1 && list[0] === 'all') return undefined;
  if (list.length === 1 && list[0] === 'none') return [];
  return list;
}

export function parseMutationArgs(argv: readonly string[]): MutationOptions {
  // `--flaky` alone means the default number of runs.
  const args = [...argv];
  const at = args.indexOf('--flaky');
  if (at !== -1 && (at === args.length - 1 || args[at + 1]!.startsWith('-'))) args.splice(at + 1, 0, String(DEFAULT_FLAKY_RUNS));
  let values;
  try {
    ({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see --help)`);
  }
  const scope = values.scope ?? 'full';
  if (scope !== 'full' && scope !== 'category') throw new UsageError(`--scope: '${scope}' is neither 'full' nor 'category'`);
  const options: MutationOptions = {
    help: values.help === true,
    numRuns: values['num-runs'] === undefined ? DEFAULT_NUM_RUNS : integer('--num-runs', values['num-runs'], 1, 1_000_000),
    scope,
    weather: [],
  };
  // 'all': every weather variant; each name checked here, so a typo is a usage error before any run.
  if (values.weather !== undefined) options.weather = weatherVariants(names('--weather', values.weather) ?? allWeatherVariants());
  let faults = names('--faults', values.faults);
  let variants = names('--variants', values.variants);
  // One list alone runs that list alone.
  if (values.faults !== undefined && values.variants === undefined) variants = [];
  if (values.variants !== undefined && values.faults === undefined) faults = [];
  if (faults !== undefined) options.faults = faults;
  if (variants !== undefined) options.variants = variants;
  if (values.seed !== undefined) options.seed = integer('--seed', values.seed, 0, 2 ** 31 - 1);
  if (values.json !== undefined) {
    if (values.json.trim() === '') throw new UsageError('--json: empty file name');
    options.json = values.json;
  }
  if (values.flaky !== undefined) options.flaky = integer('--flaky', values.flaky, 1, 1000);
  return options;
}
