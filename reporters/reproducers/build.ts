// From a failing or warning cell to its reproducer (issue 21): the steps of
// its evidence (steps.ts), the rule's expectation on them (checks.ts), the
// hooks it needs, and what it cannot reproduce.
import type { HookCall, RuleResult } from '../../harness/types.ts';
import { decisiveStep, preconditions, RULE_CHECKS } from './checks.ts';
import { type Reproducer, reproducerOf, stepsOf } from './steps.ts';
import { buildWireReproducer, WIRE_RULES } from './wire.ts';

/** A cell's reproducer, or why it has none. */
export type Built = { reproducer: Reproducer } | { skipped: string };

/** `client-token--same-token-same-params--CreateEnvironmentTemplateVersion`: a file name without extension. */
export function reproducerName(rule: string, operation: string): string {
  return `${rule.replace(/[^0-9A-Za-z-]+/g, '--')}--${operation}`;
}

/** Whether cells of `rule` get a reproducer (the others are listed as skipped). */
export function hasReproducer(rule: string): boolean {
  return Object.hasOwn(RULE_CHECKS, rule) || WIRE_RULES.has(rule);
}

export function buildReproducer(result: RuleResult & { hookCalls?: HookCall[] }): Built {
  if (WIRE_RULES.has(result.rule)) {
    if (result.evidence.length === 0) return { skipped: 'the cell kept no evidence' };
    const built = buildWireReproducer(result, reproducerName(result.rule, result.operation));
    return typeof built === 'string' ? { skipped: built } : { reproducer: built };
  }
  const check = RULE_CHECKS[result.rule];
  if (!check) return { skipped: `no reproducer is written for ${result.rule} yet` };
  if (result.evidence.length === 0) return { skipped: 'the cell kept no evidence' };
  const { steps, recorded, tokens, runId } = stepsOf(result);
  const last = decisiveStep(steps, result.operation);
  if (last < 0) return { skipped: `the evidence holds no ${result.operation}` };
  const input = { steps, recorded, tokens, operation: result.operation, reason: result.reason };
  const unfit = check(input, last);
  if (unfit !== undefined) return { skipped: unfit };
  preconditions(input);
  // The case ends at its last judged step: what the check observed after it (a Get of a duplicate the faulty target made,
  // named by a List's page) may not exist on a target that keeps the rule.
  const judged = steps.findLastIndex((step) => step.kind === 'call' && step.expect !== undefined);
  steps.splice(judged + 1);
  const notes: string[] = [];
  if (steps.some((step) => step.kind === 'call' && step.lose)) {
    notes.push(
      "A response is lost after the target answered it, and the client's own retry sends the call again: the .mjs loses it",
      'with a forwarder of its own on 127.0.0.1, the .sh with `proton-conformance proxy --faults drop@first`.',
    );
  }
  if (steps.some((step) => step.kind === 'call' && step.group !== undefined)) {
    notes.push('Some requests are sent at once: a race the target loses only sometimes may need several executions.');
  }
  return { reproducer: reproducerOf(result, reproducerName(result.rule, result.operation), { tokens, runId, steps, notes }) };
}
