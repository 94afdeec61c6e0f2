// Variants made for the parity comparison (issue 22, docs/parity.md): each
// answers differently from the reference in one known way, so that the
// project's tests can hold `proton-conformance parity` to reporting exactly
// those paths. They are NOT conforming variants: they are kept out of
// VARIANT_CATALOGUE, so the mutation analysis never runs them. Chosen like any
// variant: `npm run emulator -- --variant NAME`, startEmulator's `variants`,
// or startEmbedded's.
import type { Output, Variant } from '../policy.ts';

/** The operation whose answer leaves a member out, and the member (inside `environmentTemplate`). */
export const OMITTED = { operation: 'GetEnvironmentTemplate', member: 'environmentTemplate', field: 'name' } as const;

/** The status an environment template version shows for ever under `parity-status-stuck`. */
export const STUCK_STATUS = 'REGISTRATION_IN_PROGRESS';

const VERSION_MEMBER = 'environmentTemplateVersion';

function withoutField(output: Output, member: string, field: string): Output {
  const inner = output[member];
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return output;
  const { [field]: _left, ...rest } = inner as Record<string, unknown>;
  return { ...output, [member]: rest };
}

/** An environment template version (or a summary of one) as if its registration never ended. */
function stuck(version: unknown): unknown {
  if (typeof version !== 'object' || version === null || Array.isArray(version)) return version;
  const record = version as Record<string, unknown>;
  return 'status' in record ? { ...record, status: STUCK_STATUS } : record;
}

export const PARITY_VARIANTS: Readonly<Record<string, Variant>> = Object.freeze({
  'parity-omits-member': {
    description:
      `${OMITTED.operation} answers without ${OMITTED.member}.${OMITTED.field} (every other answer as the reference's): ` +
      'a member left out, for the parity tests.',
    policy: (base) => ({
      answer: (operation, output) => {
        const answered = base.answer(operation, output);
        return operation === OMITTED.operation ? withoutField(answered, OMITTED.member, OMITTED.field) : answered;
      },
    }),
  },
  'parity-status-stuck': {
    description:
      `Every answer shows an environment template version's status as ${STUCK_STATUS}, as if its registration never ended ` +
      '(the state itself moves on, so deletes and dependants behave as the reference): a status that never progresses, for the ' +
      'parity tests.',
    policy: (base) => ({
      answer: (operation, output) => {
        const answered = base.answer(operation, output);
        if (VERSION_MEMBER in answered) return { ...answered, [VERSION_MEMBER]: stuck(answered[VERSION_MEMBER]) };
        if (operation === 'ListEnvironmentTemplateVersions' && Array.isArray(answered['templateVersions'])) {
          return { ...answered, templateVersions: answered['templateVersions'].map(stuck) };
        }
        return answered;
      },
    }),
  },
});
