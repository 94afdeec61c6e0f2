// `proton-conformance parity` as a function (issue 22, docs/parity.md): the
// three ways it runs, each one drive of the corpus (run.ts) and one report.
// - compare: --reference embedded|URL --candidate URL;
// - record: --reference embedded|URL --record DIR (the reference's answers as a snapshot);
// - snapshot: --snapshot DIR --candidate URL (the candidate against a recorded snapshot, no reference running).
import { UsageError } from '../harness/errors.ts';
import { toolVersion } from '../harness/run/invocation.ts';
import { startEmbedded, type EmbeddedEmulator, type EmbeddedOptions } from '../harness/target/embedded.ts';
import { createPool } from '../harness/target/http.ts';
import { probeHooks } from '../harness/target/probe.ts';
import { compareAnswers, IgnoreList } from './compare.ts';
import { withoutTimestampIdentity } from './normalise.ts';
import type { CorpusSize, ParityReport, Skipped, Unjudged } from './report.ts';
import { parityRegion, resolveParityEndpoint } from './targets.ts';
import { driveSequences, type ParityEndpoint, type SequenceRun, type StepAnswer } from './run.ts';
import { readSnapshot, SNAPSHOT_FORMAT, writeSnapshot, type SnapshotFile } from './snapshot.ts';
import type { ParityAnswer, ParityDifference, ParitySequence } from './types.ts';

export interface ParityOptions {
  /** 'embedded' (the reference emulator in this process) or a URL. */
  reference?: string;
  candidate?: string;
  /** Compare the candidate with this snapshot directory (no reference). */
  snapshot?: string;
  /** Write the reference's answers to this directory (no candidate). */
  record?: string;
  seed: number;
  ignore?: readonly string[];
  /** The corpus builder: the seeded corpus of parity/corpus.ts unless a test hands its own. */
  corpus: (seed: number) => readonly ParitySequence[];
  /** What the embedded reference is started with (tests: a variant). */
  embedded?: EmbeddedOptions;
  /** The region both targets are signed for (default: the standard chain's, else us-east-1 where no target may be a real account). */
  region?: string;
  /**
   * --allow-real-account: a target URL that may be a real account (not on loopback, or PROTON_CONFORMANCE_TREAT_AS_REMOTE
   * set, and not an emulator) is compared all the same; without it, refused (UsageError) before anything but the probe is sent.
   */
  allowRealAccount?: boolean;
  /** The environment the interlock reads (tests); default process.env. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Sends of one request through weather at most (tests; default send.ts WEATHER_ATTEMPTS). */
  weatherAttempts?: number;
  /** A line of progress (the CLI: stderr). */
  progress?: (line: string) => void;
}

/** Operations, sequences and requests of a corpus (cleanups included). */
export function corpusSize(corpus: readonly ParitySequence[]): CorpusSize {
  const operations = new Set<string>();
  let requests = 0;
  for (const sequence of corpus) {
    for (const step of [...sequence.steps, ...sequence.cleanup]) operations.add(step.operation);
    requests += sequence.steps.length + sequence.cleanup.length;
  }
  return { operations: operations.size, sequences: corpus.length, requests };
}

type Mode = 'compare' | 'record' | 'snapshot';

function modeOf(options: ParityOptions): Mode {
  if (options.snapshot !== undefined) {
    if (options.reference !== undefined)
      throw new UsageError('parity: --snapshot compares with a recorded reference; leave --reference out');
    if (options.record !== undefined) throw new UsageError('parity: --snapshot and --record go apart');
    if (options.candidate === undefined) throw new UsageError('parity: --snapshot DIR needs --candidate URL');
    return 'snapshot';
  }
  if (options.reference === undefined) throw new UsageError('parity: give --reference embedded|URL (or --snapshot DIR)');
  if (options.record !== undefined) {
    if (options.candidate !== undefined) throw new UsageError('parity: --record writes the reference only; leave --candidate out');
    return 'record';
  }
  if (options.candidate === undefined) throw new UsageError('parity: give --candidate URL (or --record DIR)');
  return 'compare';
}

/** The reference and the candidate, in that order, as the mode has them: URLs probed and held to the interlock first. */
async function endpointsOf(mode: Mode, options: ParityOptions): Promise<{ endpoints: ParityEndpoint[]; embedded?: EmbeddedEmulator }> {
  const given = { allowRealAccount: options.allowRealAccount ?? false, ...(options.env ? { env: options.env } : {}) };
  const reference =
    mode === 'snapshot' || options.reference === 'embedded'
      ? undefined
      : await resolveParityEndpoint('reference', options.reference!, '--reference', given);
  const candidate = mode === 'record' ? undefined : await resolveParityEndpoint('candidate', options.candidate!, '--candidate', given);
  let embedded: EmbeddedEmulator | undefined;
  if (mode !== 'snapshot' && options.reference === 'embedded') embedded = await startEmbedded(undefined, options.embedded ?? {});
  const first =
    embedded === undefined ? reference : { label: 'reference', url: embedded.url, hooks: (await probeHooks(embedded.url)).hooks };
  const endpoints = [first, candidate].filter((endpoint) => endpoint !== undefined);
  return { endpoints, ...(embedded === undefined ? {} : { embedded }) };
}

/**
 * After a step one target never answered, what it did is unknown (a create may
 * have been carried out or not), so the rest of the sequence is not compared
 * either: its steps are unjudged, with the step that made them so.
 */
function unjudgedAfter(sequence: ParitySequence, step: number, out: { unjudged: Unjudged[] }): void {
  for (let later = step + 1; later < sequence.steps.length; later++) {
    const reason = `after step ${step + 1}, which was not answered, the targets' states may differ`;
    out.unjudged.push({ operation: sequence.steps[later]!.operation, sequence: sequence.id, step: later, reason });
  }
}

/** Compares a step's two answers; false when one target never answered it (the weather): then it is unjudged. */
function judge(
  sequence: ParitySequence,
  step: number,
  pair: [StepAnswer, StepAnswer],
  identity: boolean,
  out: { differences: ParityDifference[]; unjudged: Unjudged[] },
): boolean {
  const operation = sequence.steps[step]!.operation;
  const [a, b] = pair;
  if (a.answer === undefined || b.answer === undefined) {
    const why = (side: StepAnswer) => side.withheld ?? side.weather;
    const reason = [why(a) && `reference: ${why(a)}`, why(b) && `candidate: ${why(b)}`].filter(Boolean).join('; ');
    out.unjudged.push({ operation, sequence: sequence.id, step, reason });
    return false;
  }
  const shown = (answer: ParityAnswer): ParityAnswer => (identity ? answer : (withoutTimestampIdentity(answer) as ParityAnswer));
  out.differences.push(...compareAnswers(shown(a.answer), shown(b.answer), { operation, sequence: sequence.id, step }));
  return true;
}

export async function runParity(options: ParityOptions): Promise<ParityReport> {
  const mode = modeOf(options);
  let ignore: IgnoreList;
  try {
    ignore = new IgnoreList(options.ignore ?? []);
  } catch (error) {
    throw new UsageError(`parity: --ignore: ${(error as Error).message}`);
  }
  const startedAt = new Date();
  const started = performance.now();
  const snapshot = mode === 'snapshot' ? await readSnapshot(options.snapshot!) : undefined;
  const corpus = snapshot?.map((file) => file.sequence) ?? options.corpus(options.seed);
  let embedded: EmbeddedEmulator | undefined;
  const pool = createPool({ connections: 16 });
  try {
    const resolved = await endpointsOf(mode, options);
    embedded = resolved.embedded;
    const endpoints = resolved.endpoints;
    const region = await parityRegion(options.region, endpoints);
    let lastNote = performance.now();
    const drive = await driveSequences({
      corpus,
      endpoints,
      pool,
      region,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.weatherAttempts === undefined ? {} : { weatherAttempts: options.weatherAttempts }),
      onSequence: (_run, done, total) => {
        if (performance.now() - lastNote < 2_000 && done < total) return;
        lastNote = performance.now();
        options.progress?.(`parity: ${done}/${total} sequences`);
      },
    });
    const found = { differences: [] as ParityDifference[], unjudged: [] as Unjudged[], skipped: [] as Skipped[] };
    drive.runs.forEach((run, index) => {
      const file = snapshot?.[index];
      const reference = file?.answers ?? run.answers[0]!;
      const candidate = mode === 'record' ? undefined : run.answers[endpoints.length - 1]!;
      const identity = drive.clock && (file?.clock ?? true);
      const skipped = run.skipped ?? file?.skipped ?? undefined;
      if (skipped !== undefined) {
        found.skipped.push({ sequence: run.sequence.id, reason: run.skipped === undefined ? `when recorded: ${skipped}` : skipped });
        return;
      }
      if (candidate !== undefined) {
        for (let step = 0; step < run.sequence.steps.length; step++) {
          const pair: [StepAnswer, StepAnswer] = [reference[step] ?? { weather: 'not in the snapshot' }, candidate[step]!];
          if (!judge(run.sequence, step, pair, identity, found)) {
            unjudgedAfter(run.sequence, step, found);
            break;
          }
        }
      }
    });
    if (mode === 'record')
      await writeSnapshot(
        options.record!,
        drive.runs.map((run) => snapshotFile(run, options, drive.clock, startedAt)),
      );
    const { counted, ignored } = ignore.split(found.differences);
    const requests = drive.requests;
    return {
      tool: { name: 'proton-conformance', version: toolVersion() },
      startedAt: startedAt.toISOString(),
      reference: mode === 'snapshot' ? `snapshot ${options.snapshot}` : options.reference!,
      ...(options.candidate === undefined ? {} : { candidate: options.candidate }),
      seed: options.seed,
      mode: drive.clock ? 'clock' : 'poll',
      corpus: corpusSize(corpus),
      requestsSent: mode === 'snapshot' ? { candidate: requests[0]! } : { reference: requests[0]!, candidate: requests[1] },
      wallMs: performance.now() - started,
      differences: counted,
      ignored: { paths: [...ignore.texts], differences: ignored.length },
      unjudged: found.unjudged,
      skipped: found.skipped,
      unsettled: drive.runs.flatMap((run) => run.unsettled.map((item) => `${run.sequence.id}: ${item}`)),
      ...(mode === 'record' ? { recorded: { dir: options.record!, files: drive.runs.length } } : {}),
    };
  } finally {
    await pool.close();
    await embedded?.close();
  }
}

function snapshotFile(run: SequenceRun, options: ParityOptions, clock: boolean, at: Date): SnapshotFile {
  return {
    format: SNAPSHOT_FORMAT,
    suiteVersion: toolVersion(),
    recordedAt: at.toISOString(),
    reference: options.reference!,
    seed: options.seed,
    clock,
    sequence: run.sequence,
    answers: run.answers[0]!,
    ...(run.skipped === undefined ? {} : { skipped: run.skipped }),
  };
}
