// What parity may change on a target that may be a real account (one
// --allow-real-account let through, parity/targets.ts): only what the run
// itself created. A step that changes or removes a resource (every operation
// but Create*, Get*, List*) is sent there only when each member naming a
// resource is the corpus's own: a name with the corpus's prefix
// (PARITY_NAME_PREFIX, parity/corpus/builder.ts), an ARN of such a name, or an
// id or ARN that target answered earlier in the same sequence (a `from`
// member); or when the member is left out. Any other step is withheld from
// that target (its answer is unjudged, with the reason): a literal connection
// id, say, could name someone else's connection.
import { PARITY_NAME_PREFIX } from './corpus.ts';
import type { ParityStep } from './types.ts';

/** Input members that name the resource a step acts on. */
const NAMING = ['name', 'templateName', 'environmentName', 'serviceName', 'id', 'resourceArn', 'arn'] as const;
const READ_OR_CREATE = /^(Create|Get|List)/;

/** The corpus's names: `parity<tag>-<hint>-<n>`, the tag four base-36 characters of the seed. */
const OWN_NAME = new RegExp(`^${PARITY_NAME_PREFIX}[0-9a-z]{4}-`);

function ownName(value: string): boolean {
  if (OWN_NAME.test(value)) return true;
  // An ARN: its resource part's first name (environment-template/NAME, service/NAME/...).
  const resource = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$/.exec(value)?.[1];
  return resource !== undefined && OWN_NAME.test(resource.split('/')[1] ?? '');
}

/** Why the step may not be sent to a target that may be a real account, or undefined when it may. */
export function notOwned(step: ParityStep): string | undefined {
  if (READ_OR_CREATE.test(step.operation)) return undefined;
  for (const member of NAMING) {
    if (step.from?.[member] !== undefined) continue;
    const value = step.input[member];
    if (value === undefined) continue;
    if (typeof value === 'string' && ownName(value)) continue;
    return (
      `not sent to a target that may be a real account: ${step.operation}'s ${member} ${JSON.stringify(value)} names no resource ` +
      `of this run (not ${PARITY_NAME_PREFIX}<tag>-..., nor answered earlier in the sequence)`
    );
  }
  return undefined;
}
