// Environment and service templates and their versions: records, numbering,
// status, recommended versions and how they are shown. Both kinds share all of
// it; a TemplateKind names what differs (members, ARN type, who uses them).
import type { CompatibleEnvironmentTemplate, ServiceTemplateSupportedComponentSourceType } from '@aws-sdk/client-proton';
import type { AccountState } from '../accounts.ts';
import type { ArnType } from '../arn.ts';
import type { BundleRegistration } from '../bundles.ts';
import type { CreatedByName } from '../idempotency.ts';
import { seconds } from '../context.ts';
import { notFound, validation } from '../protocol.ts';
import type { Tags } from './tag-list.ts';

export interface TemplateKind {
  /** Operation names are built from it: Create<prefix>, List<prefix>Versions, ... */
  prefix: 'EnvironmentTemplate' | 'ServiceTemplate';
  arnType: Extract<ArnType, 'environment-template' | 'service-template'>;
  noun: string;
  templateMember: 'environmentTemplate' | 'serviceTemplate';
  versionMember: 'environmentTemplateVersion' | 'serviceTemplateVersion';
  provisioningMember: 'provisioning' | 'pipelineProvisioning';
  table(account: AccountState): Map<string, TemplateRecord>;
  /** A resource deployed to this version (it may not be deleted while one is), if any. */
  userOf(account: AccountState, version: VersionRecord, now: number): string | undefined;
}

export interface TemplateRecord extends CreatedByName {
  readonly kind: TemplateKind;
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  lastModifiedAt: number;
  displayName?: string;
  description?: string;
  readonly encryptionKey?: string;
  readonly provisioning?: string;
  /** Versions by "major.minor". */
  readonly versions: Map<string, VersionRecord>;
  /** Highest major version ever created: version numbers are never reused. */
  highestMajor: bigint;
  /** Highest minor version ever created, by major. */
  readonly highestMinor: Map<string, bigint>;
  readonly tags: Tags;
}

export interface VersionRecord {
  readonly template: TemplateRecord;
  readonly major: string;
  readonly minor: string;
  readonly arn: string;
  readonly createdAt: number;
  /** When registration's duration ends (REGISTRATION_IN_PROGRESS -> DRAFT, or REGISTRATION_FAILED). */
  readonly registeredAt: number;
  /**
   * The check of the version's bundle, when the emulator reads bundles from
   * S3 (bundles.ts): registration also waits for it, and it decides between
   * DRAFT and REGISTRATION_FAILED. Without one, registration always succeeds.
   */
  readonly bundle?: BundleRegistration;
  /** The latest successful Update, or createdAt. */
  updatedAt: number;
  publishedAt?: number;
  description?: string;
  compatibleEnvironmentTemplates?: CompatibleEnvironmentTemplate[];
  supportedComponentSources?: ServiceTemplateSupportedComponentSourceType[];
  readonly tags: Tags;
}

export type VersionStatus = 'REGISTRATION_IN_PROGRESS' | 'REGISTRATION_FAILED' | 'DRAFT' | 'PUBLISHED';

export const versionKey = (major: string, minor: string): string => `${major}.${minor}`;

/**
 * A version's status at `now`: registering until both its registration's
 * duration has passed and its bundle's check (if any) has finished; then
 * DRAFT, or REGISTRATION_FAILED when the check found a problem.
 */
export function versionStatus(version: VersionRecord, now: number): VersionStatus {
  if (version.publishedAt !== undefined) return 'PUBLISHED';
  if (now < version.registeredAt) return 'REGISTRATION_IN_PROGRESS';
  const { bundle } = version;
  if (bundle === undefined || bundle.state === 'registered') return 'DRAFT';
  return bundle.state === 'failed' ? 'REGISTRATION_FAILED' : 'REGISTRATION_IN_PROGRESS';
}

/** When the version's registration ended (undefined while it still runs). */
function registrationEnd(version: VersionRecord, now: number): number | undefined {
  if (now < version.registeredAt) return undefined;
  const { bundle } = version;
  if (bundle === undefined) return version.registeredAt;
  if (bundle.state === 'checking' || bundle.finishedAt === undefined) return undefined;
  return Math.max(version.registeredAt, bundle.finishedAt);
}

/** Highest published minor version of a major version. */
export function recommendedMinor(template: TemplateRecord, major: string): string | undefined {
  let best: bigint | undefined;
  for (const version of template.versions.values()) {
    if (version.major !== major || version.publishedAt === undefined) continue;
    const minor = BigInt(version.minor);
    if (best === undefined || minor > best) best = minor;
  }
  return best?.toString();
}

/** The recommended minor version of the highest major version that has a published one. */
export function recommendedVersion(template: TemplateRecord): string | undefined {
  let best: VersionRecord | undefined;
  for (const version of template.versions.values()) {
    if (version.publishedAt === undefined) continue;
    if (best === undefined || compareVersions(version, best) > 0) best = version;
  }
  return best === undefined ? undefined : versionKey(best.major, best.minor);
}

export function compareVersions(a: VersionRecord, b: VersionRecord): number {
  const byMajor = BigInt(a.major) - BigInt(b.major);
  const delta = byMajor !== 0n ? byMajor : BigInt(a.minor) - BigInt(b.minor);
  return delta > 0n ? 1 : delta < 0n ? -1 : 0;
}

/** The template of this name, or ResourceNotFoundException. */
export function templateNamed(kind: TemplateKind, account: AccountState, name: string): TemplateRecord {
  const template = kind.table(account).get(name);
  if (template === undefined) throw notFound(`The ${kind.noun} '${name}' was not found`);
  return template;
}

export function versionNamed(template: TemplateRecord, major: string, minor: string): VersionRecord {
  const version = template.versions.get(versionKey(major, minor));
  if (version === undefined) {
    throw notFound(`Version ${versionKey(major, minor)} of the ${template.kind.noun} '${template.name}' was not found`);
  }
  return version;
}

/**
 * The published version an environment or service is deployed to: the one
 * named, or the recommended minor version of the major version (ValidationException
 * when there is none: Proton deploys published versions only).
 */
export function publishedVersion(template: TemplateRecord, major: string, minor: string | undefined, now: number): VersionRecord {
  const chosen = minor ?? recommendedMinor(template, major);
  const version = chosen === undefined ? undefined : template.versions.get(versionKey(major, chosen));
  if (version === undefined || versionStatus(version, now) !== 'PUBLISHED') {
    const which = minor === undefined ? `major version ${major}` : `version ${versionKey(major, minor)}`;
    throw validation(`The ${template.kind.noun} '${template.name}' has no published ${which}: publish a version before deploying it`);
  }
  return version;
}

export function templateView(template: TemplateRecord, summary = false): Record<string, unknown> {
  const { kind } = template;
  return {
    arn: template.arn,
    createdAt: seconds(template.createdAt),
    lastModifiedAt: seconds(template.lastModifiedAt),
    name: template.name,
    displayName: template.displayName,
    description: template.description,
    encryptionKey: summary ? undefined : template.encryptionKey,
    [kind.provisioningMember]: template.provisioning,
    recommendedVersion: recommendedVersion(template),
  };
}

export function versionView(version: VersionRecord, now: number, summary = false): Record<string, unknown> {
  const lastModifiedAt = Math.max(version.updatedAt, registrationEnd(version, now) ?? 0);
  const status = versionStatus(version, now);
  const view: Record<string, unknown> = {
    arn: version.arn,
    createdAt: seconds(version.createdAt),
    lastModifiedAt: seconds(lastModifiedAt),
    templateName: version.template.name,
    majorVersion: version.major,
    minorVersion: version.minor,
    recommendedMinorVersion: recommendedMinor(version.template, version.major),
    status,
    // Only a failed registration says why; Proton's docs show "" for others,
    // the emulator leaves the member out for them (as it always has).
    statusMessage: status === 'REGISTRATION_FAILED' ? version.bundle?.problem : undefined,
    description: version.description,
  };
  // A registered bundle's schema, as Proton's Get answers show it (not in summaries).
  if (!summary && (status === 'DRAFT' || status === 'PUBLISHED')) view['schema'] = version.bundle?.schema;
  if (!summary && version.template.kind.prefix === 'ServiceTemplate') {
    view['compatibleEnvironmentTemplates'] = version.compatibleEnvironmentTemplates ?? [];
    view['supportedComponentSources'] = version.supportedComponentSources;
  }
  return view;
}
