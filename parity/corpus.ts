// The parity corpus (issue 22): seeded, deterministic request sequences over
// every operation the reference emulator implements, built from the model
// (specs/schemas/) and the suite's own valid inputs (specs/values.ts,
// specs/prerequisites.ts, specs/operations/). The parts are in parity/corpus/:
//
//   invalid.ts      one sequence per operation per kind of invalid input its model has
//   templates.ts    templates and versions of both kinds
//   deployments.ts  environments and services
//   connections.ts  environment account connections
//   tags.ts         tags
//
// How a runner reads a sequence (parity/types.ts):
// - `steps` in order, then `cleanup` (answers not compared).
// - `from`: input members a target chose earlier (ids, ARNs, nextTokens), read
//   from that target's own answer to steps[from.step] at a dotted path.
// - `settle`: before the step, every asynchronous transition the targets
//   started must be over: a version's registration (Create*TemplateVersion),
//   a deployment (CreateEnvironment, UpdateEnvironment but deploymentType
//   NONE, CreateService, UpdateService with a spec), a deletion
//   (DeleteEnvironment, DeleteService). A step without it is sent at once, so
//   what it sees in progress (REGISTRATION_IN_PROGRESS, IN_PROGRESS,
//   DELETE_IN_PROGRESS) is part of the comparison.
// - Names (`parity<tag>-<hint>-<n>`) and client tokens come from the seed, so
//   both targets get the same; the tag keeps two seeds' names apart.
// - A sequence leaves nothing behind on a conforming target once its cleanup
//   ran, so Lists over the whole account see only the sequence's own resources
//   when the sequences run one after another in one account.
import type { ParitySequence } from './types.ts';
import { type CorpusContext, Names, Random } from './corpus/builder.ts';
import { connectionSequences } from './corpus/connections.ts';
import { deploymentSequences } from './corpus/deployments.ts';
import { invalidSequences, validInputs } from './corpus/invalid.ts';
import { tagSequences } from './corpus/tags.ts';
import { templateSequences } from './corpus/templates.ts';

export { expectedOutcome, intentKind, parseInvalidIntent } from './corpus/intents.ts';
export { PARITY_NAME_PREFIX } from './corpus/builder.ts';

export interface CorpusOptions {
  seed: number;
}

export interface CorpusSize {
  /** Distinct operations the sequences' steps send. */
  operations: number;
  sequences: number;
  /** Steps and cleanup steps. */
  requests: number;
}

/** The operations the corpus covers: every one the reference emulator implements (test/parity/corpus.test.ts). */
export function corpusOperations(): string[] {
  const ctx: CorpusContext = { seed: 0, random: new Random(0), names: new Names(0) };
  return Object.keys(validInputs(ctx)).sort();
}

/** The corpus of a seed: the same seed gives the same sequences, names and values. */
export function buildCorpus({ seed }: CorpusOptions): ParitySequence[] {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`the parity corpus needs an integer seed, not ${seed}`);
  const ctx: CorpusContext = { seed, random: new Random(seed), names: new Names(seed) };
  const sequences = [
    ...templateSequences(ctx),
    ...deploymentSequences(ctx),
    ...connectionSequences(ctx),
    ...tagSequences(ctx),
    ...invalidSequences(ctx, corpusOperations()),
  ];
  const ids = new Set<string>();
  for (const sequence of sequences) {
    if (ids.has(sequence.id)) throw new Error(`parity corpus: two sequences named ${sequence.id}`);
    ids.add(sequence.id);
  }
  return sequences;
}

export function describeCorpus(corpus: readonly ParitySequence[]): CorpusSize {
  const operations = new Set(corpus.flatMap((sequence) => sequence.steps.map((step) => step.operation)));
  const requests = corpus.reduce((sum, sequence) => sum + sequence.steps.length + sequence.cleanup.length, 0);
  return { operations: operations.size, sequences: corpus.length, requests };
}
