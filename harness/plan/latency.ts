// A target's latency, and a run sized by it (issue 17). Before the first
// cell, a few small reads measure the target's round trip. The rehearsal
// (harness/plan/plan.ts) counts the requests of every cell; each request costs
// about one round trip, most of a cell's requests follow one another, and
// cells run side by side: that is the cost model. The runs per property are
// then chosen so that the whole run fits its budget, and the cell timeout so
// that no cell of such a run runs out of time on a conforming target.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListEnvironmentTemplatesCommand } from '@aws-sdk/client-proton';
import type { Dispatcher } from 'undici';
import { createProtonClient } from '../client/client.ts';
import type { Credentials } from '../client/client.ts';
import { cellCredentials } from '../target/credentials.ts';

/** Round trips measured, after WARM_UP_REQUESTS that are not (the connection, the client's first calls). */
export const LATENCY_SAMPLES = 7;
export const WARM_UP_REQUESTS = 3;
/**
 * Below this latency a target is fast: the defaults stand, nothing is
 * rehearsed. The latency is the target's median round trip less the median
 * of the same read answered in this process (the baseline): a loopback
 * emulator answers in a millisecond, and a loaded machine adds tens to both.
 */
export const FAST_TARGET_MS = 30;
/** The default budget of a run sized by its target's latency. */
export const DEFAULT_BUDGET_MS = 5 * 60_000;
/** The share of the budget the estimate may fill (the rest absorbs a target slower than measured, and this machine's load). */
export const BUDGET_FILL = 0.75;
/** Runs per property never go below this, whatever the budget (the header then says the run will be over it). */
export const MIN_NUM_RUNS = 3;
/** This machine's own cost of a request (signing, recording, checking), milliseconds, on top of the round trip. */
export const CLIENT_MS_PER_REQUEST = 2;

export interface LatencyTarget {
  endpoint: string;
  region: string;
  pool: Dispatcher;
  accounts: boolean;
  credentials: Credentials | undefined;
}

/** Round trips to the target and, interleaved, to a server in this process (ms). */
export interface LatencySamples {
  target: number[];
  /** The same read answered at once by a server in this process: what this machine itself adds (signing, its load). */
  baseline: number[];
}

/**
 * The target's round trips (ms) of LATENCY_SAMPLES reads one after another
 * (ListEnvironmentTemplates, maxResults 1: nothing is changed), after
 * WARM_UP_REQUESTS that are not counted; an answer of any kind counts, the
 * time is the target's either way. Each is followed by the same read to a
 * server in this process that answers at once: the baseline, which a loaded
 * machine inflates as much as it inflates the target's times.
 */
export async function measureLatency(target: LatencyTarget, samples = LATENCY_SAMPLES): Promise<LatencySamples> {
  // With accounts, an account of the probe's own (cell index 0 of a run id no run has).
  const credentials = target.accounts ? cellCredentials('latency-probe', 0) : target.credentials;
  const local = createServer((_req, res) => {
    _req.resume();
    _req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0' });
      res.end('{"templates":[]}');
    });
  });
  await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
  const localUrl = `http://127.0.0.1:${(local.address() as AddressInfo).port}`;
  const clientAt = (endpoint: string) =>
    createProtonClient(
      { endpoint, region: target.region, credentials, pool: target.pool, sink: { record: () => undefined } },
      { maxAttempts: 1 },
    );
  const clients = [clientAt(target.endpoint), clientAt(localUrl)] as const;
  const times: LatencySamples = { target: [], baseline: [] };
  try {
    for (let i = 0; i < WARM_UP_REQUESTS + samples; i++) {
      for (const [n, client] of clients.entries()) {
        const started = performance.now();
        await client
          .send(new ListEnvironmentTemplatesCommand({ maxResults: 1 }), { abortSignal: AbortSignal.timeout(30_000) })
          .catch(() => undefined);
        if (i >= WARM_UP_REQUESTS) (n === 0 ? times.target : times.baseline).push(performance.now() - started);
      }
    }
  } finally {
    for (const client of clients) client.destroy();
    local.closeAllConnections();
    await new Promise<void>((resolve) => local.close(() => resolve()));
  }
  return times;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** What one cell cost in the rehearsal. */
export interface CellCost {
  /** Requests it sent (hooks included). */
  requests: number;
  /** Whether its count grows with the runs per property (a property check). */
  property: boolean;
  /** Real time it waits on the target's asynchronous steps, milliseconds (0 with a clock). */
  waitedMs: number;
}

export interface SizingInput {
  latencyMs: number;
  budgetMs: number;
  /** The runs per property the costs were rehearsed with. */
  rehearsedNumRuns: number;
  costs: readonly CellCost[];
  /** What the run would use without sizing; the user's own flags are applied after (sizedSettings). */
  defaults: { numRuns: number; concurrency: number; cellTimeoutS: number };
  /** The user's --num-runs or --concurrency: kept as given, and the estimate made with them. */
  given?: { numRuns?: number | undefined; concurrency?: number | undefined };
  /** A target on this machine: its cells wait on the network, not on its cores, so more may run at once. */
  local: boolean;
}

export interface Sizing {
  numRuns: number;
  concurrency: number;
  cellTimeoutS: number;
  /** The whole run's estimated time, milliseconds. */
  estimatedMs: number;
}

/** A cell's time at `numRuns` runs per property: its requests one after another, plus its waits. */
function cellMs(cost: CellCost, input: SizingInput, numRuns: number): number {
  const requests = cost.property ? (cost.requests * numRuns) / input.rehearsedNumRuns : cost.requests;
  return requests * (input.latencyMs + CLIENT_MS_PER_REQUEST) + cost.waitedMs;
}

/** The run's time: its cells spread over `concurrency` at once, and never less than its longest cell. */
export function estimateMs(input: SizingInput, numRuns: number, concurrency: number): number {
  const times = input.costs.map((cost) => cellMs(cost, input, numRuns));
  const total = times.reduce((sum, ms) => sum + ms, 0);
  return Math.round(Math.max(total / Math.max(1, concurrency), ...times, 0));
}

/**
 * The runs per property, the concurrency and the cell timeout of a run
 * against a target of this latency: the most runs (up to the default) whose
 * estimate fills at most BUDGET_FILL of the budget; twice the default
 * concurrency on this machine (the cells wait on the network); a cell timeout
 * of three times the longest cell's estimate and a minute, at least the default.
 */
export function sizeForLatency(input: SizingInput): Sizing {
  const cells = Math.max(1, input.costs.length);
  const concurrency =
    input.given?.concurrency ?? Math.min(cells, input.local ? 2 * input.defaults.concurrency : input.defaults.concurrency);
  let numRuns = input.given?.numRuns ?? input.defaults.numRuns;
  if (input.given?.numRuns === undefined) {
    const limit = BUDGET_FILL * input.budgetMs;
    while (numRuns > MIN_NUM_RUNS && estimateMs(input, numRuns, concurrency) > limit) numRuns--;
  }
  const longest = Math.max(0, ...input.costs.map((cost) => cellMs(cost, input, numRuns)));
  const cellTimeoutS = Math.max(input.defaults.cellTimeoutS, Math.ceil((3 * longest) / 1000) + 60);
  return { numRuns, concurrency, cellTimeoutS, estimatedMs: estimateMs(input, numRuns, concurrency) };
}
