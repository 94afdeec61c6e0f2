// weather.wall_ratio: what a busy target costs. The full suite (same seed,
// same settings) against the reference emulator with the `throttling` variant
// (10% of API requests answered ThrottlingException before acting) over the
// same run against the plain emulator, both started the same way in the same
// bench run, interleaved so that the machine's noise falls on both. The
// harness retries the throttled requests with backoff (harness/weather.ts):
// the ratio shows that the backoff is short where the target is fast, and the
// verdicts show that the weather did not turn into failures.
import { EmulatorHost } from '../../mutation/emulators.ts';
import { runSuite } from '../../mutation/run.ts';
import type { SubjectRun } from '../../mutation/run.ts';
import { median } from '../../mutation/report.ts';
import type { Measurement, Metric } from '../metric.ts';

const SEED = 20_261_130;
const TARGET_RATIO = 2;

const metric: Metric = {
  name: 'weather',
  description: 'full-run wall time against the emulator throttling 10% of requests over the same run without throttling',
  async measure({ quick, log }) {
    process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
    const host = await EmulatorHost.start();
    const settings = { seed: SEED, numRuns: quick ? 20 : 100, concurrency: 12 };
    const pairs = quick ? 1 : 3;
    const ratios: number[] = [];
    let notPassing = 0;
    let throttles = 0;
    try {
      for (let i = 0; i < pairs; i++) {
        const calm = await runSuite(host, {}, {}, settings);
        const busy = await runSuite(host, { variants: ['throttling'] }, {}, settings);
        const bad = busy.results.filter((r) => r.verdict !== 'pass').length;
        notPassing += bad;
        throttles += busy.transient?.throttle ?? 0;
        ratios.push(busy.wallMs / calm.wallMs);
        log(`weather: pair ${i + 1}: ${seconds(calm)} s calm, ${seconds(busy)} s throttled (${busy.transient?.throttle ?? 0} throttles, ${bad} cells not passing)`);
      }
    } finally {
      await host.close();
    }
    const ratio = median(ratios)!;
    return [
      { name: 'weather.wall_ratio', value: Number(ratio.toFixed(3)), unit: 'ratio', target: `<= ${TARGET_RATIO}`, met: ratio <= TARGET_RATIO },
      { name: 'weather.throttles_per_run', value: Math.round(throttles / pairs), unit: 'count' },
      { name: 'weather.cells_not_passing', value: notPassing, unit: 'count', target: '= 0', met: notPassing === 0 },
    ] satisfies Measurement[];
  },
};

function seconds(run: SubjectRun): string {
  return (run.wallMs / 1000).toFixed(1);
}

export default metric;
