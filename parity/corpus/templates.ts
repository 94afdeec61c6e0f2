// Templates and their versions, of both kinds: creates, gets, updates, lists
// with paging, deletes; retries, mismatches, missing templates and versions,
// and the deletes a version or a template refuses while others depend on it.
import fc from 'fast-check';
import type { VersionNumber } from '../../specs/prerequisites.ts';
import type { Input, ResourceKind } from '../../specs/types.ts';
import { PLACEHOLDER_BUNDLES, bundle } from '../../specs/values.ts';
import type { ParitySequence } from '../types.ts';
import { type CorpusContext, createSpec, SequenceBuilder, type VersionState, versionDeletionOrder } from './builder.ts';

export interface Family {
  /** `Environment`, `Service`: operation names are built from it. */
  word: 'Environment' | 'Service';
  /** `EnvironmentTemplate`: Create<prefix>, List<prefix>Versions, ... */
  prefix: 'EnvironmentTemplate' | 'ServiceTemplate';
  templateKind: ResourceKind;
  versionKind: ResourceKind;
  /** The answer's member: `environmentTemplate`, `serviceTemplateVersion`. */
  templateMember: string;
  versionMember: string;
  /** Sequence ids start with it. */
  slug: string;
}

export const FAMILIES: readonly Family[] = [
  {
    word: 'Environment',
    prefix: 'EnvironmentTemplate',
    templateKind: 'environmentTemplate',
    versionKind: 'environmentTemplateVersion',
    templateMember: 'environmentTemplate',
    versionMember: 'environmentTemplateVersion',
    slug: 'environment-template',
  },
  {
    word: 'Service',
    prefix: 'ServiceTemplate',
    templateKind: 'serviceTemplate',
    versionKind: 'serviceTemplateVersion',
    templateMember: 'serviceTemplate',
    versionMember: 'serviceTemplateVersion',
    slug: 'service-template',
  },
];

export const ENVIRONMENT_FAMILY = FAMILIES[0]!;
export const SERVICE_FAMILY = FAMILIES[1]!;

/** Which environment template's major version a service template version is compatible with. */
export type Compatible = { templateName: string; majorVersion: string };

/** A create input of a version: the first placeholder bundle of the kind, a token, the compatible templates of a service one. */
export function versionInput(ctx: CorpusContext, family: Family, templateName: string, major?: string, compatible?: Compatible): Input {
  const source = PLACEHOLDER_BUNDLES[family.word === 'Environment' ? 'environment' : 'service'][0]!;
  return {
    templateName,
    ...(major === undefined ? {} : { majorVersion: major }),
    source: bundle(source.bucket, source.key),
    clientToken: ctx.names.token('version'),
    ...(family.word === 'Service' ? { compatibleEnvironmentTemplates: [compatible ?? { templateName: 'parity', majorVersion: '1' }] } : {}),
  };
}

const versionId = (templateName: string, version: VersionNumber) => {
  const [majorVersion, minorVersion] = version.split('.') as [string, string];
  return { templateName, majorVersion, minorVersion };
};

/**
 * Adds a template with these versions, created in order (a further minor
 * version names its major), then published unless said otherwise (after the
 * registrations settle); registers their deletion. Returns the template's name.
 */
export function templateWithVersions(
  ctx: CorpusContext,
  builder: SequenceBuilder,
  family: Family,
  hint: string,
  versions: readonly VersionNumber[],
  options: { publish?: boolean; compatible?: Compatible; account?: 'management' } = {},
): string {
  const name = ctx.names.name(hint);
  const as = options.account === undefined ? {} : { account: options.account };
  builder.step(`Create${family.prefix}`, { name }, 'valid', as);
  const majors = new Set<string>();
  for (const version of versions) {
    const { majorVersion } = versionId(name, version);
    builder.step(
      `Create${family.prefix}Version`,
      versionInput(ctx, family, name, majors.has(majorVersion) ? majorVersion : undefined, options.compatible),
      'valid',
      as,
    );
    majors.add(majorVersion);
  }
  if (versions.length > 0) builder.startsAsync();
  const publish = options.publish ?? true;
  if (publish) {
    for (const [index, version] of versions.entries()) {
      builder.step(`Update${family.prefix}Version`, { ...versionId(name, version), status: 'PUBLISHED' }, 'valid', {
        settle: index === 0,
        ...as,
      });
    }
  }
  madeVersions(
    builder,
    family,
    name,
    versions.map((v) => {
      const { majorVersion: major, minorVersion: minor } = versionId(name, v);
      return { major, minor, published: publish };
    }),
    as,
  );
  builder.made(family.templateKind, `Delete${family.prefix}`, { name }, as);
  return name;
}

/** Registers the deletion of a template's versions, in an order Proton allows. */
export function madeVersions(
  builder: SequenceBuilder,
  family: Family,
  templateName: string,
  versions: readonly VersionState[],
  as: { account?: 'management' } = {},
): void {
  for (const v of versionDeletionOrder(versions)) {
    builder.made(family.versionKind, `Delete${family.prefix}Version`, { templateName, majorVersion: v.major, minorVersion: v.minor }, as);
  }
}

/** A template's create input drawn from the operation entry's arbitrary with the seed. */
function seededTemplateInput(ctx: CorpusContext, family: Family, name: string): Input {
  const arbitrary = createSpec(`Create${family.prefix}`).arbitrary({}, name);
  return fc.sample(arbitrary, { seed: ctx.seed, numRuns: 1 })[0] as Input;
}

function templateLifecycle(ctx: CorpusContext, family: Family): ParitySequence {
  const { prefix } = family;
  const b = new SequenceBuilder(`${family.slug}/lifecycle`);
  const name = ctx.names.name('template');
  const created = b.step(`Create${prefix}`, seededTemplateInput(ctx, family, name), 'valid');
  b.made(family.templateKind, `Delete${prefix}`, { name });
  b.step(`Get${prefix}`, { name }, 'valid');
  b.step(`Update${prefix}`, { name, description: 'updated by the parity corpus' }, 'valid');
  b.step(`Update${prefix}`, { name, displayName: 'Parity, updated' }, 'valid');
  b.step(`Get${prefix}`, { name }, 'valid');
  b.step(`List${prefix}s`, {}, 'valid');
  b.step('ListTagsForResource', {}, 'valid', { from: { resourceArn: { step: created, path: `${family.templateMember}.arn` } } });
  b.step(`Delete${prefix}`, { name }, 'valid');
  b.step(`Get${prefix}`, { name }, 'missing resource');
  b.step(`Update${prefix}`, { name, description: 'after its deletion' }, 'missing resource');
  b.step(`Delete${prefix}`, { name }, 'retry');
  return b.build();
}

function templatePaging(ctx: CorpusContext, family: Family): ParitySequence {
  const { prefix } = family;
  const b = new SequenceBuilder(`${family.slug}/paging`);
  for (let i = 0; i < 3; i++) {
    const name = ctx.names.name('paged');
    b.step(`Create${prefix}`, { name }, 'valid');
    b.made(family.templateKind, `Delete${prefix}`, { name });
  }
  const first = b.step(`List${prefix}s`, { maxResults: 2 }, 'paging');
  b.step(`List${prefix}s`, { maxResults: 2 }, 'paging', { from: { nextToken: { step: first, path: 'nextToken' } } });
  return b.build();
}

function templateCreateRetries(ctx: CorpusContext, family: Family): ParitySequence {
  const { prefix } = family;
  const spec = createSpec(`Create${prefix}`);
  const b = new SequenceBuilder(`${family.slug}/create-retries`);
  const name = ctx.names.name('retried');
  const input = spec.input({}, name);
  b.step(`Create${prefix}`, input, 'valid');
  b.made(family.templateKind, `Delete${prefix}`, { name });
  b.step(`Create${prefix}`, input, 'retry');
  const parameter = ctx.random.pick(spec.parameters);
  b.step(`Create${prefix}`, { ...input, [parameter.name]: parameter.alternative({}, input) }, `mismatch: ${parameter.name}`);
  b.step(`Update${prefix}`, { name, description: 'modified after its create' }, 'valid');
  b.step(`Create${prefix}`, input, 'conflict: modified since its create');
  return b.build();
}

function templateMissing(ctx: CorpusContext, family: Family): ParitySequence {
  const { prefix } = family;
  const b = new SequenceBuilder(`${family.slug}/missing`);
  const name = ctx.names.name('never');
  const version = versionId(name, '1.0');
  b.step(`Get${prefix}`, { name }, 'missing resource');
  b.step(`Update${prefix}`, { name, description: 'never created' }, 'missing resource');
  b.step(`Delete${prefix}`, { name }, 'absent');
  b.step(`List${prefix}Versions`, { templateName: name }, 'missing resource');
  b.step(`Create${prefix}Version`, versionInput(ctx, family, name), 'missing resource: no template');
  b.step(`Get${prefix}Version`, version, 'missing resource');
  b.step(`Update${prefix}Version`, { ...version, description: 'never created' }, 'missing resource');
  b.step(`Delete${prefix}Version`, version, 'absent');
  return b.build();
}

function versionLifecycle(ctx: CorpusContext, family: Family): ParitySequence {
  const { prefix } = family;
  const b = new SequenceBuilder(`${family.slug}-version/lifecycle`);
  const compatible =
    family.word === 'Service'
      ? { templateName: templateWithVersions(ctx, b, ENVIRONMENT_FAMILY, 'compatible', ['1.0']), majorVersion: '1' }
      : undefined;
  const name = ctx.names.name('versioned');
  const v = (version: VersionNumber) => versionId(name, version);
  b.step(`Create${prefix}`, { name }, 'valid');
  const first = b.step(
    `Create${prefix}Version`,
    { ...versionInput(ctx, family, name, undefined, compatible), description: 'first' },
    'valid',
  );
  b.startsAsync();
  b.step(`Get${prefix}Version`, v('1.0'), 'valid');
  b.step(`Update${prefix}Version`, { ...v('1.0'), status: 'PUBLISHED' }, 'conflict: still registering');
  b.step(`Get${prefix}Version`, v('1.0'), 'valid', { settle: true });
  b.step(`Update${prefix}Version`, { ...v('1.0'), status: 'PUBLISHED' }, 'valid');
  b.step(`Update${prefix}Version`, { ...v('1.0'), description: 'published' }, 'valid');
  const minorInput = versionInput(ctx, family, name, '1', compatible);
  b.step(`Create${prefix}Version`, minorInput, 'valid');
  b.step(`Create${prefix}Version`, versionInput(ctx, family, name, undefined, compatible), 'valid');
  b.step(`Get${prefix}`, { name }, 'valid');
  b.step(`List${prefix}s`, {}, 'valid');
  const page1 = b.step(`List${prefix}Versions`, { templateName: name, maxResults: 1 }, 'paging', { settle: true });
  const page2 = b.step(`List${prefix}Versions`, { templateName: name, maxResults: 1 }, 'paging', {
    from: { nextToken: { step: page1, path: 'nextToken' } },
  });
  b.step(`List${prefix}Versions`, { templateName: name, maxResults: 1 }, 'paging', {
    from: { nextToken: { step: page2, path: 'nextToken' } },
  });
  b.step(`List${prefix}Versions`, { templateName: name, majorVersion: '1' }, 'valid');
  b.step(`Create${prefix}Version`, minorInput, 'retry: same client token');
  b.step(`Create${prefix}Version`, { ...minorInput, description: 'another description' }, 'mismatch: description');
  b.step(`Update${prefix}Version`, { ...v('1.0'), status: 'DRAFT' }, 'refused: a published version back to DRAFT');
  b.step(`Delete${prefix}`, { name }, 'dependency: the template has versions');
  b.step(`Delete${prefix}Version`, v('1.0'), 'dependency: the recommended minor version while its major has others');
  b.step(`Delete${prefix}Version`, v('2.0'), 'valid');
  b.step(`Delete${prefix}Version`, v('2.0'), 'retry');
  b.step(`Get${prefix}Version`, v('2.0'), 'missing resource');
  b.step(`Get${prefix}Version`, v('9.0'), 'missing resource');
  b.step(
    `Create${prefix}Version`,
    versionInput(ctx, family, name, '7', compatible),
    'open: a minor version of a major version that does not exist',
  );
  b.step('ListTagsForResource', {}, 'valid', { from: { resourceArn: { step: first, path: `${family.versionMember}.arn` } } });
  madeVersions(b, family, name, [
    { major: '1', minor: '0', published: true },
    { major: '1', minor: '1', published: false },
    { major: '2', minor: '0', published: false },
    // Made only by a target that takes the minor version of a major one that does not exist.
    { major: '7', minor: '0', published: false },
  ]);
  b.made(family.templateKind, `Delete${prefix}`, { name });
  return b.build();
}

/** Every template and version sequence, of both kinds. */
export function templateSequences(ctx: CorpusContext): ParitySequence[] {
  return FAMILIES.flatMap((family) => [
    templateLifecycle(ctx, family),
    templatePaging(ctx, family),
    templateCreateRetries(ctx, family),
    templateMissing(ctx, family),
    versionLifecycle(ctx, family),
  ]);
}
