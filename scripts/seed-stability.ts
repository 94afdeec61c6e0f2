// `npx tsx scripts/seed-stability.ts [--fault NAME]... [--seeds N] [--first S] [--rules P] [--operations L] [--num-runs N]`:
// runs the suite against the reference emulator with the given faults once per
// seed (S, S+1, ...) and prints the cells that failed (fail or warn) under some
// seeds and not under others. A fault must show in the same cells whatever the
// seed (issue 20): exit 1 when the sets differ, 0 when every seed agrees.
import { parseArgs } from 'node:util';
import { EmulatorHost } from '../mutation/emulators.ts';
import { runSuite } from '../mutation/run.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

export interface StabilityOptions {
  faults: readonly string[];
  seeds: readonly number[];
  rules?: string;
  operations?: string;
  numRuns?: number;
}

export interface Stability {
  /** Per seed, the failing cells (`rule on Operation`), sorted. */
  failing: Map<number, string[]>;
  /** Cells that failed under some seeds and not all: each with the seeds it failed under. */
  moving: Map<string, number[]>;
}

/** The failing cells of each seed, and those that move with it. */
export async function seedStability(options: StabilityOptions): Promise<Stability> {
  const host = await EmulatorHost.start();
  const failing = new Map<number, string[]>();
  try {
    for (const seed of options.seeds) {
      const run = await runSuite(
        host,
        { faults: options.faults, seed },
        { ...(options.rules ? { rules: options.rules } : {}), ...(options.operations ? { operations: options.operations } : {}) },
        { seed, numRuns: options.numRuns ?? 100 },
      );
      const cells = run.results.filter((cell) => cell.verdict === 'fail' || cell.verdict === 'warn');
      failing.set(seed, cells.map((cell) => `${cell.rule} on ${cell.operation}`).sort());
    }
  } finally {
    await host.close();
  }
  const count = new Map<string, number[]>();
  for (const [seed, cells] of failing) for (const cell of cells) count.set(cell, [...(count.get(cell) ?? []), seed]);
  const moving = new Map([...count].filter(([, seeds]) => seeds.length < options.seeds.length));
  return { failing, moving };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      fault: { type: 'string', multiple: true, default: [] },
      seeds: { type: 'string', default: '20' },
      first: { type: 'string', default: '1' },
      rules: { type: 'string' },
      operations: { type: 'string' },
      'num-runs': { type: 'string', default: '100' },
    },
  });
  const first = Number(values.first);
  const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => first + i);
  const { failing, moving } = await seedStability({
    faults: values.fault,
    seeds,
    ...(values.rules ? { rules: values.rules } : {}),
    ...(values.operations ? { operations: values.operations } : {}),
    numRuns: Number(values['num-runs']),
  });
  for (const [seed, cells] of failing) console.log(`seed ${seed}: ${cells.length} failing cells`);
  const always = [...new Set([...failing.values()].flat())].filter((cell) => !moving.has(cell)).sort();
  console.log(`failing under every seed (${always.length}):`);
  for (const cell of always) console.log(`  ${cell}`);
  if (moving.size === 0) {
    console.log(`every one of ${seeds.length} seeds failed the same ${always.length} cells`);
    return 0;
  }
  console.log(`failing under some seeds only (${moving.size}):`);
  for (const [cell, under] of moving) console.log(`  ${cell}: seeds ${under.join(', ')}`);
  return 1;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main();
