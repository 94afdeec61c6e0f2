// Faults of the async-delete category (DeleteEnvironment, DeleteService).
import type { Fault, Output } from '../policy.ts';
import { conflict, notFound } from '../protocol.ts';
import { fault } from './support.ts';

const IN_PROGRESS = 'async-delete/retry-in-progress';
const COMPLETE = 'async-delete/retry-after-complete';

/** The status a resource showed before its deletion started (what a stale cache still holds). */
function beforeDeletion(answer: Output): Output {
  const out: Output = { ...answer };
  const environment = answer['environment'] as Record<string, unknown> | undefined;
  if (environment !== undefined) out['environment'] = { ...environment, deploymentStatus: 'SUCCEEDED' };
  const service = answer['service'] as Record<string, unknown> | undefined;
  if (service !== undefined) out['service'] = { ...service, status: 'ACTIVE' };
  return out;
}

export const asyncDeleteFaults: Record<string, Fault> = {
  // --- retry-in-progress
  'async-retry-empty': fault(
    IN_PROGRESS,
    'A retry while the deletion is in progress answers an empty response instead of the resource details.',
    {
      asyncDeleteRetry: () => ({}),
    },
  ),
  'async-retry-stale-status': fault(
    IN_PROGRESS,
    'A retry while the deletion is in progress answers the details as they were before the deletion (SUCCEEDED / ACTIVE) instead ' +
      'of DELETE_IN_PROGRESS.',
    { asyncDeleteRetry: (deletion) => beforeDeletion(deletion.view()) },
  ),
  'async-retry-conflict': fault(
    IN_PROGRESS,
    'A retry while the deletion is in progress fails with ConflictException (already being deleted).',
    {
      asyncDeleteRetry: () => {
        throw conflict('The resource is already being deleted');
      },
    },
  ),
  'async-retry-not-found': fault(IN_PROGRESS, 'A retry while the deletion is in progress fails with ResourceNotFoundException.', {
    asyncDeleteRetry: () => {
      throw notFound('The resource was not found');
    },
  }),
  'async-retry-restarts': fault(
    IN_PROGRESS,
    'A retry while the deletion is in progress starts the deletion over: it ends later than the original delete announced.',
    {
      asyncDeleteRetry: (deletion) => {
        deletion.restart();
        return deletion.view();
      },
    },
  ),

  // --- retry-after-complete
  'async-complete-not-found': fault(
    COMPLETE,
    'A retry once the deletion is complete fails with ResourceNotFoundException instead of an empty response.',
    {
      asyncDeleteAbsent: () => {
        throw notFound('The resource was not found');
      },
    },
  ),
  'async-complete-conflict': fault(
    COMPLETE,
    'A retry once the deletion is complete fails with ConflictException (already deleted) instead of an empty response.',
    {
      asyncDeleteAbsent: () => {
        throw conflict('The resource was already deleted');
      },
    },
  ),
};
