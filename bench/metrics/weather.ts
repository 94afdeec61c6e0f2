// weather.*: what a target's weather costs a full run. The reference
// emulator answering at once hid it (the first version of this metric read
// 0.97 there while a target with real latency cost 4.2): a throttle was
// refused before any work, the backoff sat at its 5 ms floor, and the run
// was bound by the CPU that the suite and the emulator share, so a cell's
// wait cost nothing while other cells computed. What a wait costs shows on
// a target whose requests take real time, where a cell's requests follow one
// another and each wait adds to its chain. So both targets here take 0 to
// 100 ms per request (emulator --latency, seeded), a throttled one too (the
// throttle lands after the target has read the request): a busy one, whose
// requests are service time at a few handlers and queue beyond them, so
// that latency rises with the run's own concurrency (weather handlers), and
// a slow one, whose requests wait side by side. Against each, the full
// suite (same seed, same settings) runs calm, with the `throttling` variant
// (10% of API requests) and with `errors-after-acting` (20% of the
// contract's writes answered 500 after acting), interleaved round by round
// so that the machine's noise falls on all; each ratio is the median over
// the rounds of a weather run's wall time over its round's calm run.
// Verdicts must not change: every cell passes under weather as calm.
import { EmulatorHost } from '../../mutation/emulators.ts';
import type { EmulatorChoice } from '../../mutation/emulators.ts';
import { runSuite } from '../../mutation/run.ts';
import type { SubjectRun } from '../../mutation/run.ts';
import { median } from '../../mutation/report.ts';
import type { Measurement, Metric } from '../metric.ts';

const SEED = 20_261_130;
const TARGET_RATIO = 2;
/** Each request's service time, ms (seeded). */
const LATENCY = { min: 0, max: 100 };
/** The busy target's handlers: more requests than that at once queue. */
const HANDLERS = 8;

/**
 * The two targets: a slow one (requests side by side: each wait adds to its
 * cell's chain, the full cost) and a busy one (latency rising with the
 * requests in flight: a waiting cell makes room for the others).
 */
const TARGETS = [
  { key: 'slow', prefix: 'weather.', weather: {} },
  { key: 'busy', prefix: 'weather.busy_', weather: { handlers: HANDLERS } },
] as const;

const SIDES = [
  { name: 'calm', variants: [] },
  { name: 'throttling', variants: ['throttling'] },
  { name: 'errors-after-acting', variants: ['errors-after-acting'] },
] as const;

interface Tally {
  throttling: number[];
  errors: number[];
  calmMs: number[];
  throttles: number;
}

const metric: Metric = {
  name: 'weather',
  description:
    `full-run wall time against the emulator with latency ${LATENCY.min}-${LATENCY.max} ms (at ${HANDLERS} handlers, and side by ` +
    'side) throttling 10% and failing 20% of writes after acting, over the same run calm',
  async measure({ quick, log }) {
    process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
    const host = await EmulatorHost.start();
    const settings = { seed: SEED, numRuns: quick ? 2 : 3, concurrency: 12 };
    const rounds = quick ? 1 : 3;
    const tallies = new Map(TARGETS.map((t) => [t.key, { throttling: [], errors: [], calmMs: [], throttles: 0 } as Tally]));
    let notPassing = 0;
    try {
      for (let round = 1; round <= rounds; round++) {
        for (const target of TARGETS) {
          const walls: Record<string, number> = {};
          const tally = tallies.get(target.key)!;
          for (const side of SIDES) {
            const choice: EmulatorChoice = { variants: side.variants, seed: SEED, latency: LATENCY, weather: target.weather };
            const run = await runSuite(host, choice, {}, settings);
            const bad = run.results.filter((r) => r.verdict !== 'pass');
            notPassing += bad.length;
            if (side.name === 'throttling') tally.throttles += run.transient?.throttle ?? 0;
            walls[side.name] = run.wallMs;
            const badText = bad.length === 0 ? '' : `; not passing: ${bad.map((r) => `${r.rule} ${r.verdict}`).join(', ')}`;
            log(`weather: round ${round}, ${target.key} target, ${side.name}: ${seconds(run)} s, ${describe(run)}${badText}`);
          }
          tally.calmMs.push(walls['calm']!);
          tally.throttling.push(walls['throttling']! / walls['calm']!);
          tally.errors.push(walls['errors-after-acting']! / walls['calm']!);
        }
      }
    } finally {
      await host.close();
    }
    const measurements: Measurement[] = [];
    for (const target of TARGETS) {
      const tally = tallies.get(target.key)!;
      const throttling = median(tally.throttling)!;
      const errors = median(tally.errors)!;
      measurements.push(
        {
          name: `${target.prefix}wall_ratio`,
          value: round3(throttling),
          unit: 'ratio',
          target: `<= ${TARGET_RATIO}`,
          met: throttling <= TARGET_RATIO,
        },
        {
          name: `${target.prefix}errors_after_acting_ratio`,
          value: round3(errors),
          unit: 'ratio',
          target: `<= ${TARGET_RATIO}`,
          met: errors <= TARGET_RATIO,
        },
        { name: `${target.prefix}calm_wall_s`, value: Math.round(median(tally.calmMs)! / 100) / 10, unit: 's' },
        { name: `${target.prefix}throttles_per_run`, value: Math.round(tally.throttles / rounds), unit: 'count' },
      );
    }
    measurements.push({ name: 'weather.cells_not_passing', value: notPassing, unit: 'count', target: '= 0', met: notPassing === 0 });
    return measurements;
  },
};

function round3(value: number): number {
  return Number(value.toFixed(3));
}

function seconds(run: SubjectRun): string {
  return (run.wallMs / 1000).toFixed(1);
}

function describe(run: SubjectRun): string {
  const t = run.transient;
  return `${run.requests} requests, ${t?.throttle ?? 0} throttles, ${t?.serverError ?? 0} 5xx, ${t?.retries ?? 0} retries`;
}

export default metric;
