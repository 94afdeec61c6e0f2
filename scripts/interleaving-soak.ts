// The load soak of issue 19 ("a pass must prove its interleaving"): the wire
// rules and the concurrent properties against conforming emulators, seed after
// seed, while CPU-bound processes compete for the machine's cores. A conforming
// target must get no `fail` and no `inconclusive` there: either is a bug of the
// suite (a check that passes or gives up by luck), never bad luck.
//
//   npx tsx scripts/interleaving-soak.ts [--runs N] [--seed S] [--hogs N]
//       [--variants none,slow-mutations,latency-jitter] [--rules R] [--num-runs N]
//       [--faults NAME,...]
//
// One line per run (variant, seed, verdicts, interleavings exercised, wall
// time), then a total; exit 1 if any run had a fail or an inconclusive cell.
// With --faults, instead: each fault of the catalogue once per seed, its
// target rule's cells only, which must catch it every time (exit 1 if a seed
// let one through): the race and in-flight faults of the "Done when".
// The hogs (`node -e 'for(;;){}'`) are this script's children: killed when it
// ends, however it ends (exit, Ctrl-C, SIGTERM), and each ends by itself after
// HOG_BOUND_S should this process be killed outright. Run it under `heavy`.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { EmulatorHost } from '../mutation/emulators.ts';
import { faultFinding } from '../mutation/findings.ts';
import { runSuite } from '../mutation/run.ts';
import { faultSubjects } from '../mutation/subjects.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const DEFAULT_RULES = 'wire/*,client-token/concurrent-retries,idempotent-create/concurrent-retries';
/** A hog outlives this script by at most this long, whatever happens to it (seconds). */
const HOG_BOUND_S = 3 * 3600;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    hogs: { type: 'string', default: '2' },
    variants: { type: 'string', default: 'none,slow-mutations,latency-jitter' },
    rules: { type: 'string', default: DEFAULT_RULES },
    'num-runs': { type: 'string', default: '100' },
    faults: { type: 'string' },
  },
});

function count(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${flag}: a whole number >= ${min}, not ${text}`);
  return n;
}

const runs = count('runs', values.runs, 1);
const firstSeed = count('seed', values.seed, 0);
const hogCount = count('hogs', values.hogs, 0);
const numRuns = count('num-runs', values['num-runs'], 1);
const variants = values.variants.split(',').map((v) => v.trim());

/**
 * The CPU hogs: each `for(;;){}` in a node process of its own, which also ends by itself after HOG_BOUND_S (should
 * this process be killed outright, before its handlers run).
 */
function startHogs(n: number): ChildProcess[] {
  const loop = `const end = Date.now() + ${HOG_BOUND_S * 1000}; for (;;) { if (Date.now() > end) break; }`;
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', loop], { stdio: 'ignore' }));
}

function stopHogs(hogs: readonly ChildProcess[]): void {
  for (const hog of hogs) if (hog.exitCode === null && hog.signalCode === null) hog.kill('SIGKILL');
}

interface RunLine {
  fails: number;
  inconclusive: number;
  problems: string[];
}

async function soakRun(host: EmulatorHost, variant: string, seed: number): Promise<RunLine> {
  const choice = variant === 'none' ? { seed } : { variants: [variant], seed };
  const run = await runSuite(host, choice, { rules: values.rules }, { seed, numRuns, concurrency: 12 });
  const verdicts = new Map<string, number>();
  for (const r of run.results) verdicts.set(r.verdict, (verdicts.get(r.verdict) ?? 0) + 1);
  const counted = run.results.filter((r) => r.interleavings !== undefined);
  const intended = counted.reduce((sum, r) => sum + r.interleavings!.intended, 0);
  const exercised = counted.reduce((sum, r) => sum + r.interleavings!.exercised, 0);
  const bad = run.results.filter((r) => r.verdict === 'fail' || r.verdict === 'inconclusive');
  const text = [...verdicts].map(([verdict, n]) => `${n} ${verdict}`).join(', ');
  console.log(
    `${variant.padEnd(16)} seed ${String(seed).padStart(4)}: ${run.results.length} cells (${text}); ` +
      `interleavings ${exercised} of ${intended} exercised; ${(run.wallMs / 1000).toFixed(1)} s`,
  );
  const problems = bad.map((r) => `${variant} seed ${seed}: ${r.verdict} ${r.rule} on ${r.operation}: ${r.reason.slice(0, 400)}`);
  for (const problem of problems) console.log(`  ${problem}`);
  return {
    fails: bad.filter((r) => r.verdict === 'fail').length,
    inconclusive: bad.filter((r) => r.verdict === 'inconclusive').length,
    problems,
  };
}

/** Each fault once per seed, its target rule's cells only: how many runs let it through. */
async function faultRuns(host: EmulatorHost, names: readonly string[]): Promise<{ total: number; missed: number }> {
  let total = 0;
  let missed = 0;
  for (const subject of faultSubjects(names)) {
    for (let seed = firstSeed; seed < firstSeed + runs; seed++) {
      const run = await runSuite(host, { faults: [subject.name], seed }, { rules: subject.targetRule }, { seed, numRuns, concurrency: 12 });
      const finding = faultFinding(subject, run);
      const failing = run.results.filter((r) => r.verdict === 'fail' && r.rule === subject.targetRule).length;
      total++;
      if (!finding.caught) missed++;
      console.log(
        `${subject.name.padEnd(30)} seed ${String(seed).padStart(4)}: ${finding.caught ? 'caught' : 'NOT caught'} by ` +
          `${subject.targetRule} (${failing} of ${run.results.length} cells fail); ${(run.wallMs / 1000).toFixed(1)} s`,
      );
    }
  }
  return { total, missed };
}

async function main(): Promise<number> {
  const hogs = startHogs(hogCount);
  const stop = (): void => stopHogs(hogs);
  process.on('exit', stop);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      stop();
      process.exit(130);
    });
  }
  const started = performance.now();
  const host = await EmulatorHost.start();
  if (values.faults !== undefined) {
    const names = values.faults.split(',').map((name) => name.trim());
    console.log(`soak: ${names.length} faults, ${runs} seeds each (${firstSeed}..${firstSeed + runs - 1}), beside ${hogCount} CPU hogs`);
    try {
      const { total, missed } = await faultRuns(host, names);
      const wall = ((performance.now() - started) / 1000).toFixed(0);
      console.log(`total: ${total} runs, caught in ${total - missed}, missed in ${missed}; wall ${wall} s, ${hogCount} hogs`);
      return missed === 0 ? 0 : 1;
    } finally {
      await host.close();
      stop();
    }
  }
  let total = 0;
  let failed = 0;
  let fails = 0;
  let inconclusive = 0;
  try {
    console.log(
      `soak: ${runs} runs each of ${variants.join(', ')} (seeds ${firstSeed}..${firstSeed + runs - 1}), rules ${values.rules}, ` +
        `${numRuns} runs per property, beside ${hogCount} CPU hogs`,
    );
    for (const variant of variants) {
      for (let seed = firstSeed; seed < firstSeed + runs; seed++) {
        const line = await soakRun(host, variant, seed);
        total++;
        fails += line.fails;
        inconclusive += line.inconclusive;
        if (line.fails + line.inconclusive > 0) failed++;
      }
    }
  } finally {
    await host.close();
    stop();
  }
  const wall = ((performance.now() - started) / 1000).toFixed(0);
  console.log(
    `total: ${total} runs, ${failed} with a fail or an inconclusive cell (${fails} fail, ${inconclusive} inconclusive cells); ` +
      `wall ${wall} s, ${hogCount} hogs`,
  );
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
