// slow_target.*: the full run as a user runs it against a target without
// hooks whose asynchronous steps take real time: the reference emulator
// started as its own process with `--hooks none --durations real/100` (every
// transition at a real account's typical duration over 100), the CLI pointed
// at it with `--expect-durations real/100`. The run rehearses itself first and
// prints its plan, whose critical path is the least time its cells can take
// with every cell at once; critical_path_ratio is the time its cells took
// (the report's startedAt to finishedAt) over that critical path. The whole
// command's wall time, with the rehearsal before and the cleanup after, is
// total_wall_s.
import { ratioAtMost, type Measurement, type Metric } from '../metric.ts';
import { runAgainstEmulator } from '../processes.ts';

const TARGET_RATIO = 1.25;
const DIVISOR = 100;

interface Report {
  startedAt: string;
  finishedAt: string;
  requests: number;
  resourcesCreated?: number;
  summary: { fail: number; inconclusive: number };
  plan?: { criticalPathMs: number; resources: number; requests: number };
}

const metric: Metric = {
  name: 'slow_target',
  description:
    `the full run against the emulator with --hooks none --durations real/${DIVISOR}: cells' time over the critical path the run ` +
    'printed, resources and requests',
  async measure({ quick, log }) {
    const { report, ...run } = await runAgainstEmulator<Report>(
      ['--hooks', 'none', '--durations', `real/${DIVISOR}`],
      ['--expect-durations', `real/${DIVISOR}`, '--seed', '20261130', ...(quick ? ['--rules', 'async-delete/*,idempotent-create/*'] : [])],
      { accessKeyId: 'AKIDSLOWTARGETBENCH1', secretAccessKey: 'slowTargetBenchSecret' },
    );
    if (!report.plan) throw new Error('the run printed no plan (is the target seen as one without a clock?)');
    const cellsMs = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
    const ratio = cellsMs / report.plan.criticalPathMs;
    log(
      `slow_target: exit ${run.code}, cells ${(cellsMs / 1000).toFixed(1)} s over a critical path ` +
        `of ${(report.plan.criticalPathMs / 1000).toFixed(1)} s; ` +
        `${report.summary.fail} fail, ${report.summary.inconclusive} inconclusive; planned ${report.plan.resources} resources ` +
        `and ${report.plan.requests} requests`,
    );
    return [
      ratioAtMost('slow_target.critical_path_ratio', ratio, TARGET_RATIO),
      { name: 'slow_target.total_wall_s', value: Number((run.wallMs / 1000).toFixed(1)), unit: 's' },
      { name: 'slow_target.resources_created', value: report.resourcesCreated ?? 0, unit: 'count' },
      { name: 'slow_target.requests', value: report.requests, unit: 'count' },
      { name: 'slow_target.planned_requests', value: report.plan.requests, unit: 'count' },
    ] satisfies Measurement[];
  },
};

export default metric;
