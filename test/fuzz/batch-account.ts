// The emulator account one fuzz batch runs in: a few resources set up first
// (so that fuzzed requests hit things that exist), then every duration set to
// days so that nothing moves by itself, and snapshots of everything
// observable (the counts hook, Lists, Gets, tags) to compare before and after
// requests that must not change state.
import { createHooks } from '../../harness/target/hooks.ts';
import type { Hooks } from '../../harness/types.ts';
import type { Hints } from './shape-arbitrary.ts';
import { ACCOUNT_PLACEHOLDER } from './requests.ts';
import type { Wire } from './wire.ts';

const REGION = 'us-east-1';
export const FIXTURES = {
  envTemplate: 'fx-env-template',
  svcTemplate: 'fx-svc-template',
  environment: 'fx-env',
  service: 'fx-svc',
} as const;
const SOURCE = { s3: { bucket: 'fuzz-bundles', key: 'template.tar.gz' } };
const DAYS = 10 * 24 * 60 * 60 * 1000;

function arns(account: string): string[] {
  const base = `arn:aws:proton:${REGION}:${account}`;
  return [
    `${base}:environment-template/${FIXTURES.envTemplate}`,
    `${base}:environment-template/${FIXTURES.envTemplate}:1.0`,
    `${base}:service-template/${FIXTURES.svcTemplate}`,
    `${base}:environment/${FIXTURES.environment}`,
    `${base}:service/${FIXTURES.service}`,
  ];
}

/** Values mixed into generation so that fuzzed inputs name the fixtures. */
export const FIXTURE_HINTS: Hints = {
  ResourceName: Object.values(FIXTURES),
  TemplateVersionPart: ['1', '0'],
  Arn: arns(ACCOUNT_PLACEHOLDER),
  ClientToken: ['fuzz-token'],
};

/** The reads a snapshot is made of. */
function reads(account: string): [string, Record<string, unknown>][] {
  return [
    ['ListEnvironmentTemplates', {}],
    ['ListServiceTemplates', {}],
    ['ListEnvironments', {}],
    ['ListServices', {}],
    ['ListEnvironmentTemplateVersions', { templateName: FIXTURES.envTemplate }],
    ['ListServiceTemplateVersions', { templateName: FIXTURES.svcTemplate }],
    ['ListEnvironmentAccountConnections', { requestedBy: 'MANAGEMENT_ACCOUNT' }],
    ['ListEnvironmentAccountConnections', { requestedBy: 'ENVIRONMENT_ACCOUNT' }],
    ['GetEnvironmentTemplate', { name: FIXTURES.envTemplate }],
    ['GetEnvironmentTemplateVersion', { templateName: FIXTURES.envTemplate, majorVersion: '1', minorVersion: '0' }],
    ['GetServiceTemplate', { name: FIXTURES.svcTemplate }],
    ['GetServiceTemplateVersion', { templateName: FIXTURES.svcTemplate, majorVersion: '1', minorVersion: '0' }],
    ['GetEnvironment', { name: FIXTURES.environment }],
    ['GetService', { name: FIXTURES.service }],
    ...arns(account).map((resourceArn): [string, Record<string, unknown>] => ['ListTagsForResource', { resourceArn }]),
  ];
}

export class BatchAccount {
  /** SigV4-shaped Authorization naming this account (the emulator checks no signature). */
  readonly authorization: string;
  private readonly hooks: Hooks;

  constructor(
    /** 12 digits: the access key id is the account id (docs/emulator-hooks.md). */
    readonly account: string,
    private readonly wire: Wire,
  ) {
    this.authorization =
      `AWS4-HMAC-SHA256 Credential=${account}/20250101/${REGION}/proton/aws4_request, ` +
      `SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`;
    this.hooks = createHooks({
      endpoint: wire.endpoint,
      pool: wire.pool,
      capabilities: new Set(['clock', 'durations', 'counts']),
      account,
    });
  }

  private async call(operation: string, input: Record<string, unknown>): Promise<void> {
    const { status, body } = await this.wire.call(this.authorization, operation, input);
    if (status !== 200) throw new Error(`fixture ${operation} answered ${status}: ${JSON.stringify(body)}`);
  }

  private async advancePast(...names: string[]): Promise<void> {
    const durations = await this.hooks.getDurations();
    await this.hooks.advance(Math.max(...names.map((n) => durations[n] ?? 0)) + 1);
  }

  /** Templates with published versions, an environment and a service; then durations of days. */
  async setUp(): Promise<void> {
    const tags = [{ key: 'fixture', value: 'fuzz' }];
    await Promise.all([
      this.call('CreateEnvironmentTemplate', { name: FIXTURES.envTemplate, displayName: 'Fuzz', tags }),
      this.call('CreateServiceTemplate', { name: FIXTURES.svcTemplate, tags }),
    ]);
    await this.call('CreateEnvironmentTemplateVersion', { templateName: FIXTURES.envTemplate, source: SOURCE });
    await this.advancePast('templateVersionRegistration');
    await this.call('UpdateEnvironmentTemplateVersion', {
      templateName: FIXTURES.envTemplate,
      majorVersion: '1',
      minorVersion: '0',
      status: 'PUBLISHED',
    });
    await Promise.all([
      this.call('CreateEnvironment', {
        name: FIXTURES.environment,
        templateName: FIXTURES.envTemplate,
        templateMajorVersion: '1',
        spec: 'proton: EnvironmentSpec\nspec: {}\n',
        protonServiceRoleArn: `arn:aws:iam::${this.account}:role/fuzz`,
        tags,
      }),
      this.call('CreateServiceTemplateVersion', {
        templateName: FIXTURES.svcTemplate,
        source: SOURCE,
        compatibleEnvironmentTemplates: [{ templateName: FIXTURES.envTemplate, majorVersion: '1' }],
      }),
    ]);
    await this.advancePast('templateVersionRegistration', 'environmentDeployment');
    await this.call('UpdateServiceTemplateVersion', {
      templateName: FIXTURES.svcTemplate,
      majorVersion: '1',
      minorVersion: '0',
      status: 'PUBLISHED',
    });
    await this.call('CreateService', {
      name: FIXTURES.service,
      templateName: FIXTURES.svcTemplate,
      templateMajorVersion: '1',
      spec: `proton: ServiceSpec\ninstances:\n  - name: web\n    environment: ${FIXTURES.environment}\n`,
      tags,
    });
    await this.advancePast('serviceCreation');
    // From here on nothing moves by itself: a snapshot differs only if a request changed something.
    const durations = await this.hooks.getDurations();
    await this.hooks.setDurations(Object.fromEntries(Object.keys(durations).map((n) => [n, DAYS])));
  }

  /** Everything observable in the account, as one comparable string. */
  async snapshot(): Promise<string> {
    const list = reads(this.account);
    const [counts, ...results] = await Promise.all([
      this.hooks.counts(),
      ...list.map(([operation, input]) => this.wire.call(this.authorization, operation, input)),
    ]);
    // Error messages may name a request id; the status and type are what count.
    const observed = results.map(({ status, body }, i) => [
      list[i]?.[0],
      status,
      status === 200 ? body : (body as { __type?: unknown }).__type,
    ]);
    return JSON.stringify({ counts, observed });
  }
}
