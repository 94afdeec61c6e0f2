// The asynchronous transitions whose durations the emulator hooks control
// (docs/emulator-hooks.md "Durations"), as data: checks make the ones they do
// not observe instant and lengthen the one they watch.

/** A duration of docs/emulator-hooks.md that times an asynchronous transition. */
export type TransitionName =
  | 'templateVersionRegistration'
  | 'environmentDeployment'
  | 'environmentDeletion'
  | 'serviceCreation'
  | 'serviceUpdate'
  | 'serviceDeletion';

/** Every transition, with what it times. */
export const TRANSITIONS: Readonly<Record<TransitionName, string>> = {
  templateVersionRegistration: 'template version REGISTRATION_IN_PROGRESS -> DRAFT',
  environmentDeployment: 'environment IN_PROGRESS -> SUCCEEDED (create and update)',
  environmentDeletion: 'environment DELETE_IN_PROGRESS -> gone',
  serviceCreation: 'service CREATE_IN_PROGRESS -> ACTIVE',
  serviceUpdate: 'service UPDATE_IN_PROGRESS -> ACTIVE',
  serviceDeletion: 'service DELETE_IN_PROGRESS -> gone',
};

export const TRANSITION_NAMES = Object.keys(TRANSITIONS) as TransitionName[];

const MINUTE = 60_000;

/**
 * A real account's typical durations of the transitions, milliseconds:
 * estimates (Proton's documentation gives none; its waiters poll template
 * versions every 2 s and deployments every 5 s, which shows the scale).
 * Registration reads a bundle and takes seconds; every other transition runs
 * CloudFormation stacks and takes minutes. The emulator's `--durations
 * real/N` and the suite's `--expect-durations real/N` both start from these.
 */
export const TYPICAL_DURATIONS: Readonly<Record<TransitionName, number>> = Object.freeze({
  templateVersionRegistration: 10_000,
  environmentDeployment: 5 * MINUTE,
  environmentDeletion: 5 * MINUTE,
  serviceCreation: 10 * MINUTE,
  serviceUpdate: 5 * MINUTE,
  serviceDeletion: 5 * MINUTE,
});

/** Every transition at its typical duration divided by `divisor` (> 0), in whole milliseconds. */
export function typicalDurations(divisor: number): Record<TransitionName, number> {
  return Object.fromEntries(TRANSITION_NAMES.map((name) => [name, Math.round(TYPICAL_DURATIONS[name] / divisor)])) as Record<
    TransitionName,
    number
  >;
}

/**
 * `real/N` (every transition at its typical duration divided by N, a positive
 * number; `real` is real/1) and/or `name=ms` items, comma-separated, later
 * items winning. Throws an Error naming `flag` and the bad item.
 */
export function parseTransitionDurations(flag: string, text: string): Partial<Record<TransitionName, number>> {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new Error(`${flag}: empty (expected real/N or name=ms, comma-separated)`);
  let durations: Partial<Record<TransitionName, number>> = {};
  for (const item of items) {
    const real = /^real(?:\/(.*))?$/.exec(item);
    if (real !== null) {
      const divisor = real[1] === undefined ? 1 : Number(real[1]);
      if (!/^\d+(\.\d+)?$/.test(real[1] ?? '1') || !(divisor > 0))
        throw new Error(`${flag}: N of real/N must be a positive number, not "${real[1]}"`);
      durations = { ...durations, ...typicalDurations(divisor) };
      continue;
    }
    const pair = /^([A-Za-z]+)=(\d+)$/.exec(item);
    if (pair === null || !(TRANSITION_NAMES as string[]).includes(pair[1]!)) {
      throw new Error(`${flag}: unknown item "${item}" (expected real/N, or name=ms with name one of ${TRANSITION_NAMES.join(', ')})`);
    }
    durations[pair[1] as TransitionName] = Number(pair[2]);
  }
  return durations;
}

/** Durations as `name=ms` items (what parseTransitionDurations reads with ','), joined by `separator`. */
export function formatTransitionDurations(durations: Readonly<Record<string, number>>, separator = ','): string {
  return Object.entries(durations)
    .map(([name, ms]) => `${name}=${ms}`)
    .join(separator);
}
