// Durations (virtual milliseconds) of the asynchronous transitions, by the
// names of docs/emulator-hooks.md. Defaults suit a person trying the emulator
// by hand: a few seconds for each step, hours for remembered deletions.
import { TYPICAL_DURATIONS, typicalDurations } from '../specs/transitions.ts';

export interface Durations {
  /** template version REGISTRATION_IN_PROGRESS -> DRAFT */
  templateVersionRegistration: number;
  /** environment IN_PROGRESS -> SUCCEEDED (create and update) */
  environmentDeployment: number;
  /** environment DELETE_IN_PROGRESS -> gone */
  environmentDeletion: number;
  /** service CREATE_IN_PROGRESS -> ACTIVE */
  serviceCreation: number;
  /** service UPDATE_IN_PROGRESS -> ACTIVE */
  serviceUpdate: number;
  /** service DELETE_IN_PROGRESS -> gone */
  serviceDeletion: number;
  /** how long a deleted resource's metadata is still returned by a delete retry */
  deletedMetadataRetention: number;
}

export const DEFAULT_DURATIONS: Readonly<Durations> = Object.freeze({
  templateVersionRegistration: 2_000,
  environmentDeployment: 3_000,
  environmentDeletion: 3_000,
  serviceCreation: 3_000,
  serviceUpdate: 3_000,
  serviceDeletion: 3_000,
  deletedMetadataRetention: 6 * 60 * 60 * 1000,
});

export const DURATION_NAMES = Object.keys(DEFAULT_DURATIONS) as (keyof Durations)[];

/** The asynchronous transitions (every duration but the retention of deleted metadata). */
export const TRANSITION_NAMES = DURATION_NAMES.filter((name) => name !== 'deletedMetadataRetention');

/**
 * A real account's typical durations of the transitions (README "Real
 * durations": estimates; the documentation gives none): the contract's data,
 * in specs/transitions.ts, which the suite's plan reads too.
 */
export const REAL_DURATIONS = TYPICAL_DURATIONS;

/** Every transition at a real account's typical duration divided by `divisor` (> 0), in whole milliseconds. */
export function realDurations(divisor: number): Partial<Durations> {
  return typicalDurations(divisor);
}

function isDurationName(name: string): name is keyof Durations {
  return Object.hasOwn(DEFAULT_DURATIONS, name);
}

/**
 * Checks a partial map of durations (from options or the hooks); returns the
 * problem in one sentence, or undefined when every entry is a known name with
 * a finite number of milliseconds >= 0.
 */
export function durationsProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'durations must be an object of {name: milliseconds}';
  }
  for (const [name, ms] of Object.entries(value)) {
    if (!isDurationName(name)) return `unknown duration "${name}" (known: ${DURATION_NAMES.join(', ')})`;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      return `duration "${name}" must be a finite number of milliseconds >= 0`;
    }
  }
  return undefined;
}
