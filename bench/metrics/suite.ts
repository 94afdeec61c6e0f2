// suite.wall_s and suite.requests: the full default run against the embedded
// emulator, started as a user starts it (`npm start`, a process of its own,
// every rule on every operation, 100 runs per property), timed from spawn to
// exit. The request count comes from the JSON report the run writes. The wall
// time is the median of three runs (one with --quick): a shared machine is
// noisy, and one slow run says little.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Measurement, Metric } from '../metric.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TARGET_SECONDS = 10;

interface Run {
  seconds: number;
  requests: number;
}

function runOnce(reportFile: string): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['start', '--silent', '--', '--json', reportFile], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) {
        reject(new Error(`npm start exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
        return;
      }
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { requests?: unknown };
      if (typeof report.requests !== 'number') {
        reject(new Error('the report has no request count'));
        return;
      }
      resolve({ seconds, requests: report.requests });
    });
  });
}

const metric: Metric = {
  name: 'suite',
  description: 'the full default conformance run against the embedded emulator, as `npm start` runs it',
  async measure({ quick, log }) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-suite-'));
    try {
      const runs: Run[] = [];
      for (let i = 0; i < (quick ? 1 : 3); i++) {
        const run = await runOnce(join(dir, `report-${i}.json`));
        log(`suite: run ${i + 1}: ${run.seconds.toFixed(2)} s, ${run.requests} requests`);
        runs.push(run);
      }
      runs.sort((a, b) => a.seconds - b.seconds);
      const middle = runs[Math.floor(runs.length / 2)] as Run;
      const measurements: Measurement[] = [
        {
          name: 'suite.wall_s',
          value: Number(middle.seconds.toFixed(2)),
          unit: 's',
          target: `<= ${TARGET_SECONDS}`,
          met: middle.seconds <= TARGET_SECONDS,
        },
        { name: 'suite.requests', value: middle.requests, unit: 'requests' },
      ];
      return measurements;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default metric;
