// Every rule of docs/CONTRACT.md as data: id, category, level, the seed
// sentences it comes from (verbatim, specs/seed/idempotency-section-en.txt), the
// operations it applies to, the capabilities it needs, and whether a scenario,
// a property or the harness checks it (and why). test/suites/rules.test.ts
// parses CONTRACT.md and the seed to keep this file honest.
import type { Category } from './vocabulary.ts';
import type { OperationName, RuleSpec } from './types.ts';

export const CATEGORY_OPERATIONS = {
  'client-token': ['CreateEnvironmentTemplateVersion', 'CreateServiceTemplateVersion', 'CreateEnvironmentAccountConnection'],
  'idempotent-create': ['CreateEnvironmentTemplate', 'CreateServiceTemplate', 'CreateEnvironment', 'CreateService'],
  'idempotent-delete': [
    'DeleteEnvironmentTemplate',
    'DeleteEnvironmentTemplateVersion',
    'DeleteServiceTemplate',
    'DeleteServiceTemplateVersion',
    'DeleteEnvironmentAccountConnection',
  ],
  'async-delete': ['DeleteEnvironment', 'DeleteService'],
} as const satisfies Record<Exclude<Category, 'shape' | 'general' | 'wire'>, readonly OperationName[]>;

export const ALL_OPERATIONS: readonly OperationName[] = [
  ...CATEGORY_OPERATIONS['client-token'],
  ...CATEGORY_OPERATIONS['idempotent-create'],
  ...CATEGORY_OPERATIONS['idempotent-delete'],
  ...CATEGORY_OPERATIONS['async-delete'],
];

/** Seed sentences, verbatim; named once so that several rules can cite one. */
const SEED = {
  noMoreThanOnce: 'Idempotency ensures that an API request action completes no more than one time.',
  noFurtherAction:
    'With an idempotent request, if the original request action completes successfully, any subsequent retries complete ' +
    'successfully without performing any further actions.',
  updatedInformation: 'However, the result might contain updated information, such as the current creation status.',
  occursMultipleTimes: 'However, if the original request and the subsequent retries are successful, the operation occurs multiple times.',
  moreResources: 'This means that you might create more resources than you intended.',
  tokenSame:
    'If you retry the request using the same client token and the same parameters, the retry succeeds without performing any ' +
    'further actions other than returning the original resource detail data in the response.',
  tokenDifferent:
    'If you retry the request using the same client token, but one or more of the parameters are different, the retry throws a ' +
    'ValidationException with an IdempotentParameterMismatch error.',
  tokenExpire: 'Client tokens expire eight hours after a request is made.',
  tokenExpired: 'If you retry the request with the expired token, a new resource is created.',
  tokenDeleted: 'If the original resource is deleted and you retry the request, a new resource is created.',
  tokenFormat: 'A client token is a unique, case-sensitive string of up to 64 ASCII characters.',
  tokenDefault: 'If you don’t provide a client token for these APIs, a default client token is automatically provided by SDKs.',
  createUnmodified:
    "If you retry the request with an API from this group, and the original resource hasn't been modified, the retry succeeds " +
    'without performing any further actions other than returning the original resource detail data in the response.',
  createModified: 'If the original resource has been modified, the retry throws a ConflictException.',
  createDifferent:
    'If you retry with different input parameters, the retry throws a ValidationException with an IdempotentParameterMismatch error.',
  deleteMetadata:
    'When you retry the request with an API from this group and the resource was deleted, its metadata is returned in the response.',
  deleteAbsent: "If you retry and the resource doesn't exist, the response is empty.",
  deleteBoth: 'In both cases, the retry succeeds.',
  asyncInProgress:
    'If you retry the request with an API from this group, if the original request delete operation status is DELETE_IN_PROGRESS, ' +
    'the retry returns the resource detail data in the response without performing any further actions.',
  asyncComplete: 'If the original request delete operation is complete, a retry returns an empty response.',
} as const;

/**
 * How long a client token binds its request: "Client tokens expire eight
 * hours after a request is made" (SEED.tokenExpire). The one place the
 * number lives; the suites, the two-phase state file and the emulator read it.
 */
export const TOKEN_LIFETIME_MS = 8 * 3_600_000;

const ct = CATEGORY_OPERATIONS['client-token'];
const ic = CATEGORY_OPERATIONS['idempotent-create'];
const id = CATEGORY_OPERATIONS['idempotent-delete'];
const ad = CATEGORY_OPERATIONS['async-delete'];
/** The wire category: every create and delete of the four categories (CONTRACT.md "Wire faults"). */
export const WIRE_OPERATIONS: readonly OperationName[] = ALL_OPERATIONS;

const RULE_LIST = [
  {
    id: 'client-token/same-token-same-params',
    category: 'client-token',
    level: 'MUST',
    title: 'A retry with the same token and parameters returns the original resource and creates nothing',
    cites: [SEED.tokenSame, SEED.updatedInformation],
    operations: ct,
    requires: [],
    prefers: ['durations'],
    checkedBy: 'scenario+property',
    how:
      "scenario: one create and its retry, observed with Get and List (and the hooks count), the resource's own transition " +
      'lengthened (durations) so that the retry meets it in progress, then another retry once it has settled; property: each run a ' +
      'random valid original of its own with a random token (salted: unique to the run and cell), retried identically, every answer ' +
      "judged by the run's own token model (a run stands alone: seed and path replay it), List checked identity by identity at the " +
      'end',
  },
  {
    id: 'client-token/same-token-different-params',
    category: 'client-token',
    level: 'MUST',
    title: 'Same token, different parameters: ValidationException with IdempotentParameterMismatch; nothing created or changed',
    cites: [SEED.tokenDifferent],
    operations: ct,
    requires: [],
    prefers: [],
    checkedBy: 'scenario+property',
    how:
      'scenario: each parameter changed on its own, then all at once, Get and List before and after; property: each run a random ' +
      'valid original of its own with a random (salted) token, retried with a random combination of changed parameters',
  },
  {
    id: 'client-token/expiry',
    category: 'client-token',
    level: 'MUST',
    title: 'Tokens expire eight hours after the original request, not after later retries',
    cites: [SEED.tokenExpire, SEED.tokenExpired],
    operations: ct,
    // Not `requires`: without the clock the rule is still checked, in two
    // runs (--phase record, then --phase verify 8 h later); without either
    // the check skips itself, saying how.
    requires: [],
    prefers: ['clock'],
    checkedBy: 'scenario+property',
    how:
      'scenario: retries at 8 h - 1 s (10 s, then 60 s, when the requests took longer than that), then at 8 h from the original; ' +
      'property: each run a token of its own, retried at a random time (8 h - 1 s .. 8 h + 1 s) after the request that bound it, ' +
      'half the runs after an earlier retry, some again around 8 h after a retry that bound it anew; the token model (with measured ' +
      'request intervals) names each answer. Without the clock: --phase record makes the original and a retry right away (the ' +
      'original), --phase verify at least 8 h after the original request ended retries with the same token and input (a new ' +
      'resource, the original still there)',
  },
  {
    id: 'client-token/retry-after-delete',
    category: 'client-token',
    level: 'MUST',
    title: 'A retry after the original was deleted creates a new resource',
    cites: [SEED.tokenDeleted],
    operations: ct,
    requires: [],
    prefers: [],
    checkedBy: 'scenario',
    how:
      'scenario: create, delete (the spec knows the pairing), retry; "new" from evidence: Get found nothing after the delete, the ' +
      'retry succeeds, Get and List then show the resource it names, which is not the deleted one (another identity, or the same ' +
      'numbers with another creation time)',
  },
  {
    id: 'client-token/case-sensitive',
    category: 'client-token',
    level: 'MUST',
    title: 'Tokens that differ only in letter case are different tokens',
    cites: [SEED.tokenFormat],
    operations: ct,
    requires: [],
    prefers: [],
    checkedBy: 'property',
    how:
      'property: each run a random (salted) token with at least one letter, UUID-shaped ones among them, and a random case variant ' +
      'of it, same parameters; the variant creates a new resource',
  },
  {
    id: 'client-token/format',
    category: 'client-token',
    level: 'MUST',
    title: 'Tokens of 1 to 64 printable ASCII characters are accepted; others are rejected with ValidationException',
    cites: [SEED.tokenFormat],
    operations: ct,
    requires: [],
    prefers: [],
    checkedBy: 'scenario+property',
    how:
      'scenario: the edges (1 and 64 characters accepted; 65 characters, a space, a non-ASCII letter rejected); property: random ' +
      'valid tokens of every length (salted in place; one too short for the salt, drawn again in the cell, is sent with the ' +
      'parameters it was first bound with; bound by an earlier test run, its mismatch shows it was accepted) and random invalid ones',
  },
  {
    id: 'client-token/sdk-default',
    category: 'client-token',
    level: 'MUST',
    title: "A call without a token carries the SDK's, and the SDK's retries of it reuse it",
    cites: [SEED.tokenDefault],
    operations: ct,
    requires: [],
    prefers: [],
    checkedBy: 'scenario',
    how: 'scenario: a client whose first response is lost on the wire; the SDK retries; exactly one resource, one token on every attempt',
  },
  {
    id: 'client-token/concurrent-retries',
    category: 'client-token',
    level: 'MUST',
    title: 'N identical requests with one token sent at once create exactly one resource',
    cites: [SEED.noMoreThanOnce, SEED.tokenSame],
    operations: ct,
    requires: [],
    prefers: [],
    checkedBy: 'scenario',
    how:
      'scenario: eight identical requests at once; every success names the one resource, the others may be refused with any error ' +
      'but a ValidationException (noted); List count +1',
  },
  {
    id: 'idempotent-create/unmodified-retry',
    category: 'idempotent-create',
    level: 'MUST',
    title: 'An identical retry of an unmodified resource returns the original and creates nothing',
    cites: [SEED.createUnmodified, SEED.updatedInformation],
    operations: ic,
    requires: [],
    prefers: ['durations'],
    checkedBy: 'scenario+property',
    how:
      'scenario: create and retry, observed with Get and List, then another retry once the resource has settled (its deployment or ' +
      'creation finished); property: each run a random valid original of its own, retried identically, List checked identity by ' +
      'identity at the end',
  },
  {
    id: 'idempotent-create/modified-retry',
    category: 'idempotent-create',
    level: 'MUST',
    title: 'After an Update, an identical retry fails with ConflictException and changes nothing',
    cites: [SEED.createModified],
    operations: ic,
    requires: [],
    prefers: ['durations'],
    checkedBy: 'scenario',
    how:
      'scenario: for each Update the contract names (description; displayName too for templates), on a resource of its own: create, ' +
      'Update, retry, Get and List before and after',
  },
  {
    id: 'idempotent-create/different-params',
    category: 'idempotent-create',
    level: 'MUST',
    title: 'Same name, different parameters: ValidationException with IdempotentParameterMismatch; nothing changed',
    cites: [SEED.createDifferent],
    operations: ic,
    requires: [],
    prefers: [],
    checkedBy: 'scenario+property',
    how:
      'scenario: each parameter changed on its own, then all at once, Get and List before and after; property: each run a random ' +
      'valid original of its own, retried with a random combination of changed parameters',
  },
  {
    id: 'idempotent-create/concurrent-retries',
    category: 'idempotent-create',
    level: 'MUST',
    title: 'N identical creates sent at once leave exactly one resource',
    cites: [SEED.noMoreThanOnce],
    operations: ic,
    requires: [],
    prefers: [],
    checkedBy: 'scenario',
    how:
      'scenario: eight identical creates at once; List count +1 and Get names the one resource; the others may be refused with any ' +
      'error but a ValidationException (noted)',
  },
  {
    id: 'idempotent-delete/retry-succeeds',
    category: 'idempotent-delete',
    level: 'MUST',
    title: "A retry of a successful delete succeeds, with the deleted resource's metadata or an empty response",
    cites: [SEED.deleteMetadata, SEED.deleteBoth],
    operations: id,
    requires: [],
    prefers: [],
    checkedBy: 'scenario',
    how:
      "scenario: delete the target, then another resource of its kind, a third still there; retry the target's delete twice; each " +
      'retry succeeds and names the deleted target or nothing (never the other two)',
  },
  {
    id: 'idempotent-delete/retry-returns-metadata',
    category: 'idempotent-delete',
    level: 'SHOULD',
    title: "An immediate retry returns the deleted resource's metadata",
    cites: [SEED.deleteMetadata],
    operations: id,
    requires: [],
    prefers: [],
    checkedBy: 'scenario',
    how: 'scenario: delete, retry at once, compare the identity with what the delete returned',
  },
  {
    id: 'idempotent-delete/absent-is-empty',
    category: 'idempotent-delete',
    level: 'SHOULD',
    title: 'Deleting a resource that does not exist succeeds with an empty response',
    cites: [SEED.deleteAbsent, SEED.deleteBoth],
    operations: id,
    requires: [],
    prefers: [],
    checkedBy: 'scenario',
    how: 'scenario: delete a valid name or id that nothing ever carried',
  },
  {
    id: 'idempotent-delete/no-further-action',
    category: 'idempotent-delete',
    level: 'MUST',
    title: 'A delete retry deletes nothing else',
    cites: [SEED.noFurtherAction],
    operations: id,
    requires: [],
    prefers: [],
    checkedBy: 'scenario',
    how: 'scenario: a target and siblings; delete and retry the target; the siblings are still there (Get and List)',
  },
  {
    id: 'async-delete/retry-in-progress',
    category: 'async-delete',
    level: 'MUST',
    title: 'A retry during DELETE_IN_PROGRESS returns the resource in that status and does not restart or prolong the deletion',
    cites: [SEED.asyncInProgress],
    operations: ad,
    requires: [],
    prefers: ['durations', 'clock'],
    checkedBy: 'scenario',
    how:
      'scenario: a long deletion (durations hook), retries while in progress, the deletion ends when first announced (virtual time ' +
      'with the clock, real time without); when nothing times the deletion (no durations hook), a control of the same kind deleted ' +
      'after the target without retries, while the target is retried at every poll: the target must be gone no later than the ' +
      'control plus half its duration and two polls; inconclusive when the deletion was over before a retry saw it',
  },
  {
    id: 'async-delete/retry-after-complete',
    category: 'async-delete',
    level: 'MUST',
    title: 'Once the deletion is complete, a retry succeeds with an empty response',
    cites: [SEED.asyncComplete],
    operations: ad,
    requires: [],
    prefers: ['durations', 'clock'],
    checkedBy: 'scenario',
    how: 'scenario: delete, wait until Get answers ResourceNotFoundException, retry',
  },
  {
    id: 'wire/lost-response-retry',
    category: 'wire',
    level: 'MUST',
    title:
      "A lost response's retry (the SDK's own, or the same token or name again) obeys the operation's category as if the response " +
      'had arrived',
    cites: [SEED.noMoreThanOnce, SEED.noFurtherAction, SEED.tokenSame, SEED.createUnmodified, SEED.deleteMetadata, SEED.deleteBoth],
    operations: WIRE_OPERATIONS,
    requires: [],
    prefers: [],
    checkedBy: 'scenario',
    how:
      "scenario, through the wire proxy (harness/wire/proxy.ts): the first delivery's response dropped after the target answered, " +
      "then (apart) the client's connection closed while the target works; each retried by the SDK's own strategy (the harness's " +
      "retries off, a client without a token for the client-token creates: the SDK's own token) and by the check itself (the same " +
      'input, token or name again); after each, the resources in scope are exactly those predicted (creates: one new, named by the ' +
      "success; deletes: the target gone, its sibling there) and the retry's success names the resource (deletes: its metadata or " +
      'empty)',
  },
  {
    id: 'wire/duplicate-delivery',
    category: 'wire',
    level: 'MUST',
    title: 'A request delivered twice (back to back or overlapping) has the effect of one, and both answers obey the category',
    cites: [SEED.noMoreThanOnce, SEED.noFurtherAction],
    operations: WIRE_OPERATIONS,
    requires: [],
    prefers: [],
    checkedBy: 'scenario',
    how:
      "scenario, through the wire proxy: one request delivered twice back to back, another twice at once; both of the target's " +
      "answers (from the proxy's history) are judged by the category (a create's successes name the one resource, an overlapping " +
      "twin may be refused with any error but ValidationException; a delete's answers succeed with its metadata or empty), and the " +
      'resources in scope are exactly those predicted',
  },
  {
    id: 'wire/server-error-retry',
    category: 'wire',
    level: 'MUST',
    title: 'After a 500, 503 or ThrottlingException, before or after the target acted, the retry leaves exactly the resources predicted',
    cites: [SEED.noFurtherAction, SEED.tokenSame, SEED.createUnmodified, SEED.deleteBoth],
    operations: WIRE_OPERATIONS,
    requires: [],
    prefers: [],
    checkedBy: 'scenario',
    how:
      'scenario, through the wire proxy: the first delivery answered 500, 503 or ThrottlingException by the proxy, without ' +
      "forwarding and after the target acted (six kinds); each retried with the same bytes (the harness's retry: same token or " +
      "name), the 500 and the throttle after acting also by the SDK's own strategy; after each, the resources in scope are exactly " +
      'those predicted and the success names the resource',
  },
  {
    id: 'wire/interleaved-retries',
    category: 'wire',
    level: 'MUST',
    title:
      'Any interleaving of retries by several clients yields a history where each token or name has at most one resource and ' +
      'every success names it',
    cites: [SEED.noMoreThanOnce, SEED.noFurtherAction],
    operations: WIRE_OPERATIONS,
    requires: [],
    prefers: [],
    checkedBy: 'property',
    how:
      'property (few runs: each run sends up to 32 requests through the proxy): each run 2 to 32 clients send the same logical ' +
      'request (one token or name; a delete of one resource) at once through a proxy whose faults fast-check draws (a seeded ' +
      "schedule of drops, closes, duplicates, delays, reorders, 5xx and throttles), each client retrying on its own (the SDK's " +
      'strategy or the same bytes); a checker over the history of what each client sent and saw: every success names the one ' +
      'resource (deletes: it or empty), no answer is a ValidationException, and the scope gained at most one resource (deletes: the ' +
      'resource gone, its sibling there)',
  },
  {
    id: 'shape/responses-match-model',
    category: 'shape',
    level: 'MUST',
    title: 'Every response, success or error, matches the model',
    cites: [SEED.tokenDifferent, SEED.createModified],
    operations: ALL_OPERATIONS,
    requires: [],
    prefers: [],
    checkedBy: 'harness',
    how: 'harness: every recorded response of the run is validated against the generated schemas',
  },
  {
    id: 'general/exact-resource-count',
    category: 'general',
    level: 'MUST',
    title: 'The resources that exist are exactly those the contract predicts',
    cites: [SEED.noMoreThanOnce, SEED.occursMultipleTimes, SEED.moreResources],
    operations: ALL_OPERATIONS,
    requires: [],
    prefers: ['clock', 'durations'],
    checkedBy: 'scenario+property',
    how:
      'creates: a model-based property (random sequences of create, identical and changed retries, modify, delete, clock jumps and ' +
      'concurrent retries, judged by a model of the contract of its own; after each sequence its own count, before and after (hooks ' +
      'where the cell runs alone in its account, else List), and Get of what it deleted, List identity by identity at the end); ' +
      'deletes: a scenario (creates, deletes, delete retries, a delete of nothing, List and Get after every step)',
  },
] as const satisfies readonly RuleSpec[];

/** A rule's id: one of those above, so that an id no rule has does not typecheck. */
export type RuleId = (typeof RULE_LIST)[number]['id'];

/**
 * The rules a scenario or a property checks (all but those the harness checks
 * itself): suites/registry.ts must hold a check for each, and for no other.
 */
export type ScenarioOrPropertyRuleId = Exclude<(typeof RULE_LIST)[number], { checkedBy: 'harness' }>['id'];

export const RULES: readonly RuleSpec<RuleId>[] = RULE_LIST;

export function ruleById(id: string): RuleSpec<RuleId> | undefined {
  return RULES.find((rule) => rule.id === id);
}
