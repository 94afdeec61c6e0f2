// Shared by the tests of real targets: the reference emulator behind a proxy
// that hides its hooks (test/support/remote-proxy.ts), fixed fake credentials (the
// emulator keeps state per access key id), the counts hook read directly at
// the emulator, planting resources as another party would, and the CLI spawned
// as a user runs it, with the loopback proxy treated as remote.
import { ProtonClient } from '@aws-sdk/client-proton';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { startRemoteProxy } from '../support/remote-proxy.ts';
import { runCliProcess } from '../support/spawn.ts';
import type { RemoteProxy } from '../support/remote-proxy.ts';
import { send } from '../../specs/commands.ts';
import { environmentSpec, roleArn, serviceSpec } from '../../specs/values.ts';

export const REGION = 'us-east-1';
export const ACCOUNT = '111122223333';

export interface FakeCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** Fake credentials of one test (its own emulator account: the key id). */
export function fakeCredentials(tag: string): FakeCredentials {
  const id = `AKIATEST${tag
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .padEnd(12, '0')
    .slice(0, 12)}`;
  return {
    accessKeyId: id,
    secretAccessKey: `fakeSecret/${tag}/0123456789abcdefghijklmnop`,
    sessionToken: `fakeSessionToken/${tag}/ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210`,
  };
}

/** Transitions fast enough for a test, slow enough to be seen in progress. */
export const FAST = {
  templateVersionRegistration: 20,
  environmentDeployment: 50,
  environmentDeletion: 200,
  serviceCreation: 50,
  serviceUpdate: 50,
  serviceDeletion: 200,
};

export interface Remote {
  emulator: RunningEmulator;
  proxy: RemoteProxy;
  close(): Promise<void>;
}

export async function startRemote(options: { account?: string | null; durations?: Partial<typeof FAST> } = {}): Promise<Remote> {
  const emulator = await startEmulator({ port: 0, durations: { ...FAST, ...options.durations } });
  const proxy = await startRemoteProxy({ upstream: emulator.url, account: options.account === undefined ? ACCOUNT : options.account });
  return {
    emulator,
    proxy,
    async close() {
      await proxy.close();
      await emulator.close();
    },
  };
}

export type Counts = Record<string, number>;

/** The emulator's counts hook for an account (the run is never given it). */
export async function counts(emulator: RunningEmulator, credentials: FakeCredentials): Promise<Counts> {
  const response = await fetch(`${emulator.url}/_conformance/v1/counts`, { headers: { 'x-conformance-account': credentials.accessKeyId } });
  return ((await response.json()) as { counts: Counts }).counts;
}

export function total(c: Counts): number {
  return Object.values(c).reduce((a, b) => a + b, 0);
}

/** An SDK client straight at the emulator, as another party acting in the same account. */
export function directClient(emulator: RunningEmulator, credentials: FakeCredentials): ProtonClient {
  return new ProtonClient({ endpoint: emulator.url, region: REGION, credentials, ignoreConfiguredEndpointUrls: true });
}

export type Tags = Array<{ key: string; value: string }>;

export const runTag = (runId: string): Tags => [{ key: 'proton-conformance:run', value: runId }];

/** A run id (newRunId's format) whose time part is `ageMs` ago. */
export function runIdAged(ageMs: number, random = 'test'): string {
  return `${(Date.now() - ageMs).toString(36).slice(-6)}${random}`;
}

async function waitUntil(probe: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** An environment template with published versions 1.0 and 1.1 (1.1 recommended). */
export async function plantEnvironmentTemplate(client: ProtonClient, name: string, tags: Tags): Promise<void> {
  await send(client, 'CreateEnvironmentTemplate', { name, tags });
  for (const minor of ['0', '1']) {
    await send(client, 'CreateEnvironmentTemplateVersion', {
      templateName: name,
      ...(minor === '1' ? { majorVersion: '1' } : {}),
      source: { s3: { bucket: 'conformance-bundles', key: `${name}/1.${minor}.tar.gz` } },
      tags,
    });
    await waitUntil(async () => {
      const got = await send(client, 'GetEnvironmentTemplateVersion', { templateName: name, majorVersion: '1', minorVersion: minor });
      return (got.environmentTemplateVersion as { status: string }).status === 'DRAFT';
    }, 'registration');
    await send(client, 'UpdateEnvironmentTemplateVersion', {
      templateName: name,
      majorVersion: '1',
      minorVersion: minor,
      status: 'PUBLISHED',
    });
  }
}

/** A service template with version 1.0 published, compatible with an environment template's major 1. */
export async function plantServiceTemplate(client: ProtonClient, name: string, environmentTemplate: string, tags: Tags): Promise<void> {
  await send(client, 'CreateServiceTemplate', { name, tags });
  await send(client, 'CreateServiceTemplateVersion', {
    templateName: name,
    source: { s3: { bucket: 'conformance-bundles', key: `${name}/1.0.tar.gz` } },
    compatibleEnvironmentTemplates: [{ templateName: environmentTemplate, majorVersion: '1' }],
    tags,
  });
  await waitUntil(async () => {
    const got = await send(client, 'GetServiceTemplateVersion', { templateName: name, majorVersion: '1', minorVersion: '0' });
    return (got.serviceTemplateVersion as { status: string }).status === 'DRAFT';
  }, 'registration');
  await send(client, 'UpdateServiceTemplateVersion', { templateName: name, majorVersion: '1', minorVersion: '0', status: 'PUBLISHED' });
}

const ROLE = roleArn('proton-service');

/** Everything a run makes, named and tagged as run `runId` would name and tag it. */
export async function plantRun(client: ProtonClient, runId: string, options: { tags?: Tags; prefix?: string } = {}): Promise<void> {
  const tags = options.tags ?? runTag(runId);
  const p = options.prefix ?? `pc${runId}-0`;
  await plantEnvironmentTemplate(client, `${p}-et`, tags);
  await plantServiceTemplate(client, `${p}-st`, `${p}-et`, tags);
  await send(client, 'CreateEnvironment', {
    name: `${p}-env`,
    templateName: `${p}-et`,
    templateMajorVersion: '1',
    spec: environmentSpec('small'),
    protonServiceRoleArn: ROLE,
    tags,
  });
  await send(client, 'CreateService', {
    name: `${p}-svc`,
    templateName: `${p}-st`,
    templateMajorVersion: '1',
    spec: serviceSpec('small'),
    tags,
  });
  await send(client, 'CreateEnvironmentAccountConnection', {
    managementAccountId: '210987654321',
    environmentName: `${p}-conn`,
    roleArn: roleArn('connection'),
    tags,
  });
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** An onStdout for cli(): once stdout has `text`, `act` runs (once). */
export function onceStdout(
  text: string,
  act: (kill: (signal: NodeJS.Signals) => void) => void,
): (stdout: string, kill: (signal: NodeJS.Signals) => void) => void {
  let fired = false;
  return (stdout, kill) => {
    if (fired || !stdout.includes(text)) return;
    fired = true;
    act(kill);
  };
}

/** The CLI as a user runs it, with fake credentials, the proxy treated as remote, nothing of the developer's environment. */
export function cli(
  args: string[],
  credentials: FakeCredentials,
  env: NodeJS.ProcessEnv = {},
  onStdout?: (text: string, kill: (signal: NodeJS.Signals) => void) => void,
): Promise<CliRun> {
  const fullEnv = {
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    PROTON_CONFORMANCE_TREAT_AS_REMOTE: '1',
    ...env,
  };
  return runCliProcess(args, fullEnv, { onStdout: (stdout, child) => onStdout?.(stdout, (signal) => child.kill(signal)) });
}
