// The analysis as text (stdout) and as JSON (--json FILE).
import type { Analysis, Flakiness } from './analysis.ts';
import { describeWeather } from '../emulator/weather.ts';
import type { CellNote } from './findings.ts';
import type { WeatherRecord } from './subjects.ts';

const percent = (score: number): string => `${Math.round(score * 1000) / 10}%`;

/** "; weather throttling (throttle 10%)", or nothing without weather. */
function weatherNote(weather: WeatherRecord): string {
  return weather.variants.length === 0 ? '' : `; weather ${weather.variants.join(', ')} (${describeWeather(weather)})`;
}

function cell(note: CellNote): string {
  return `${note.verdict} ${note.rule} x ${note.operation}: ${note.reason}`;
}

export function analysisText(analysis: Analysis): string {
  const lines: string[] = [];
  if (analysis.faults.length > 0) {
    const width = Math.max(...analysis.faults.map((f) => f.fault.length));
    lines.push(`Faults (${analysis.faults.length}; suite scope: ${analysis.scope}):`);
    for (const finding of analysis.faults) {
      const when = finding.secondsToCatch === null ? 'NOT CAUGHT' : `${finding.secondsToCatch.toFixed(2)} s`;
      const others = finding.caughtBy.filter((rule) => rule !== finding.targetRule);
      lines.push(
        `  ${finding.caught ? '✓' : '✗'} ${finding.fault.padEnd(width)}  ${finding.targetRule}  ${when}` +
          (others.length > 0 ? `  (also: ${others.join(', ')})` : ''),
      );
    }
  }
  if (analysis.variants.length > 0) {
    lines.push('', `Variants (${analysis.variants.length}):`);
    for (const finding of analysis.variants) {
      lines.push(
        `  ${finding.falsePositives.length === 0 ? '✓' : '✗'} ${finding.variant}: ${finding.falsePositives.length} false positive(s)`,
      );
      for (const note of finding.falsePositives) lines.push(`      ${cell(note)}`);
      for (const note of finding.unjudged) lines.push(`      (not a false positive) ${cell(note)}`);
    }
  }
  const caught = analysis.faults.filter((f) => f.caught).length;
  const falsePositives = analysis.variants.reduce((n, v) => n + v.falsePositives.length, 0);
  const catchTimes = analysis.faults.flatMap((f) => (f.secondsToCatch === null ? [] : [f.secondsToCatch]));
  lines.push(
    '',
    `Mutation score ${percent(analysis.score)} (${caught}/${analysis.faults.length} faults caught by their rule); ` +
      `median time to catch ${median(catchTimes)?.toFixed(2) ?? '-'} s; ` +
      `${falsePositives} false positive(s) over ${analysis.variants.length} variants; ` +
      `seed ${analysis.seed}, ${analysis.numRuns} runs per property${weatherNote(analysis.weather)}, ${analysis.seconds} s`,
  );
  return lines.join('\n');
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function analysisJson(analysis: Analysis): string {
  return `${JSON.stringify(
    {
      faults: analysis.faults,
      variants: analysis.variants,
      score: analysis.score,
      seed: analysis.seed,
      numRuns: analysis.numRuns,
      scope: analysis.scope,
      weather: analysis.weather,
      seconds: analysis.seconds,
    },
    null,
    2,
  )}\n`;
}

export function flakinessText(result: Flakiness): string {
  const lines = result.runs.flatMap((run) => run.notPassing.map((note) => `  seed ${run.seed}: ${cell(note)}`));
  const seeds = result.runs.map((run) => run.seed);
  lines.push(
    `Flakiness: ${result.runs.length} full runs on the reference emulator ` +
      `(seeds ${seeds[0]}..${seeds.at(-1)}${weatherNote(result.weather)}): ` +
      `${result.flaky} verdict(s) other than pass; ${result.seconds} s`,
  );
  return lines.join('\n');
}

export function flakinessJson(result: Flakiness): string {
  return `${JSON.stringify({ flaky: result.flaky, weather: result.weather, runs: result.runs, seconds: result.seconds }, null, 2)}\n`;
}
