// The shape every benchmark metric shares. A metric is one module in
// bench/metrics/ whose default export is a Metric; bench/main.ts finds the
// modules there, runs them one after another and merges what they measure
// into one report, so adding a metric never touches another file.

/** One figure of the report: `{"<name>": {"value": <number>, "unit": "<unit>"}}`. */
export interface Measurement {
  name: string;
  value: number;
  unit: string;
  /** Readable goal, shown in the table only (e.g. "<= 1.5"). */
  target?: string;
  /** Whether the value meets the target; absent when there is none. */
  met?: boolean;
}

export interface BenchOptions {
  /** Fewer samples, for a smoke run (`--quick`): figures are not stable. */
  readonly quick: boolean;
  /** Progress lines go here (stderr), never into the JSON. */
  log(line: string): void;
}

export interface Metric {
  /** Prefix of the measurements' names, e.g. "emulator.latency". */
  readonly name: string;
  readonly description: string;
  measure(options: BenchOptions): Promise<Measurement[]>;
}

/** A ratio with its goal, at most `target` (`met` as given where more than the ratio decides it). */
export function ratioAtMost(name: string, ratio: number, target: number, digits = 3, met = ratio <= target): Measurement {
  return { name, value: Number(ratio.toFixed(digits)), unit: 'ratio', target: `<= ${target}`, met };
}
