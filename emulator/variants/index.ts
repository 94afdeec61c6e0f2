// Conforming variants (issue 4): behaviours the contract allows but the
// defaults do not show. The suite must pass on every one of them
// (`npm run mutation`); emulator/faults/README.md lists them.
import type { Durations } from '../durations.ts';
import type { Variant } from '../policy.ts';
import { ApiError, conflict, validation } from '../protocol.ts';
import { seeded } from '../random.ts';

const TRANSITIONS = [
  'templateVersionRegistration',
  'environmentDeployment',
  'environmentDeletion',
  'serviceCreation',
  'serviceUpdate',
  'serviceDeletion',
] as const;

function transitions(ms: number): Partial<Durations> {
  return Object.fromEntries(TRANSITIONS.map((name) => [name, ms]));
}

/** Without the durations hook the suite can't shorten the transitions: it meets them as a real service has them. */
const withoutDurationsHook = { offersHook: (capability: string) => capability !== 'durations' };

export const JITTER_MAX_MS = 12;
const JITTER_SEED = 0x5eed;

export const VARIANT_CATALOGUE: Readonly<Record<string, Variant>> = Object.freeze({
  'progressing-status': {
    description:
      'Asynchronous steps take 2 s (virtual) and the suite cannot shorten them (no durations hook): originals answer IN_PROGRESS ' +
      '/ REGISTRATION_IN_PROGRESS, later retries the progressed status.',
    policy: withoutDurationsHook,
    durations: transitions(2_000),
  },
  'slow-async': {
    description:
      'Asynchronous steps take 30 min (virtual), far beyond the defaults, and the suite cannot shorten them (no durations hook).',
    policy: withoutDurationsHook,
    durations: transitions(30 * 60_000),
  },
  'fast-async': {
    description:
      'Asynchronous steps end at once (0 ms) and the suite cannot lengthen them (no durations hook): a deletion is over before a ' +
      'retry can see it in progress (inconclusive, not a failure).',
    policy: withoutDurationsHook,
    durations: transitions(0),
  },
  'forgets-deletions-quickly': {
    description:
      "A deleted resource's metadata is forgotten 1 s (virtual) after the deletion: later delete retries answer an empty response.",
    durations: { deletedMetadataRetention: 1_000 },
  },
  'forgets-deletions-at-once': {
    description: "A deleted resource's metadata is not kept at all: every delete retry answers an empty response (a SHOULD, not a MUST).",
    durations: { deletedMetadataRetention: 0 },
  },
  'latency-jitter': {
    description:
      `Every API request waits 0 to ${JITTER_MAX_MS} ms (real, from a generator seeded with a constant) before it is handled, so ` +
      'concurrent requests arrive in shuffled order.',
    policy: () => {
      const next = seeded(JITTER_SEED);
      return { latency: () => Math.floor(next() * (JITTER_MAX_MS + 1)) };
    },
  },
  'camel-case-mismatch': {
    description:
      "A retry with different parameters is answered with a ValidationException whose message starts with the seed's word, " +
      'IdempotentParameterMismatch, instead of the service\'s "Idempotent parameter mismatch".',
    policy: {
      mismatchError: (_operation, detail) => validation(`IdempotentParameterMismatch: ${detail}`),
    },
  },
  'reworded-errors': {
    description:
      'Mismatch and conflict messages are worded otherwise; the mismatch message carries the marker as ' +
      'idempotent_parameter_mismatch in its middle, not as a prefix.',
    policy: {
      mismatchError: (operation, detail) =>
        validation(`${operation} refused: the parameters differ from the original request's (idempotent_parameter_mismatch). ${detail}.`),
      conflictError: (operation, detail) => conflict(`${operation} can't be retried now. Reason: ${detail}.`),
    },
  },
  'coral-validation-namespace': {
    description:
      "Mismatch errors carry the __type namespace of AWS's Coral validation layer (com.amazon.coral.validate#ValidationException) " +
      "instead of Proton's; the message and everything else as the reference's.",
    policy: (base) => ({
      mismatchError: (operation, detail) => {
        const error = base.mismatchError(operation, detail);
        return new ApiError(error.type, error.message, error.status, 'com.amazon.coral.validate');
      },
    }),
  },
  'conflict-before-mismatch': {
    description:
      'A create retry on a modified resource is answered with ConflictException even when its parameters also differ (the seed is ' +
      'silent on which error wins).',
    policy: {
      createRetry: ({ sameParameters, modified, deleting }) =>
        modified || deleting ? 'conflict' : sameParameters ? 'original' : 'mismatch',
    },
  },
  'deleted-original-mismatch': {
    description:
      "A retry with different parameters whose token's original was deleted is answered with IdempotentParameterMismatch instead " +
      'of creating (the seed is silent).',
    policy: (base) => ({
      originalGone: (operation, record, sameParameters) => {
        if (!sameParameters) throw base.mismatchError(operation, 'the client token was first used with different parameters');
        return base.originalGone(operation, record, sameParameters);
      },
    }),
  },
  // Weather (issue 11): presets of the emulator's `weather` option. Not
  // subjects of the mutation analysis of their own: `npm run mutation --
  // --weather NAME` adds them to every fault and variant.
  throttling: {
    description:
      'Ten percent of API requests (reads too) are answered ThrottlingException before their input is read or checked (nothing is ' +
      "done), from a generator of the emulator's seed (transient: a retry may pass).",
    weather: { throttle: 0.1 },
  },
  'errors-after-acting': {
    description:
      "Twenty percent of the contract's creates and deletes are carried out in full and then answered InternalServerException " +
      '(HTTP 500) instead of their result; the state stays, and a same-token or same-name retry gets the original.',
    weather: { errorAfter: 0.2 },
  },
  'slow-mutations': {
    description:
      'Every create and delete waits 15 ms (real) before it is handled, and finishes what it started when its client has gone ' +
      'away meanwhile (a closed connection changes nothing): ' +
      'a proxy that drops the client while the target works meets it still working.',
    policy: (base) => ({ latency: (operation) => (/^(Create|Delete)/.test(operation) ? 15 : base.latency(operation)) }),
  },
  'offset-paging': {
    description:
      'Lists page by offset, at most 10 items a page whatever maxResults asks: a nextToken carries the position of the next item, ' +
      'so an item created or deleted before it by another client between two pages makes a paged List repeat or skip one (as many ' +
      "services page; the contract promises nothing about a List's consistency).",
    policy: { paging: () => ({ by: 'offset' as const, maxPage: 10 }) },
  },
  'lists-major-versions': {
    description:
      'List*TemplateVersions without majorVersion answers one summary per major version, that of its highest minor version (the ' +
      'API reference: "To view a list of major versions ..., exclude majorVersion"; which minor stands for a major it leaves open); ' +
      "with majorVersion, every minor version of that major, as the reference's.",
    policy: { versionsListed: () => 'majors' as const },
  },
  'replays-original-response': {
    description:
      'A retry that finds its original answers the response the original request got, as it was then (statuses not brought up to date).',
    policy: (base) => ({ retry: (facts) => facts.stored ?? base.retry(facts) }),
  },
});
