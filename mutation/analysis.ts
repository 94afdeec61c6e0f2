// The mutation analysis: the suite against every chosen fault and variant,
// one emulator each (in one worker thread, one run at a time: the machine has
// two cores, and the suite and its emulator already use both), and the
// flakiness check: the suite against the reference emulator with N seeds.
// Weather (issue 11), when chosen, is added to every emulator of both: a
// fault must still be caught and a variant still pass through transient
// failures, and the reference emulator stay free of flaky verdicts.
import { weatherOfVariants } from '../emulator/policy.ts';
import { EmulatorHost } from './emulators.ts';
import { faultFinding, mutationScore, notPassing, variantFinding } from './findings.ts';
import type { CellNote, FaultFinding, VariantFinding } from './findings.ts';
import { runSuite } from './run.ts';
import type { RunSettings } from './run.ts';
import { faultCells } from './subjects.ts';
import type { FaultScope, FaultSubject, VariantSubject, WeatherRecord } from './subjects.ts';

export interface AnalysisOptions extends RunSettings {
  faults: readonly FaultSubject[];
  variants: readonly VariantSubject[];
  scope: FaultScope;
  /** Weather variants added to every subject (default none). */
  weather?: readonly string[];
  /** Progress, one line per run (stderr). */
  log?: (line: string) => void;
  /** A host to reuse (tests); by default one is started and closed. */
  host?: EmulatorHost;
}

export interface Analysis {
  seed: number;
  numRuns: number;
  scope: FaultScope;
  weather: WeatherRecord;
  faults: FaultFinding[];
  variants: VariantFinding[];
  score: number;
  seconds: number;
}

async function withHost<T>(given: EmulatorHost | undefined, use: (host: EmulatorHost) => Promise<T>): Promise<T> {
  const host = given ?? (await EmulatorHost.start());
  try {
    return await use(host);
  } finally {
    if (!given) await host.close();
  }
}

/** The weather of the chosen weather variants, as reports record it. */
export function weatherRecord(variants: readonly string[] = []): WeatherRecord {
  return { variants: [...variants], ...weatherOfVariants(variants) };
}

function list(rules: readonly string[]): string {
  return rules.length === 0 ? 'no rule' : rules.join(', ');
}

export async function analyse(options: AnalysisOptions): Promise<Analysis> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const total = options.faults.length + options.variants.length;
  const weather = [...(options.weather ?? [])];
  let done = 0;
  return withHost(options.host, async (host) => {
    const faults: FaultFinding[] = [];
    for (const subject of options.faults) {
      const run = await runSuite(
        host,
        { faults: [subject.name], variants: weather, seed: options.seed },
        faultCells(subject, options.scope),
        options,
      );
      const finding = faultFinding(subject, run);
      faults.push(finding);
      done++;
      log(
        `[mutation ${done}/${total}] fault ${subject.name} (${subject.targetRule}): ` +
          (finding.caught ? `caught after ${finding.secondsToCatch} s` : 'NOT CAUGHT by its rule') +
          `; failing: ${list(finding.caughtBy)} (${finding.seconds} s)`,
      );
    }
    const variants: VariantFinding[] = [];
    for (const subject of options.variants) {
      const run = await runSuite(host, { variants: [subject.name, ...weather], seed: options.seed }, {}, options);
      const finding = variantFinding(subject, run);
      variants.push(finding);
      done++;
      const unjudged = finding.unjudged.length > 0 ? `, ${finding.unjudged.length} inconclusive or skipped` : '';
      log(
        `[mutation ${done}/${total}] variant ${subject.name}: ` +
          (finding.falsePositives.length === 0 ? 'no false positive' : `${finding.falsePositives.length} FALSE POSITIVE(S)`) +
          `${unjudged} (${finding.seconds} s)`,
      );
    }
    return {
      seed: options.seed,
      numRuns: options.numRuns,
      scope: options.scope,
      weather: weatherRecord(weather),
      faults,
      variants,
      score: mutationScore(faults),
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  });
}

export interface FlakyRun {
  seed: number;
  /** Cells other than pass, of any level (a SHOULD warn, an inconclusive cell count too). */
  notPassing: CellNote[];
  seconds: number;
}

export interface Flakiness {
  weather: WeatherRecord;
  runs: FlakyRun[];
  /** Verdicts other than pass, over all runs (the target is zero). */
  flaky: number;
  seconds: number;
}

/** The full suite against the reference emulator `runs` times, seeds seed, seed+1, ... */
export async function flakiness(
  options: RunSettings & { runs: number; weather?: readonly string[]; log?: (line: string) => void; host?: EmulatorHost },
): Promise<Flakiness> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const weather = [...(options.weather ?? [])];
  return withHost(options.host, async (host) => {
    const runs: FlakyRun[] = [];
    for (let i = 0; i < options.runs; i++) {
      const seed = (options.seed + i) % 2 ** 31;
      // The run's seed seeds the emulator's weather too: "seed S" repeats the run.
      const run = await runSuite(host, { variants: weather, seed }, {}, { ...options, seed });
      const bad = notPassing(run);
      runs.push({ seed, notPassing: bad, seconds: Math.round(run.wallMs / 100) / 10 });
      const verdicts = bad.length === 0 ? 'every cell passed' : `${bad.length} verdict(s) other than pass`;
      log(
        `[flaky ${i + 1}/${options.runs}] seed ${seed}: ${run.results.length} cells, ${verdicts} (${Math.round(run.wallMs / 100) / 10} s)`,
      );
    }
    return {
      weather: weatherRecord(weather),
      runs,
      flaky: runs.reduce((n, run) => n + run.notPassing.length, 0),
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  });
}
