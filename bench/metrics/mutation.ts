// mutation.median_seconds_to_catch: how soon the suite tells a faulty
// endpoint from a conforming one. Every fault of the catalogue runs the whole
// suite (the default 100 runs per property, a fixed seed) on an emulator with
// that fault; the time to catch is from the run's start to the end of the
// first failing cell of the rule the fault targets. With --quick: the target
// category's cells only, 20 runs per property. Also reported: the mutation
// score (faults caught by their rule / all faults).
import { analyse } from '../../mutation/analysis.ts';
import { median } from '../../mutation/report.ts';
import { faultSubjects } from '../../mutation/subjects.ts';
import type { Measurement, Metric } from '../metric.ts';

const SEED = 20_261_126;
const TARGET_SECONDS = 5;

const metric: Metric = {
  name: 'mutation',
  description:
    'seconds from the start of a suite run to its first failing verdict of the rule a fault targets, median over the fault catalogue',
  async measure({ quick, log }) {
    process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
    const analysis = await analyse({
      faults: faultSubjects(),
      variants: [],
      scope: quick ? 'category' : 'full',
      seed: SEED,
      numRuns: quick ? 20 : 100,
      log,
    });
    const times = analysis.faults.flatMap((finding) => (finding.secondsToCatch === null ? [] : [finding.secondsToCatch]));
    const measurements: Measurement[] = [];
    const middle = median(times);
    if (middle !== undefined) {
      measurements.push({
        name: 'mutation.median_seconds_to_catch',
        value: Number(middle.toFixed(2)),
        unit: 's',
        target: `<= ${TARGET_SECONDS}`,
        met: middle <= TARGET_SECONDS,
      });
    }
    measurements.push({
      name: 'mutation.score',
      value: Number(analysis.score.toFixed(3)),
      unit: 'ratio',
      target: '= 1',
      met: analysis.score === 1,
    });
    return measurements;
  },
};

export default metric;
