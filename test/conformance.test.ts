// The product's own acceptance: the whole contract against the embedded
// emulator, through the real runner, specs and suites. One `it` per cell
// (rule x operation): every MUST cell passes; a SHOULD cell passes or warns
// (the warning is printed). The embedded emulator has every hook, so no cell
// may be skipped or inconclusive: a regression that turns checks into either
// would otherwise stay green. A failure prints its reason, evidence and
// replay command.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../suites/catalog.ts';
import { newRunId } from '../harness/safety/names.ts';
import type { CellResult } from '../harness/run/results.ts';
import { runConformance } from '../harness/run/runner.ts';
import { selectCells } from '../harness/run/select.ts';
import { resolveTarget } from '../harness/target/target.ts';
import type { Category } from '../harness/types.ts';
import { renderEvidence } from '../reporters/evidence.ts';
import { reportJson } from '../reporters/json.ts';
import * as model from '../specs/model.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

// PROTON_CONFORMANCE_SEED repeats a run; by default every run draws a seed.
const seed = Number(process.env['PROTON_CONFORMANCE_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
// The fast tier runs the whole matrix at 20 runs per property (about a fifth
// of the time of the CLI's default 100, which .ci/run's main job runs);
// PROTON_CONFORMANCE_NUM_RUNS sets another count.
const numRuns = Number(process.env['PROTON_CONFORMANCE_NUM_RUNS'] ?? 20);

const started = performance.now();
const catalog = await loadCatalog();
// env: {} -- the embedded emulator, whatever endpoint the developer has set.
const target = await resolveTarget({ env: {} });
const outcome = await runConformance({
  catalog,
  selection: selectCells(catalog.rules),
  target,
  shapeModel: model,
  runId: newRunId(),
  seed,
  numRuns,
  concurrency: 8,
  cellTimeoutMs: 60_000,
});
const wallMs = performance.now() - started;
const results = outcome.report.results as readonly CellResult[];

afterAll(async () => {
  await target.close();
});

function explain(result: CellResult): string {
  const lines = [`${result.verdict}: ${result.rule} x ${result.operation} (${result.level})`, `  ${result.reason}`];
  for (const step of (result.steps ?? []).slice(-10)) lines.push(`  step: ${step}`);
  lines.push(...renderEvidence(result.evidence, result.requests, { limit: 10, bodyChars: 400, indent: '  ' }));
  if (result.replay) lines.push(`  replay: ${result.replay.command}`);
  if (result.rerun) lines.push(`  rerun: ${result.rerun}`);
  return lines.join('\n');
}

const categories = [...new Set(results.map((r) => r.category))] as Category[];

/**
 * Cells allowed to end skipped or inconclusive on the embedded emulator,
 * `rule operation`, each with why. None: with every hook (clock, durations,
 * counts, accounts) every precondition can be arranged and observed.
 */
const ALLOWED_UNJUDGED = new Set<string>([]);

describe(`conformance of the embedded emulator (seed ${seed}, ${numRuns} runs per property)`, () => {
  it('ran every rule of the catalog', () => {
    const ran = new Set(results.map((r) => r.rule));
    expect([...ran].sort()).toEqual(catalog.rules.map((r) => r.id).sort());
    console.info(`conformance: ${results.length} cells, ${outcome.requests} requests in ${Math.round(wallMs)} ms (seed ${seed})`);
  });

  for (const category of categories) {
    describe(category, () => {
      for (const result of results.filter((r) => r.category === category)) {
        it(`${result.rule} x ${result.operation}`, () => {
          if (result.verdict === 'skipped' || result.verdict === 'inconclusive') {
            expect(ALLOWED_UNJUDGED.has(`${result.rule} ${result.operation}`), explain(result)).toBe(true);
            return;
          }
          if (result.level === 'SHOULD') {
            if (result.verdict === 'warn') console.warn(explain(result));
            expect(['pass', 'warn'], explain(result)).toContain(result.verdict);
            return;
          }
          expect(result.verdict, explain(result)).toBe('pass');
        });
      }
    });
  }

  it('its JSON report validates against specs/report.schema.json', () => {
    const schema = JSON.parse(readFileSync(new URL('../specs/report.schema.json', import.meta.url), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    const doc: unknown = JSON.parse(reportJson(outcome.report, { requests: outcome.requests, wallMs, interrupted: outcome.interrupted }));
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
  });

  it('skips nothing and leaves nothing inconclusive (beyond the allow-list), every such cell with its reason', () => {
    const listed = results.filter((r) => r.verdict === 'skipped' || r.verdict === 'inconclusive');
    for (const result of listed) console.info(`${result.verdict}: ${result.rule} x ${result.operation}: ${result.reason}`);
    for (const result of listed) expect(result.reason.trim()).not.toBe('');
    expect(listed.map((r) => `${r.rule} ${r.operation}`).filter((cell) => !ALLOWED_UNJUDGED.has(cell))).toEqual([]);
  });
});
