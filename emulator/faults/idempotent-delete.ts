// Faults of the idempotent-delete category (DeleteEnvironmentTemplate,
// DeleteEnvironmentTemplateVersion, DeleteServiceTemplate,
// DeleteServiceTemplateVersion, DeleteEnvironmentAccountConnection).
import type { Fault, Sibling } from '../policy.ts';
import { notFound } from '../protocol.ts';
import { fault } from './support.ts';

const SUCCEEDS = 'idempotent-delete/retry-succeeds';
const NO_FURTHER = 'idempotent-delete/no-further-action';

/** Removes a sibling as a careless fallback would; one that may not go (ConflictException) stays. */
function tryRemove(sibling: Sibling): void {
  try {
    sibling.remove();
  } catch {
    // The fallback gives up on that one quietly.
  }
}

export const idempotentDeleteFaults: Record<string, Fault> = {
  // --- retry-succeeds
  'delete-retry-not-found': fault(
    SUCCEEDS,
    'A delete of a resource that is no longer there (a retry of a successful delete) answers ResourceNotFoundException.',
    {
      deleteRetry: () => {
        throw notFound('The resource was not found');
      },
    },
  ),
  'delete-remembered-by-type': fault(
    SUCCEEDS,
    'Deletions are remembered by resource type instead of identity: a retry answers the metadata of the latest deletion of that ' +
      "type, which may be another resource's.",
    { deletionKey: (identity) => identity.split('/')[0] ?? identity },
  ),
  'delete-retry-answers-sibling': fault(
    SUCCEEDS,
    "A delete of a resource that is no longer there falls back to the newest resource of its scope and answers that one's details.",
    (base) => ({
      deleteRetry: (facts) => {
        const newest = facts.siblings().at(-1);
        return newest === undefined ? base.deleteRetry(facts) : newest.answer();
      },
    }),
  ),

  // --- no-further-action
  'delete-retry-removes-sibling': fault(
    NO_FURTHER,
    'A delete of a resource that is no longer there falls back to the newest resource of its scope and deletes it (answering the ' +
      "deleted resource's metadata).",
    (base) => ({
      deleteRetry: (facts) => {
        const newest = facts.siblings().at(-1);
        if (newest !== undefined) tryRemove(newest);
        return base.deleteRetry(facts);
      },
    }),
  ),
  'delete-retry-cascades': fault(
    NO_FURTHER,
    "A delete of a resource that is no longer there deletes everything else of its kind in its scope (the template's other " +
      "versions, the account's other templates or connections).",
    (base) => ({
      deleteRetry: (facts) => {
        for (const sibling of facts.siblings()) tryRemove(sibling);
        return base.deleteRetry(facts);
      },
    }),
  ),
};
