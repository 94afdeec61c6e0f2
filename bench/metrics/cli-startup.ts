// cli.startup_s: time from a user's command to its first request on the
// wire, for the package as users install it (`npm pack`, then `npm install
// --omit=dev` of the tarball into an empty folder: compiled JavaScript, no
// tsx) against `npm start` in this checkout (tsx compiling the TypeScript at
// start). The target is a bare loopback server that notes when the first
// request arrives (the CLI's reachability probe) and then ends the command:
// what is measured is startup alone, not a run. Median of 3 interleaved
// pairs (1 with --quick).
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Measurement, Metric } from '../metric.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const exec = promisify(execFile);

/** Spawns `command`, resolves with the seconds until the server saw its first request; then ends it. */
async function timeToFirstRequest(command: string, args: string[], cwd: string): Promise<number> {
  let first: (() => void) | undefined;
  const arrived = new Promise<number>((resolve) => {
    first = () => resolve(performance.now());
  });
  const server = createServer((_request, response) => {
    first?.();
    first = undefined;
    response.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const started = performance.now();
  const child = spawn(command, [...args, '--endpoint', endpoint], {
    cwd,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      NO_COLOR: '1',
      AWS_ACCESS_KEY_ID: 'AKIABENCHSTARTUP0001',
      AWS_SECRET_ACCESS_KEY: 'bench-startup-secret',
      AWS_REGION: 'us-east-1',
    },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number>((_resolve, reject) => {
    child.on('exit', (code) =>
      reject(new Error(`${command} exited ${code} before its first request: ${stderr.trim().split('\n').slice(-2).join(' | ')}`)),
    );
    child.on('error', reject);
  });
  try {
    const at = await Promise.race([arrived, exited]);
    return (at - started) / 1000;
  } finally {
    child.removeAllListeners('exit');
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const metric: Metric = {
  name: 'cli',
  description: 'time from start to the first request: the installed package (npm pack, npm install --omit=dev) against npm start',
  async measure({ quick, log }) {
    const dir = await mkdtemp(join(tmpdir(), 'bench-cli-'));
    try {
      log('cli: npm pack and npm install --omit=dev of the tarball');
      await exec('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
      const tarball = (await readdir(dir)).find((name) => name.endsWith('.tgz'))!;
      const app = join(dir, 'app');
      await mkdir(app);
      await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'bench-app', version: '1.0.0', private: true }));
      await exec('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', join(dir, tarball)], {
        cwd: app,
        maxBuffer: 16 * 1024 * 1024,
      });
      const installed: number[] = [];
      const npmStart: number[] = [];
      for (let i = 0; i < (quick ? 1 : 3); i++) {
        installed.push(await timeToFirstRequest(join(app, 'node_modules', '.bin', 'proton-conformance'), [], app));
        npmStart.push(await timeToFirstRequest('npm', ['start', '--silent', '--'], ROOT));
        log(`cli: pair ${i + 1}: installed ${installed.at(-1)!.toFixed(2)} s, npm start ${npmStart.at(-1)!.toFixed(2)} s`);
      }
      const a = median(installed);
      const b = median(npmStart);
      const measurements: Measurement[] = [
        { name: 'cli.startup_s', value: Number(a.toFixed(3)), unit: 's', target: '<= npm start', met: a <= b },
        { name: 'cli.startup_npm_start_s', value: Number(b.toFixed(3)), unit: 's' },
        { name: 'cli.startup_ratio', value: Number((a / b).toFixed(3)), unit: 'x' },
      ];
      return measurements;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default metric;
