// What a run says before its first cell (the header: the target, the seed,
// the cells, the settings, the latency, the plan, the shard) and what it
// records of how it was made (the report's settings and selection fields).
import { DEFAULT_WEATHER_BUDGET } from '../client/weather.ts';
import { planLine } from '../plan/plan.ts';
import { latencyLine } from '../plan/sizing.ts';
import type { RunSizing } from '../plan/sizing.ts';
import type { Selection } from '../run/select.ts';
import type { ShardInfo } from '../run/shard.ts';
import { isRemoteEndpoint } from '../safety/interlock.ts';
import type { Target } from '../target/target.ts';
import type { RunRequest } from './request.ts';

/** The settings a sized run was given (harness/plan/sizing.ts sizedSettings). */
export interface ChosenSettings {
  numRuns: number;
  concurrency: number;
  cellTimeoutMs: number;
}

/** The header's lines, in order. */
export function headerLines(
  target: Target,
  seed: number,
  request: RunRequest,
  run: { selection: Selection; sizing: RunSizing; settings: ChosenSettings; shard: ShardInfo | undefined },
): string[] {
  const { selection, sizing, settings, shard } = run;
  const where = target.embedded
    ? 'embedded emulator'
    : `from ${target.source}${offLoopbackEmulator(target, request) ? '; an emulator: it answers the hooks protocol' : ''}`;
  const hooks = [...target.capabilities, ...(target.accounts ? ['accounts'] : [])];
  const runs = sizing.numRuns;
  const lines = [
    `proton-conformance: target ${target.endpoint} (${where}; hooks: ${hooks.length ? hooks.join(', ') : 'none'}; region ${target.region}` +
      `${target.regionDefaulted ? ', none configured: the default for an emulator' : ''})`,
    `seed ${seed} (${repeatsText(seed, request)}), ${runs} run${runs === 1 ? '' : 's'} per property, ${cellsText(selection)}`,
    settingsText(settings, request, target, sizing.latency?.sizedBy === 'latency'),
  ];
  if (request.rerunFailed !== undefined) lines.push(rerunText(request.rerunFailed, selection));
  if (sizing.latency) lines.push(latencyLine(sizing.latency, settings));
  if (sizing.plan) lines.push(planLine(sizing.plan));
  if (shard)
    lines.push(
      `shard ${shard.index}/${shard.count}: ${shard.cells} of the ${shard.totalCells} cells selected (join the shards' --json ` +
        'reports with proton-conformance merge)',
    );
  return lines;
}

/** What repeats this run: --seed, or for --rerun-failed the same flag on the same report (its cells, seed and replay paths). */
function repeatsText(seed: number, request: RunRequest): string {
  return request.rerunFailed === undefined
    ? `--seed ${seed} repeats this run`
    : `the seed of ${request.rerunFailed}; --rerun-failed ${request.rerunFailed} repeats this run: its cells, seed and replay paths`;
}

/** One way of counting (the summary's): cells are rule x operation checks; the harness rules judge every operation they call besides. */
function cellsText(selection: Selection): string {
  const count = selection.cells.length;
  const cells = `${count} cell${count === 1 ? '' : 's'}`;
  const checked = selection.exerciseOnly ? `${cells} run to exercise the operations` : cells;
  const they = count === 1 ? 'it calls' : 'they call';
  return selection.harnessRules.length > 0
    ? `${checked} (plus ${selection.harnessRules.map((r) => r.id).join(', ')} on every operation ${they})`
    : checked;
}

/** --rerun-failed: whose cells these are, and how many replay a shrunk property case alone. */
function rerunText(file: string, selection: Selection): string {
  const replays = selection.cells.filter((cell) => cell.path !== undefined).length;
  const what = selection.exerciseOnly ? 'the operations whose responses broke the shape rule' : 'the cells that did not pass';
  return `rerun of ${file}: ${what}, with its seed${replays > 0 ? `; ${replays} replay their shrunk property case alone` : ''}`;
}

/** An emulator the interlock would have taken for a real account, had it not answered the hooks protocol. */
function offLoopbackEmulator(target: Target, request: RunRequest): boolean {
  return target.emulator && !target.embedded && isRemoteEndpoint(target.endpoint, request.env ? { env: request.env } : {});
}

/** The settings line of the header: what was chosen for this target (flags win). */
function settingsText(settings: ChosenSettings, request: RunRequest, target: Target, byLatency: boolean): string {
  const defaulted = request.concurrency === undefined || request.cellTimeout === undefined;
  const kind = target.remote ? 'a remote target' : offLoopbackEmulator(target, request) ? 'an emulator' : 'a target on this machine';
  const chosen = byLatency ? "sized by the target's latency" : `defaults for ${kind}`;
  return (
    `concurrency ${settings.concurrency}, cell timeout ${settings.cellTimeoutMs / 1000} s` +
    `${defaulted ? ` (${chosen}; --concurrency and --cell-timeout change them)` : ''}`
  );
}

/**
 * Flags of this run that change a cell's outcome, for the printed rerun and
 * replay commands (the seed, runs, endpoint and path are added there).
 */
export function outcomeFlags(request: RunRequest, target: Target): string[] {
  const flags: string[] = [];
  if (request.cellTimeout !== undefined) flags.push('--cell-timeout', String(request.cellTimeout));
  if (target.remote) flags.push('--allow-real-account');
  if (request.account !== undefined) flags.push('--account', request.account);
  return flags;
}

/** The report's record of how the run was made (settings in force, defaults resolved). */
export function runSettings(
  request: RunRequest,
  chosen: { seed: number; settings: ChosenSettings; cleanup: boolean },
): Record<string, unknown> {
  return {
    rules: request.rules ?? null,
    operations: request.operations ?? null,
    seed: chosen.seed,
    // Given with --seed (merge refuses shards with a random seed each).
    seedGiven: request.seed !== undefined,
    numRuns: chosen.settings.numRuns,
    path: request.path ?? null,
    concurrency: chosen.settings.concurrency,
    cellTimeoutMs: Math.round(chosen.settings.cellTimeoutMs),
    cleanupTimeoutMs: chosen.cleanup ? Math.round((request.cleanupTimeout ?? 300) * 1000) : null,
    weather: { ...DEFAULT_WEATHER_BUDGET },
    ...(request.failOn !== undefined && request.failOn.length > 0 ? { failOn: [...request.failOn] } : {}),
  };
}

/** The report's record of the cells run. */
export function selectionFields(selection: Selection): { cells: number; rules: string[]; operations: string[] } {
  return {
    cells: selection.cells.length,
    rules: [...new Set(selection.cells.map((c) => c.rule.id))],
    operations: [...new Set(selection.cells.map((c) => c.operation))],
  };
}
