// latency_target.*: the default run as a user runs it against a slow target
// with every hook (issue 17): the reference emulator as its own process with
// `--latency 20-60` (every request waits 20 to 60 ms, seeded), the CLI pointed
// at it with no other flag. The run measures the target's round trip, sizes
// itself to its budget (5 minutes by default) and prints that budget;
// wall_ratio is the whole command's wall time over that budget (the target:
// at most 1.25). estimate_ratio is the cells' time (the report's startedAt to
// finishedAt) over the estimate the run printed: how good the cost model is.
// With --quick, two rules only and a budget of one minute.
import { ratioAtMost, type Measurement, type Metric } from '../metric.ts';
import { runAgainstEmulator } from '../processes.ts';

const TARGET_RATIO = 1.25;
const LATENCY = '20-60';

interface Report {
  startedAt: string;
  finishedAt: string;
  requests: number;
  numRuns: number;
  summary: { fail: number; inconclusive: number };
  sizing?: { latencyMs: number; budgetMs: number; sizedBy: string; estimatedMs?: number; concurrency: number; cellTimeoutMs: number };
}

const metric: Metric = {
  name: 'latency_target',
  description: `the default run against the emulator with --latency ${LATENCY} (every hook): its wall time over the budget it printed`,
  async measure({ quick, log }) {
    const { report, ...run } = await runAgainstEmulator<Report>(
      ['--latency', LATENCY, '--seed', '17'],
      ['--seed', '20261207', ...(quick ? ['--rules', 'client-token/*,idempotent-create/*', '--budget', '1m'] : [])],
      { accessKeyId: 'AKIDLATENCYBENCH0001', secretAccessKey: 'latencyBenchSecret' },
    );
    if (!report.sizing) throw new Error('the run printed no sizing (was the target measured?)');
    const { sizing } = report;
    const cellsMs = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
    const ratio = run.wallMs / sizing.budgetMs;
    const estimateRatio = sizing.estimatedMs ? cellsMs / sizing.estimatedMs : 0;
    log(
      `latency_target: exit ${run.code}, ${(run.wallMs / 1000).toFixed(1)} s over a budget of ${sizing.budgetMs / 1000} s; ` +
        `latency ${sizing.latencyMs} ms, sized by ${sizing.sizedBy}: ` +
        `${report.numRuns} runs per property, concurrency ${sizing.concurrency}, cell timeout ${sizing.cellTimeoutMs / 1000} s, ` +
        `estimated ${((sizing.estimatedMs ?? 0) / 1000).toFixed(1)} s, cells took ${(cellsMs / 1000).toFixed(1)} s; ` +
        `${report.summary.fail} fail, ${report.summary.inconclusive} inconclusive`,
    );
    return [
      ratioAtMost('latency_target.wall_ratio', ratio, TARGET_RATIO, 3, ratio <= TARGET_RATIO && run.code === 0),
      { name: 'latency_target.estimate_ratio', value: Number(estimateRatio.toFixed(3)), unit: 'ratio' },
      { name: 'latency_target.wall_s', value: Number((run.wallMs / 1000).toFixed(1)), unit: 's' },
      { name: 'latency_target.latency_ms', value: sizing.latencyMs, unit: 'ms' },
      { name: 'latency_target.num_runs', value: report.numRuns, unit: 'count' },
      { name: 'latency_target.inconclusive', value: report.summary.inconclusive, unit: 'count' },
    ] satisfies Measurement[];
  },
};

export default metric;
