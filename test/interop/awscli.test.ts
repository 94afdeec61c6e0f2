// Interop: the AWS CLI (botocore's own serializer, parser and client-token
// autofill) drives the setup flow against the emulator. v2 is Debian's
// `awscli` package, run by its path because PATH may lead to a v1 first; it
// runs the whole flow. A v1 found on PATH (another botocore) runs a shorter
// one as a second client. Each client has an emulator account of its own, so
// both run at once; every CLI start costs about half a second of CPU, hence
// the concurrent rounds and the modest number of calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { cliSandbox, findCliV1, findCliV2 } from './aws-cli.ts';
import type { AwsCli } from './aws-cli.ts';
import { CliSession } from './session.ts';

const probe = cliSandbox('AKIDINTEROPPROBE');
const foundV2 = await findCliV2(probe.env);
const v2 = typeof foundV2 === 'string' ? undefined : foundV2;
const v1 = await findCliV1(probe.env);
probe.dispose();

const FLOW_TIMEOUT_MS = 120_000;
const REGION = 'us-east-1';
const SOURCE = 's3={bucket=proton-interop-templates,key=bundles/template.tar.gz}';
const SPEC = 'proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.0.0.0/16\n';
const serviceSpec = (environment: string): string => `proton: ServiceSpec\ninstances:\n  - name: web\n    environment: ${environment}\n`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

interface TemplateVersion {
  templateName: string;
  majorVersion: string;
  minorVersion: string;
  status: string;
  arn: string;
  createdAt: unknown;
}
interface Named {
  name: string;
  arn: string;
  createdAt: unknown;
}

/**
 * A timestamp as the CLI prints it, in epoch milliseconds. v2 prints the
 * datetime botocore parsed as ISO 8601 (proof the parser read the wire
 * value as a timestamp); v1 (cli_timestamp_format none) prints the wire
 * value itself, epoch seconds.
 */
function epochMs(cli: AwsCli, value: unknown): number {
  if (cli.major === 2) {
    expect(value).toMatch(ISO_8601);
    return Date.parse(value as string);
  }
  expect(value).toBeTypeOf('number');
  return (value as number) * 1000;
}

/** The flags that name version 1.`minor` of a template. */
const version = (template: string, minor = '0'): string[] => [
  '--template-name',
  template,
  '--major-version',
  '1',
  '--minor-version',
  minor,
];

function versionId(v: TemplateVersion): string {
  return `${v.majorVersion}.${v.minorVersion}`;
}

let emulator: RunningEmulator | undefined;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator?.close();
});

const withSession = (cli: AwsCli | undefined, account: string, flow: (s: CliSession) => Promise<void>) => async () => {
  const session = new CliSession(cli as AwsCli, account, emulator?.url ?? '');
  try {
    await flow(session);
  } finally {
    await session.dispose();
  }
};
const named = (cli: AwsCli | undefined, what: string, missing: string): string =>
  cli ? `${cli.version.split(' ')[0]} (${cli.path}): ${what}` : `skipped: ${missing}`;

// Each client in an account of its own, so both run at once.
describe.concurrent('AWS CLI against the emulator', () => {
  it.skipIf(v2 === undefined)(
    named(v2, 'setup flow, errors, client-token autofill, teardown', typeof foundV2 === 'string' ? foundV2 : ''),
    { timeout: FLOW_TIMEOUT_MS },
    withSession(v2, '111122223333', setupFlow),
  );
  it.skipIf(v1 === undefined)(
    named(v1, 'second client: template version, client-token autofill, errors', 'no AWS CLI v1 on PATH (an optional second client)'),
    { timeout: FLOW_TIMEOUT_MS },
    withSession(v1, '444455556666', secondClientFlow),
  );
});

const createdVersion = (s: CliSession, args: readonly string[]) =>
  s.ok<{ environmentTemplateVersion: TemplateVersion }>(args).then((out) => out.environmentTemplateVersion);

async function setupFlow(s: CliSession): Promise<void> {
  const et = 'interop-env-template';
  const st = 'interop-svc-template';
  const env = 'interop-env';
  const svc = 'interop-svc';
  const arnPrefix = `arn:aws:proton:${REGION}:${s.account}:`;

  // Templates: names, ARNs in this account, timestamps parsed within the
  // account's virtual clock.
  const before = await s.hooks.now();
  const [etOut, stOut] = await Promise.all([
    s.ok<{ environmentTemplate: Named & { displayName: string } }>([
      'create-environment-template',
      '--name',
      et,
      '--display-name',
      'Interop env',
      '--description',
      'by the AWS CLI',
    ]),
    s.ok<{ serviceTemplate: Named }>(['create-service-template', '--name', st]),
  ]);
  const after = await s.hooks.now();
  expect(etOut.environmentTemplate).toMatchObject({ name: et, displayName: 'Interop env', arn: `${arnPrefix}environment-template/${et}` });
  expect(stOut.serviceTemplate).toMatchObject({ name: st, arn: `${arnPrefix}service-template/${st}` });
  const createdAt = epochMs(s.cli, etOut.environmentTemplate.createdAt);
  expect(createdAt).toBeGreaterThanOrEqual(before - 1000);
  expect(createdAt).toBeLessThanOrEqual(after + 1000);

  // First version: registration, then DRAFT on the virtual clock, then published.
  const first = await createdVersion(s, ['create-environment-template-version', '--template-name', et, '--source', SOURCE]);
  expect(first).toMatchObject({ templateName: et, majorVersion: '1', minorVersion: '0', status: 'REGISTRATION_IN_PROGRESS' });
  await s.passDuration('templateVersionRegistration');
  const draft = await s.ok<{ environmentTemplateVersion: TemplateVersion }>(['get-environment-template-version', ...version(et)]);
  expect(draft.environmentTemplateVersion.status).toBe('DRAFT');
  const published = await s.ok<{ environmentTemplateVersion: TemplateVersion }>([
    'update-environment-template-version',
    ...version(et),
    '--status',
    'PUBLISHED',
  ]);
  expect(published.environmentTemplateVersion.status).toBe('PUBLISHED');

  // Independent calls at once: the environment, the service template's
  // version, errors, and client-token autofill (two calls without
  // --client-token, one of them with --debug; one with an explicit token).
  const createVersion = ['create-environment-template-version', '--template-name', et, '--major-version', '1', '--source', SOURCE];
  const token = 'interop-v2-token';
  const [envOut, stvOut, auto, debugRun, fixed1, missing, invalid, mismatch] = await Promise.all([
    s.ok<{ environment: Named & { deploymentStatus: string; templateName: string } }>([
      'create-environment',
      '--name',
      env,
      '--template-name',
      et,
      '--template-major-version',
      '1',
      '--spec',
      SPEC,
      '--proton-service-role-arn',
      `arn:aws:iam::${s.account}:role/proton-interop`,
    ]),
    s.ok<{ serviceTemplateVersion: TemplateVersion }>([
      'create-service-template-version',
      '--template-name',
      st,
      '--source',
      SOURCE,
      '--compatible-environment-templates',
      `templateName=${et},majorVersion=1`,
    ]),
    createdVersion(s, createVersion),
    s.run([...createVersion, '--debug']),
    createdVersion(s, [...createVersion, '--client-token', token]),
    s.fails(['get-environment', '--name', `${env}-missing`], 'GetEnvironment', 'ResourceNotFoundException'),
    s.fails(['create-environment-template', '--name', 'not a valid name!'], 'CreateEnvironmentTemplate', 'ValidationException'),
    s.fails(
      ['create-environment-template', '--name', et, '--display-name', 'Interop env', '--description', 'a different description'],
      'CreateEnvironmentTemplate',
      'ValidationException',
    ),
  ]);
  expect(envOut.environment).toMatchObject({
    name: env,
    templateName: et,
    arn: `${arnPrefix}environment/${env}`,
    deploymentStatus: 'IN_PROGRESS',
  });
  expect(stvOut.serviceTemplateVersion).toMatchObject({
    templateName: st,
    majorVersion: '1',
    minorVersion: '0',
    status: 'REGISTRATION_IN_PROGRESS',
  });
  expect(missing).toContain(`${env}-missing`);
  expect(invalid).toMatch(/name/);
  expect(mismatch).toContain('Idempotent parameter mismatch');

  // Without a token, each call is a new version. The --debug log shows the
  // token botocore filled in (a UUID4 in the serialized body) and the raw
  // response, with epoch-second timestamps.
  expect(debugRun.code, debugRun.stderr).toBe(0);
  const debugged = (JSON.parse(debugRun.stdout) as { environmentTemplateVersion: TemplateVersion }).environmentTemplateVersion;
  expect(versionId(auto)).not.toBe(versionId(debugged));
  const autofilled = autofilledToken(debugRun.stderr);
  expect(autofilled).toMatch(UUID);
  expect(debugRun.stderr).toMatch(/"createdAt":\s*\d+(\.\d+)?[,}]/);

  await s.passDuration('templateVersionRegistration');
  const [fixed2, replayed, stvPublished] = await Promise.all([
    createdVersion(s, [...createVersion, '--client-token', token]),
    // The autofilled token, now sent explicitly: the server keyed on it.
    createdVersion(s, [...createVersion, '--client-token', autofilled]),
    s.ok<{ serviceTemplateVersion: TemplateVersion }>(['update-service-template-version', ...version(st), '--status', 'PUBLISHED']),
  ]);
  // Same token, same parameters: the original version (progress fields may differ).
  expect(fixed2.arn).toBe(fixed1.arn);
  expect(versionId(fixed2)).toBe(versionId(fixed1));
  expect(versionId(replayed)).toBe(versionId(debugged));
  expect(stvPublished.serviceTemplateVersion.status).toBe('PUBLISHED');
  const drafts = [auto, debugged, fixed1].map((v) => v.minorVersion);
  expect(new Set(drafts).size).toBe(3);

  const svcOut = await s.ok<{ service: Named & { status: string } }>([
    'create-service',
    '--name',
    svc,
    '--template-name',
    st,
    '--template-major-version',
    '1',
    '--spec',
    serviceSpec(env),
  ]);
  expect(svcOut.service).toMatchObject({ name: svc, arn: `${arnPrefix}service/${svc}`, status: 'CREATE_IN_PROGRESS' });

  await s.passDuration('serviceCreation');
  await s.passDuration('environmentDeployment');
  const [gotEnv, gotSvc, envs, versions] = await Promise.all([
    s.ok<{ environment: Named & { deploymentStatus: string } }>(['get-environment', '--name', env]),
    s.ok<{ service: Named & { status: string } }>(['get-service', '--name', svc]),
    s.ok<{ environments: Named[] }>(['list-environments']),
    s.ok<{ templateVersions: TemplateVersion[] }>(['list-environment-template-versions', '--template-name', et]),
  ]);
  expect(gotEnv.environment).toMatchObject({ name: env, deploymentStatus: 'SUCCEEDED' });
  epochMs(s.cli, gotEnv.environment.createdAt);
  expect(gotSvc.service).toMatchObject({ name: svc, status: 'ACTIVE' });
  expect(envs.environments.map((e) => e.name)).toEqual([env]);
  expect(versions.templateVersions.map(versionId).sort()).toEqual(['1.0', ...drafts.map((m) => `1.${m}`)].sort());

  // Teardown: asynchronous deletes report DELETE_IN_PROGRESS and finish on
  // the virtual clock; the counts hook then shows nothing left.
  const [svcDeleting, ...draftDeletes] = await Promise.all([
    s.ok<{ service: Named & { status: string } }>(['delete-service', '--name', svc]),
    ...drafts.map((minor) => createdVersion(s, ['delete-environment-template-version', ...version(et, minor)])),
  ]);
  expect(svcDeleting.service).toMatchObject({ name: svc, status: 'DELETE_IN_PROGRESS' });
  expect(draftDeletes.map((d) => d.minorVersion).sort()).toEqual([...drafts].sort());

  await s.passDuration('serviceDeletion');
  const [envDeleting] = await Promise.all([
    s.ok<{ environment: Named & { deploymentStatus: string } }>(['delete-environment', '--name', env]),
    s.ok(['delete-service-template-version', ...version(st)]),
  ]);
  expect(envDeleting.environment).toMatchObject({ name: env, deploymentStatus: 'DELETE_IN_PROGRESS' });

  await s.passDuration('environmentDeletion');
  await Promise.all([s.ok(['delete-environment-template-version', ...version(et)]), s.ok(['delete-service-template', '--name', st])]);
  await s.ok(['delete-environment-template', '--name', et]);
  const counts = await s.hooks.counts();
  expect(
    Object.values(counts).every((n) => n === 0),
    JSON.stringify(counts),
  ).toBe(true);
}

/** The same serializer and parser checks with another botocore, in fewer calls. */
async function secondClientFlow(s: CliSession): Promise<void> {
  const et = 'interop-second-env-template';
  const token = 'interop-second-token';
  const created = await s.ok<{ environmentTemplate: Named }>(['create-environment-template', '--name', et]);
  expect(created.environmentTemplate.arn).toBe(`arn:aws:proton:${REGION}:${s.account}:environment-template/${et}`);
  epochMs(s.cli, created.environmentTemplate.createdAt);

  const createVersion = ['create-environment-template-version', '--template-name', et, '--source', SOURCE];
  const [auto1, auto2, fixed1, missing] = await Promise.all([
    createdVersion(s, createVersion),
    createdVersion(s, createVersion),
    createdVersion(s, [...createVersion, '--client-token', token]),
    s.fails(['get-environment', '--name', 'interop-second-missing'], 'GetEnvironment', 'ResourceNotFoundException'),
  ]);
  expect(missing).toContain('interop-second-missing');
  const [fixed2, versions] = await Promise.all([
    createdVersion(s, [...createVersion, '--client-token', token]),
    s.ok<{ templateVersions: TemplateVersion[] }>(['list-environment-template-versions', '--template-name', et]),
  ]);
  // Without a major version each create is a new major: three distinct ones,
  // and the retry with the same token returned the third, creating nothing.
  expect(new Set([auto1, auto2, fixed1].map(versionId)).size).toBe(3);
  expect(versionId(fixed2)).toBe(versionId(fixed1));
  expect(fixed2.arn).toBe(fixed1.arn);
  expect(versions.templateVersions.map(versionId).sort()).toEqual([auto1, auto2, fixed1].map(versionId).sort());
  epochMs(s.cli, fixed2.createdAt);
}

/**
 * The clientToken botocore filled in, from `--debug`: its handler logs
 * "injecting idempotency token (<uuid>) into param 'clientToken'", and the
 * serialized body ("Making request for OperationModel(...) with params:
 * {... 'body': b'{...}'}") must carry that same token.
 */
function autofilledToken(debugLog: string): string {
  const injected = /injecting idempotency token \(([^)]+)\) into param 'clientToken'/.exec(debugLog)?.[1];
  expect(injected, 'the --debug log names the injected token').toBeDefined();
  const request = debugLog
    .split('\n')
    .find((line) => line.includes('Making request for OperationModel(name=CreateEnvironmentTemplateVersion)'));
  expect(request, 'the --debug log has the serialized request').toBeDefined();
  const serialized = /"clientToken":\s*"([!-~]+?)"/.exec(request ?? '')?.[1];
  expect(serialized, 'the serialized body carries a clientToken').toBe(injected);
  return serialized ?? '';
}
