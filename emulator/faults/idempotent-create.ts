// Faults of the idempotent-create category (CreateEnvironmentTemplate,
// CreateServiceTemplate, CreateEnvironment, CreateService: identity = name).
import { isDeepStrictEqual } from 'node:util';
import type { Fault, Params, PolicyOverride } from '../policy.ts';
import { validation } from '../protocol.ts';
import {
  NAME_OPERATIONS as NAME_OPS,
  checkThenInsertRaceFault,
  fault,
  inFlightMismatchFault,
  mintedIdentity,
  mismatchFaults,
} from './support.ts';

const UNMODIFIED = 'idempotent-create/unmodified-retry';
const MODIFIED = 'idempotent-create/modified-retry';
const DIFFERENT = 'idempotent-create/different-params';
const CONCURRENT = 'idempotent-create/concurrent-retries';

const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  CreateEnvironmentTemplate: ['name'],
  CreateServiceTemplate: ['name'],
  CreateEnvironment: ['name', 'templateName', 'templateMajorVersion', 'spec'],
  CreateService: ['name', 'templateName', 'templateMajorVersion', 'spec'],
};

/** Members of an Update that name the resource or say how to deploy, not what changes. */
const ADDRESSING = new Set(['name', 'deploymentType']);

/** The members an Update sets, besides those that name the resource. */
function updated(input: Params): string[] {
  return Object.keys(input).filter((member) => !ADDRESSING.has(member) && input[member] !== undefined);
}

/** An Update that changes only `member` does not count as a modification. */
function untracked(member: string): PolicyOverride {
  return (base) => ({
    countsAsModification: (operation, input) => {
      const members = updated(input);
      return !(members.length === 1 && members[0] === member) && base.countsAsModification(operation, input);
    },
  });
}

export const idempotentCreateFaults: Record<string, Fault> = {
  // --- unmodified-retry
  'name-retry-new-identity': fault(
    UNMODIFIED,
    'An identical retry of an unmodified resource answers its details under a freshly minted identity (a new ARN and creation ' +
      'time), though it creates nothing.',
    (base) => ({ retry: (facts) => (NAME_OPS.has(facts.operation) ? mintedIdentity(base.retry(facts)) : base.retry(facts)) }),
  ),
  'name-retry-recreates': fault(
    UNMODIFIED,
    'An identical retry creates the resource over again (an upsert): a new creation time, ' +
      'and for environments and services a new deployment.',
    (base) => ({ retry: (facts) => (NAME_OPS.has(facts.operation) ? facts.again() : base.retry(facts)) }),
  ),
  'name-always-modified': fault(
    UNMODIFIED,
    'Every existing resource counts as modified: an identical retry of an unmodified resource fails with ConflictException.',
    (base) => ({ isModified: (facts) => NAME_OPS.has(facts.operation) || base.isModified(facts) }),
  ),
  'name-progress-is-modification': fault(
    UNMODIFIED,
    'A resource counts as modified when its details differ from those its create answered: a deployment or creation that finished ' +
      '(a status that progressed) makes an identical retry fail with ConflictException.',
    (base) => ({
      isModified: (facts) =>
        base.isModified(facts) ||
        (NAME_OPS.has(facts.operation) &&
          facts.created !== undefined &&
          !isDeepStrictEqual(JSON.parse(JSON.stringify(facts.current())), JSON.parse(JSON.stringify(facts.created)))),
    }),
  ),

  // --- modified-retry
  'name-conflict-never': fault(
    MODIFIED,
    'Modifications are not tracked: an identical retry after an Update returns the resource instead of failing with ConflictException.',
    (base) => ({ createRetry: (facts) => base.createRetry({ ...facts, modified: false }) }),
  ),
  'name-conflict-as-validation': fault(
    MODIFIED,
    'An identical retry after an Update fails with ValidationException instead of ConflictException.',
    { conflictError: (_operation, detail) => validation(detail) },
  ),
  'name-description-not-tracked': fault(
    MODIFIED,
    'An Update that changes only the description does not count as a modification (other fields do): an identical retry after it ' +
      'returns the resource.',
    untracked('description'),
  ),
  'name-display-name-not-tracked': fault(
    MODIFIED,
    'An UpdateEnvironmentTemplate / UpdateServiceTemplate that changes only the display name does not count as a modification: an ' +
      'identical retry after it returns the template.',
    untracked('displayName'),
  ),

  // --- different-params
  ...mismatchFaults('name', DIFFERENT, NAME_OPS, REQUIRED, 'the name; the template, major version and spec'),

  // --- concurrent-retries
  'name-in-flight-mismatch': inFlightMismatchFault(
    CONCURRENT,
    NAME_OPS,
    'The name is reserved before the parameters are stored: an identical create arriving while the first is being created is ' +
      'answered with IdempotentParameterMismatch.',
    'the name',
  ),
  'name-race-already-exists': checkThenInsertRaceFault(
    CONCURRENT,
    NAME_OPS,
    'The name lookup and the insert are separated by a round trip to the store: identical creates sent at once all miss the name, ' +
      "and the losers hit the store's unique name and answer ValidationException (already exists).",
    'A resource with this name already exists',
  ),
};
