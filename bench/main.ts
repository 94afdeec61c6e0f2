// `npm run bench [-- --json FILE] [--only PREFIX] [--quick]`: runs every
// metric module of bench/metrics/ (each default-exports a Metric), prints a
// table and, with --json, writes {"metrics": {"<name>": {"value", "unit"}}}.
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchOptions, Measurement, Metric } from './metric.ts';

const USAGE = 'usage: npm run bench -- [--json FILE] [--only PREFIX] [--quick]';

async function loadMetrics(): Promise<Metric[]> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'metrics');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  const metrics: Metric[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(join(dir, file)).href)) as { default?: Metric };
    if (!module.default || typeof module.default.measure !== 'function') {
      throw new Error(`bench/metrics/${file} has no default-exported Metric`);
    }
    metrics.push(module.default);
  }
  return metrics;
}

function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(4);
}

function table(measurements: readonly Measurement[]): string {
  const rows = measurements.map((m) => [
    m.name,
    formatValue(m.value),
    m.unit,
    m.target === undefined ? '' : `${m.target} ${m.met ? 'ok' : 'MISSED'}`,
  ]);
  const header = ['metric', 'value', 'unit', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 1 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        json: { type: 'string' },
        only: { type: 'string' },
        quick: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }

  const options: BenchOptions = { quick: args.quick ?? false, log: (line) => console.error(line) };
  const metrics = (await loadMetrics()).filter((m) => args.only === undefined || m.name.startsWith(args.only));
  if (metrics.length === 0) {
    console.error(`no metric matches --only ${args.only ?? ''}`);
    return 2;
  }

  const measurements: Measurement[] = [];
  for (const metric of metrics) {
    options.log(`[bench] ${metric.name}: ${metric.description}`);
    measurements.push(...(await metric.measure(options)));
  }

  console.log(table(measurements));
  if (args.json !== undefined) {
    const report = {
      metrics: Object.fromEntries(measurements.map((m) => [m.name, { value: m.value, unit: m.unit }])),
    };
    writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
    options.log(`[bench] wrote ${args.json}`);
  }
  return 0;
}

process.exitCode = await main();
