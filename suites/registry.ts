// The checks of every rule, by rule id: what the runner calls for each cell
// (rule x operation). Scenario and property parts of a rule run in order in
// the same cell; the first that does not pass decides. shape/responses-match-model
// has no check here: the harness validates every recorded response. The table
// is typed by the rules' ids (specs/rules.ts): a rule that a scenario or a
// property checks but that has no check here, or a check of an id no such
// rule has, does not compile.
import type { CheckContext } from '../harness/run/context.ts';
import type { Outcome } from '../harness/types.ts';
import type { ScenarioOrPropertyRuleId } from '../specs/rules.ts';
import type { CreateOperationSpec, DeleteOperationSpec, OperationSpec } from '../specs/types.ts';
import { withListWeather } from './lib/evidence.ts';
import { allOf, verdictOf } from './lib/verdict.ts';
import { caseSensitiveProperty, expiryProperty, formatProperty } from './properties/client-token.ts';
import { differentParamsProperty, identicalRetryProperty } from './properties/create-retries.ts';
import { exactResourceCountProperty } from './properties/general.ts';
import { retryAfterComplete, retryInProgress } from './scenarios/async-delete.ts';
import { expiry, formatEdges, retryAfterDelete, sdkDefault } from './scenarios/client-token.ts';
import { concurrentRequests, differentParameters, identicalRetry } from './scenarios/create-retries.ts';
import { exactCountForDelete } from './scenarios/general.ts';
import { modifiedRetry } from './scenarios/idempotent-create.ts';
import { absentIsEmpty, noFurtherAction, retryReturnsMetadata, retrySucceeds } from './scenarios/idempotent-delete.ts';
import { interleavedRetries } from './properties/wire.ts';
import { DUPLICATE, LOST_RESPONSE, SERVER_ERROR, wireScenario } from './scenarios/wire.ts';

export type { OperationSpec } from '../specs/types.ts';

/** One check of one rule on one operation. */
export type Check = (ctx: CheckContext, operation: OperationSpec) => Promise<Outcome>;

function creating(operation: OperationSpec): CreateOperationSpec {
  if (operation.kind !== 'create') throw new Error(`${operation.operation} is not a create: this rule applies to creates`);
  return operation;
}

function deleting(operation: OperationSpec): DeleteOperationSpec {
  if (operation.kind !== 'delete') throw new Error(`${operation.operation} is not a delete: this rule applies to deletes`);
  return operation;
}

const onCreate =
  (check: (ctx: CheckContext, spec: CreateOperationSpec) => Promise<Outcome>): Check =>
  (ctx, operation) =>
    check(ctx, creating(operation));

const onDelete =
  (check: (ctx: CheckContext, spec: DeleteOperationSpec) => Promise<Outcome>): Check =>
  (ctx, operation) =>
    check(ctx, deleting(operation));

/** A rule checked by a scenario, then (when it passes) by a property. */
function both(
  scenario: (ctx: CheckContext, spec: CreateOperationSpec) => Promise<Outcome>,
  property: (ctx: CheckContext, spec: CreateOperationSpec) => Promise<Outcome>,
): Check {
  return onCreate((ctx, spec) =>
    allOf(
      () => scenario(ctx, spec),
      () => property(ctx, spec),
    ),
  );
}

const rule =
  (id: ScenarioOrPropertyRuleId, check: (ctx: CheckContext, spec: CreateOperationSpec, rule: string) => Promise<Outcome>) =>
  (ctx: CheckContext, spec: CreateOperationSpec): Promise<Outcome> =>
    check(ctx, spec, id);

const byRule = {
  'client-token/same-token-same-params': both(
    rule('client-token/same-token-same-params', identicalRetry),
    rule('client-token/same-token-same-params', identicalRetryProperty),
  ),
  'client-token/same-token-different-params': both(
    rule('client-token/same-token-different-params', differentParameters),
    rule('client-token/same-token-different-params', differentParamsProperty),
  ),
  // In a two-phase run (--phase record|verify, no clock) the scenario alone: the property needs the clock.
  'client-token/expiry': onCreate((ctx, spec) =>
    ctx.phase
      ? expiry(ctx, spec)
      : allOf(
          () => expiry(ctx, spec),
          () => expiryProperty(ctx, spec),
        ),
  ),
  'client-token/retry-after-delete': onCreate(retryAfterDelete),
  'client-token/case-sensitive': onCreate(caseSensitiveProperty),
  'client-token/format': onCreate((ctx, spec) =>
    allOf(
      () => formatEdges(ctx, spec),
      () => formatProperty(ctx, spec),
    ),
  ),
  'client-token/sdk-default': onCreate(sdkDefault),
  'client-token/concurrent-retries': onCreate(rule('client-token/concurrent-retries', concurrentRequests)),
  'idempotent-create/unmodified-retry': both(
    rule('idempotent-create/unmodified-retry', identicalRetry),
    rule('idempotent-create/unmodified-retry', identicalRetryProperty),
  ),
  'idempotent-create/modified-retry': onCreate(modifiedRetry),
  'idempotent-create/different-params': both(
    rule('idempotent-create/different-params', differentParameters),
    rule('idempotent-create/different-params', differentParamsProperty),
  ),
  'idempotent-create/concurrent-retries': onCreate(rule('idempotent-create/concurrent-retries', concurrentRequests)),
  'idempotent-delete/retry-succeeds': onDelete(retrySucceeds),
  'idempotent-delete/retry-returns-metadata': onDelete(retryReturnsMetadata),
  'idempotent-delete/absent-is-empty': onDelete(absentIsEmpty),
  'idempotent-delete/no-further-action': onDelete(noFurtherAction),
  'async-delete/retry-in-progress': onDelete(retryInProgress),
  'async-delete/retry-after-complete': onDelete(retryAfterComplete),
  // Through the wire proxy (harness/wire/proxy.ts), on every create and delete.
  [LOST_RESPONSE]: (ctx, operation) => wireScenario(ctx, operation, LOST_RESPONSE),
  [DUPLICATE]: (ctx, operation) => wireScenario(ctx, operation, DUPLICATE),
  [SERVER_ERROR]: (ctx, operation) => wireScenario(ctx, operation, SERVER_ERROR),
  'wire/interleaved-retries': interleavedRetries,
  'general/exact-resource-count': (ctx, operation) =>
    operation.kind === 'create' ? exactResourceCountProperty(ctx, operation) : exactCountForDelete(ctx, operation),
} satisfies Record<ScenarioOrPropertyRuleId, Check>;

/**
 * Every check with its Violations turned into `fail` outcomes (SkipCheck and
 * InconclusiveCheck go on to the runner), and the List weather its cell met
 * counted in its reason (lib/evidence.ts).
 */
export const checks: Record<string, Check> = Object.fromEntries(
  Object.entries(byRule).map(([id, check]) => [
    id,
    async (ctx: CheckContext, operation: OperationSpec) => withListWeather(ctx, await verdictOf(() => check(ctx, operation))),
  ]),
);
