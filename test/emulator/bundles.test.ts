// Registration from real template bundles: a real S3-compatible server
// (s3rver) in-process, the fixture bundles packed by the suite's own code
// (harness/bundles/pack.ts) and uploaded with @aws-sdk/client-s3, an emulator
// given that S3 endpoint. Valid bundles reach DRAFT (and publish), broken
// ones REGISTRATION_FAILED with a statusMessage naming the problem, as does a
// missing object; a replay of a create fetches nothing. Then the checks
// themselves (emulator/bundles.ts) on archives made here, and the fetch's
// bounds against an S3 stand-in that holds its answer.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  GetEnvironmentTemplateVersionCommand,
  GetServiceTemplateVersionCommand,
  ListEnvironmentTemplateVersionsCommand,
  ProtonClient,
  UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceTemplateVersionCommand,
} from '@aws-sdk/client-proton';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { create } from 'tar';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BUNDLE_LIMITS,
  BundleProblem,
  BundleRegistrar,
  checkBundle,
  unpackBundle,
  type BundleRegistration,
} from '../../emulator/bundles.ts';
import { startEmulator, type EmulatorOptions } from '../../emulator/index.ts';
import { FIXTURE_BUNDLES, packBundle, TEMPLATES_DIR, type FixtureBundle } from '../../harness/bundles/pack.ts';
import { startS3Server, type S3Server } from '../support/s3-server.ts';
import { failure, REGISTRATION_MS, useEmulator } from './support.ts';

const BUCKET = 'proton-bundles';
const keyOf = (bundle: FixtureBundle) => `fixtures/${bundle.name}.tar.gz`;

let s3: S3Server | undefined;
const server = () => {
  if (s3 === undefined) throw new Error('S3 server not started');
  return s3;
};

async function upload(key: string, body: Uint8Array): Promise<void> {
  await server()
    .client()
    .send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: 'application/gzip' }));
}

// The emulator's options are read in useEmulator's beforeAll, which runs
// after this one: the S3 endpoint is known by then.
const options: EmulatorOptions = {};
beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  options.s3 = { endpoint: s3.endpoint, credentials: s3.credentials, region: s3.region };
  for (const bundle of FIXTURE_BUNDLES) await upload(keyOf(bundle), await packBundle(bundle.dir));
  await upload('replay/environment.tar.gz', await packBundle(FIXTURE_BUNDLES[0]!.dir));
  await upload('junk/not-an-archive.tar.gz', new TextEncoder().encode('this is not a tarball\n'.repeat(20)));
});
afterAll(async () => {
  await s3?.close();
});
const emulator = useEmulator(options);

type Kind = FixtureBundle['kind'];

/** A template of this kind and a version of it from s3://BUCKET/key; answers the version's first status. */
async function createVersion(client: ProtonClient, kind: Kind, name: string, key: string, bucket = BUCKET, clientToken?: string) {
  const source = { s3: { bucket, key } };
  if (kind === 'environment') {
    await client.send(new CreateEnvironmentTemplateCommand({ name })).catch(() => undefined);
    const out = await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: name, source, clientToken }));
    return out.environmentTemplateVersion!;
  }
  await client.send(new CreateServiceTemplateCommand({ name })).catch(() => undefined);
  const out = await client.send(
    new CreateServiceTemplateVersionCommand({
      templateName: name,
      source,
      clientToken,
      compatibleEnvironmentTemplates: [{ templateName: 'some-environment', majorVersion: '1' }],
    }),
  );
  return out.serviceTemplateVersion!;
}

async function getVersion(client: ProtonClient, kind: Kind, templateName: string) {
  const id = { templateName, majorVersion: '1', minorVersion: '0' };
  return kind === 'environment'
    ? (await client.send(new GetEnvironmentTemplateVersionCommand(id))).environmentTemplateVersion!
    : (await client.send(new GetServiceTemplateVersionCommand(id))).serviceTemplateVersion!;
}

function publish(client: ProtonClient, kind: Kind, templateName: string) {
  const input = { templateName, majorVersion: '1', minorVersion: '0', status: 'PUBLISHED' as const };
  return kind === 'environment'
    ? client.send(new UpdateEnvironmentTemplateVersionCommand(input)).then((out) => out.environmentTemplateVersion!)
    : client.send(new UpdateServiceTemplateVersionCommand(input)).then((out) => out.serviceTemplateVersion!);
}

/** The version's status once registration is over (polled: the check runs in real time). */
async function settled(client: ProtonClient, kind: Kind, templateName: string) {
  return vi.waitFor(
    async () => {
      const version = await getVersion(client, kind, templateName);
      if (version.status === 'REGISTRATION_IN_PROGRESS') throw new Error(`${templateName} still registering`);
      return version;
    },
    { timeout: 20_000, interval: 25 },
  );
}

describe('versions registered from bundles in S3 (s3rver)', () => {
  it.each(FIXTURE_BUNDLES.filter((b) => b.valid).map((b) => [b.name, b] as const))(
    'the valid %s bundle registers (DRAFT, with its schema) and publishes',
    async (_name, bundle) => {
      const account = emulator.newAccount();
      const client = emulator.client(account);
      const name = `valid-${bundle.name}`;
      const created = await createVersion(client, bundle.kind, name, keyOf(bundle));
      expect(created.status).toBe('REGISTRATION_IN_PROGRESS');
      await emulator.hooks(account).advance(REGISTRATION_MS);
      const version = await settled(client, bundle.kind, name);
      expect(version.status).toBe('DRAFT');
      expect(version.statusMessage).toBeUndefined();
      expect(version.schema).toBe(await readFile(join(bundle.dir, 'schema', 'schema.yaml'), 'utf8'));
      expect((await publish(client, bundle.kind, name)).status).toBe('PUBLISHED');
    },
  );

  it.each(FIXTURE_BUNDLES.filter((b) => !b.valid).map((b) => [b.name, b] as const))(
    'the broken %s bundle fails to register, the message naming its problem, and can not be published',
    async (_name, bundle) => {
      const account = emulator.newAccount();
      const client = emulator.client(account);
      const name = `broken-${bundle.name}`;
      await createVersion(client, bundle.kind, name, keyOf(bundle));
      await emulator.hooks(account).advance(REGISTRATION_MS);
      const version = await settled(client, bundle.kind, name);
      expect(version.status).toBe('REGISTRATION_FAILED');
      expect(bundle.problem).toBeDefined();
      expect(version.statusMessage).toContain(bundle.problem);
      expect(version.schema).toBeUndefined();
      const refused = await failure(publish(client, bundle.kind, name));
      expect(refused.name).toBe('ValidationException');
      expect(refused.message).toContain('failed to register');
      expect((await getVersion(client, bundle.kind, name)).status).toBe('REGISTRATION_FAILED');
    },
  );

  it('names the exact problems of the two broken bundles', async () => {
    const account = emulator.newAccount();
    const client = emulator.client(account);
    await createVersion(client, 'environment', 'exact-env', keyOf(FIXTURE_BUNDLES.find((b) => b.name === 'environment-broken')!));
    await createVersion(client, 'service', 'exact-svc', keyOf(FIXTURE_BUNDLES.find((b) => b.name === 'service-broken')!));
    await emulator.hooks(account).advance(REGISTRATION_MS);
    expect((await settled(client, 'environment', 'exact-env')).statusMessage).toBe(
      'schema/schema.yaml does not parse: All mapping items must start at the same column at line 11, column 1',
    );
    expect((await settled(client, 'service', 'exact-svc')).statusMessage).toBe(
      'instance_infrastructure/manifest.yaml names cloudformation.yaml, which is not in the bundle',
    );
    // List summaries carry the message too (the model's summary has statusMessage).
    const listed = await client.send(new ListEnvironmentTemplateVersionsCommand({ templateName: 'exact-env' }));
    expect(listed.templateVersions?.[0]?.statusMessage).toContain('does not parse');
  });

  it('a missing object, a missing bucket and an object that is no archive fail, each saying so', async () => {
    const account = emulator.newAccount();
    const client = emulator.client(account);
    await createVersion(client, 'environment', 'no-key', 'fixtures/no-such-bundle.tar.gz');
    await createVersion(client, 'environment', 'no-bucket', 'environment.tar.gz', 'no-such-bucket');
    await createVersion(client, 'environment', 'junk', 'junk/not-an-archive.tar.gz');
    await emulator.hooks(account).advance(REGISTRATION_MS);
    expect((await settled(client, 'environment', 'no-key')).statusMessage).toBe(`s3://${BUCKET}/fixtures/no-such-bundle.tar.gz: NoSuchKey`);
    expect((await settled(client, 'environment', 'no-bucket')).statusMessage).toBe('s3://no-such-bucket/environment.tar.gz: NoSuchBucket');
    const junk = await settled(client, 'environment', 'junk');
    expect(junk.status).toBe('REGISTRATION_FAILED');
    expect(junk.statusMessage).toMatch(/^the bundle is not a readable gzipped tar archive \(/);
  });

  it('an idempotent replay answers the same version and fetches nothing again', async () => {
    const account = emulator.newAccount();
    const client = emulator.client(account);
    const key = 'replay/environment.tar.gz';
    const first = await createVersion(client, 'environment', 'replayed', key, BUCKET, 'token-1');
    await vi.waitFor(() => expect(server().gets(BUCKET, key)).toBe(1), { timeout: 10_000, interval: 25 });
    await emulator.hooks(account).advance(REGISTRATION_MS);
    expect((await settled(client, 'environment', 'replayed')).status).toBe('DRAFT');
    const again = await createVersion(client, 'environment', 'replayed', key, BUCKET, 'token-1');
    expect(again.arn).toBe(first.arn);
    expect(again.status).toBe('DRAFT');
    // A new token is a new version: one more fetch, so the counting works.
    await createVersion(client, 'environment', 'replayed', key, BUCKET, 'token-2');
    await vi.waitFor(() => expect(server().gets(BUCKET, key)).toBe(2), { timeout: 10_000, interval: 25 });
  });

  it("registration also waits for its duration on the account's clock, whatever the check", async () => {
    const account = emulator.newAccount();
    const client = emulator.client(account);
    const hooks = emulator.hooks(account);
    await hooks.setDurations({ templateVersionRegistration: 3_600_000 });
    const bundle = FIXTURE_BUNDLES.find((b) => b.name === 'environment')!;
    const before = server().gets(BUCKET, keyOf(bundle));
    await createVersion(client, 'environment', 'hour-long', keyOf(bundle));
    await vi.waitFor(() => expect(server().gets(BUCKET, keyOf(bundle))).toBe(before + 1), { timeout: 10_000, interval: 25 });
    // The object was served: the check is done or about to be; the hour is not over.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await getVersion(client, 'environment', 'hour-long')).status).toBe('REGISTRATION_IN_PROGRESS');
    await hooks.advance(3_600_000);
    expect((await settled(client, 'environment', 'hour-long')).status).toBe('DRAFT');
  });

  it('the hooks keep working: counts see the versions, reset during a fetch leaves a working account', async () => {
    const account = emulator.newAccount();
    const client = emulator.client(account);
    const hooks = emulator.hooks(account);
    await createVersion(client, 'environment', 'counted', keyOf(FIXTURE_BUNDLES[0]!));
    expect((await hooks.counts())['environmentTemplateVersions']).toBe(1);
    await hooks.reset();
    expect((await hooks.counts())['environmentTemplateVersions'] ?? 0).toBe(0);
    await createVersion(client, 'environment', 'after-reset', keyOf(FIXTURE_BUNDLES[0]!));
    await hooks.advance(REGISTRATION_MS);
    expect((await settled(client, 'environment', 'after-reset')).status).toBe('DRAFT');
  });
});

/** Files of a gzipped tar made with the tar package from `cwd` (entries as given). */
async function archive(cwd: string, entries: string[]): Promise<Map<string, Buffer>> {
  const chunks: Buffer[] = [];
  for await (const chunk of create({ cwd, gzip: true, portable: true }, entries)) chunks.push(Buffer.from(chunk as Uint8Array));
  return unpackBundle(Buffer.concat(chunks));
}

async function filesOf(name: string): Promise<Map<string, Buffer>> {
  const bundle = FIXTURE_BUNDLES.find((b) => b.name === name)!;
  return unpackBundle(await packBundle(bundle.dir));
}

function problemOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BundleProblem);
    return (error as Error).message;
  }
  throw new Error('expected a BundleProblem, the bundle passed');
}

const text = (value: string) => Buffer.from(value);
const SCHEMA = (inputType: string, declared = 'Input') =>
  `schema:\n  format:\n    openapi: "3.0.0"\n  ${inputType}: "${declared}"\n  types:\n    Input:\n` +
  '      type: object\n      properties:\n        x:\n          type: string\n';
const MANIFEST = (file: string) =>
  `infrastructure:\n  templates:\n    - file: "${file}"\n      rendering_engine: jinja\n      template_language: cloudformation\n`;

describe('checkBundle: Proton bundle rules on archives', () => {
  it('reads a bundle whose folders sit under one top folder (as AWS samples pack them) like one at the root', async () => {
    const wrapped = await archive(TEMPLATES_DIR, ['environment']);
    expect([...wrapped.keys()].every((path) => path.startsWith('environment/'))).toBe(true);
    expect(checkBundle('environment', wrapped)).toContain('environment_input_type');
  });

  it('the fixtures pass and fail as their table says', async () => {
    expect(checkBundle('environment', await filesOf('environment'))).toContain('VpcEnvironmentInput');
    expect(checkBundle('service', await filesOf('service'))).toContain('PipelineInput');
    expect(problemOf(() => checkBundle('environment', new Map())).toString()).toBe('schema/schema.yaml is not in the bundle');
  });

  it('names each schema problem', () => {
    const infra = [
      ['infrastructure/manifest.yaml', text(MANIFEST('cloudformation.yaml'))],
      ['infrastructure/cloudformation.yaml', text('Resources: {}\n')],
    ] as const;
    const env = (schema: string) => new Map([['schema/schema.yaml', text(schema)], ...infra]);
    expect(checkBundle('environment', env(SCHEMA('environment_input_type')))).toContain('Input');
    expect(problemOf(() => checkBundle('environment', env('just: [a list\n')))).toMatch(/^schema\/schema.yaml does not parse: /);
    expect(problemOf(() => checkBundle('environment', env('other: 1\n')))).toBe('schema/schema.yaml has no top-level schema: mapping');
    expect(
      problemOf(() => checkBundle('environment', env(SCHEMA('environment_input_type').replace('openapi: "3.0.0"', 'version: 3')))),
    ).toMatch(/no schema\.format\.openapi/);
    expect(problemOf(() => checkBundle('environment', env(SCHEMA('service_input_type'))))).toBe(
      'schema/schema.yaml declares no environment_input_type',
    );
    expect(problemOf(() => checkBundle('environment', env(SCHEMA('environment_input_type', 'Missing'))))).toBe(
      'schema/schema.yaml: environment_input_type names Missing, which is not in schema.types',
    );
    expect(problemOf(() => checkBundle('environment', env(SCHEMA('environment_input_type') + '# x\n'.repeat(20_000))))).toMatch(
      /over the 51200 a template schema may have/,
    );
  });

  it('names each manifest problem, per kind and folder', () => {
    const schema = (type: string, extra = '') =>
      ['schema/schema.yaml', text(SCHEMA(type).replace('  types:', `${extra}  types:`))] as const;
    const svc = (...files: (readonly [string, Buffer])[]) => new Map([schema('service_input_type'), ...files]);
    const instance = (file: string) => ['instance_infrastructure/manifest.yaml', text(MANIFEST(file))] as const;
    const iac = ['instance_infrastructure/cloudformation.yaml', text('Resources: {}\n')] as const;
    expect(checkBundle('service', svc(instance('cloudformation.yaml'), iac))).toContain('service_input_type');
    expect(problemOf(() => checkBundle('service', svc(iac)))).toBe('instance_infrastructure/manifest.yaml is not in the bundle');
    expect(problemOf(() => checkBundle('service', svc(instance('missing.yaml'), iac)))).toBe(
      'instance_infrastructure/manifest.yaml names missing.yaml, which is not in the bundle',
    );
    expect(problemOf(() => checkBundle('service', svc(instance('../schema/schema.yaml'), iac)))).toMatch(
      /names \.\.\/schema\/schema\.yaml, which is not in the bundle/,
    );
    expect(
      problemOf(() =>
        checkBundle('service', svc(['instance_infrastructure/manifest.yaml', text('infrastructure: {templates: [}\n')], iac)),
      ),
    ).toMatch(/^instance_infrastructure\/manifest\.yaml does not parse: /);
    expect(
      problemOf(() =>
        checkBundle('service', svc(['instance_infrastructure/manifest.yaml', text('infrastructure:\n  templates: []\n')], iac)),
      ),
    ).toBe('instance_infrastructure/manifest.yaml lists no infrastructure.templates');
    // The optional pipeline is checked when it is there; its input type must exist when declared.
    expect(
      problemOf(() =>
        checkBundle(
          'service',
          svc(instance('cloudformation.yaml'), iac, ['pipeline_infrastructure/manifest.yaml', text(MANIFEST('p.yaml'))]),
        ),
      ),
    ).toBe('pipeline_infrastructure/manifest.yaml names p.yaml, which is not in the bundle');
    const withPipelineType = new Map([
      schema('service_input_type', '  pipeline_input_type: "Nope"\n'),
      instance('cloudformation.yaml'),
      iac,
    ]);
    expect(problemOf(() => checkBundle('service', withPipelineType))).toBe(
      'schema/schema.yaml: pipeline_input_type names Nope, which is not in schema.types',
    );
    // Terraform's wildcard needs a .tf file; CodeBuild names no file.
    const tf = (files: (readonly [string, Buffer])[]) =>
      new Map([
        schema('environment_input_type'),
        [
          'infrastructure/manifest.yaml',
          text('infrastructure:\n  templates:\n    - file: "*"\n      rendering_engine: hcl\n      template_language: terraform\n'),
        ] as const,
        ...files,
      ]);
    expect(checkBundle('environment', tf([['infrastructure/main.tf', text('# tf\n')]]))).toContain('Input');
    expect(problemOf(() => checkBundle('environment', tf([])))).toBe(
      'infrastructure/manifest.yaml names * (every .tf file), but infrastructure/ has no .tf file',
    );
    const codebuild = new Map([
      schema('environment_input_type'),
      [
        'infrastructure/manifest.yaml',
        text('infrastructure:\n  templates:\n    - rendering_engine: codebuild\n      settings:\n        provision: [make]\n'),
      ] as const,
    ]);
    expect(checkBundle('environment', codebuild)).toContain('Input');
    // A customer managed environment's bundle may be a schema alone; a standard one may not.
    const schemaOnly = new Map([schema('environment_input_type')]);
    expect(checkBundle('environment', schemaOnly, { customerManaged: true })).toContain('Input');
    expect(problemOf(() => checkBundle('environment', schemaOnly))).toBe('infrastructure/manifest.yaml is not in the bundle');
  });

  it('refuses archives that are not gzipped tars, climb out of their root, or exceed the bounds', async () => {
    await expect(unpackBundle(text('plain text, not an archive'.repeat(40)))).rejects.toThrow(/not a readable gzipped tar archive/);
    await expect(unpackBundle(gzipSync(text('gzipped text, not a tar'.repeat(40))))).rejects.toThrow(/not a readable gzipped tar archive/);
    const valid = await packBundle(FIXTURE_BUNDLES[0]!.dir);
    await expect(unpackBundle(valid.subarray(0, valid.length / 2))).rejects.toThrow(/not a readable gzipped tar archive/);
    await expect(unpackBundle(valid, { ...BUNDLE_LIMITS, maxEntries: 2 })).rejects.toThrow('the bundle has more than 2 entries');
    await expect(unpackBundle(valid, { ...BUNDLE_LIMITS, maxUnpackedBytes: 500 })).rejects.toThrow(
      'the bundle unpacks to more than 500 bytes',
    );
    const chunks: Buffer[] = [];
    const climbing = create(
      {
        cwd: TEMPLATES_DIR,
        gzip: true,
        portable: true,
        onWriteEntry: (entry) => {
          entry.path = `../${entry.path}`;
        },
      },
      ['README.md'],
    );
    for await (const chunk of climbing) chunks.push(Buffer.from(chunk as Uint8Array));
    await expect(unpackBundle(Buffer.concat(chunks))).rejects.toThrow(/an entry outside its root/);
  });
});

describe('the fetch: bounded, and registration waits for it', () => {
  /** An S3 stand-in: answers every GET with `body`, but only once released. */
  let held: Server | undefined;
  let release: (() => void) | undefined;
  let body = Buffer.alloc(0);
  let endpoint = '';
  beforeAll(async () => {
    body = Buffer.from(await packBundle(FIXTURE_BUNDLES[0]!.dir));
    const waiting: ServerResponse[] = [];
    release = () => {
      for (const res of waiting.splice(0))
        res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length }).end(body);
    };
    held = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      waiting.push(res);
    });
    held.listen(0, '127.0.0.1');
    await once(held, 'listening');
    endpoint = `http://127.0.0.1:${(held.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    held?.closeAllConnections();
    await new Promise((resolve) => held?.close(resolve));
  });

  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' };
  const done = (registration: BundleRegistration) =>
    vi.waitFor(() => expect(registration.state).not.toBe('checking'), { timeout: 10_000, interval: 20 });

  it('a version stays REGISTRATION_IN_PROGRESS past its duration until the bundle has arrived and passed', async () => {
    const running = await startEmulator({ port: 0, s3: { endpoint, credentials } });
    try {
      const client = new ProtonClient({
        endpoint: running.url,
        region: 'us-east-1',
        credentials: { accessKeyId: '210987654321', secretAccessKey: 'x' },
      });
      await createVersion(client, 'environment', 'slow-s3', 'slow.tar.gz');
      running.advanceClock(REGISTRATION_MS * 10);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await getVersion(client, 'environment', 'slow-s3')).status).toBe('REGISTRATION_IN_PROGRESS');
      release!();
      const version = await settled(client, 'environment', 'slow-s3');
      expect(version.status).toBe('DRAFT');
      expect(version.lastModifiedAt!.getTime()).toBeGreaterThanOrEqual(version.createdAt!.getTime() + REGISTRATION_MS);
      client.destroy();
    } finally {
      await running.close();
    }
  });

  it('closing the emulator aborts a fetch in flight without hanging', async () => {
    const running = await startEmulator({ port: 0, s3: { endpoint, credentials } });
    const client = new ProtonClient({
      endpoint: running.url,
      region: 'us-east-1',
      credentials: { accessKeyId: '210987654321', secretAccessKey: 'x' },
    });
    await createVersion(client, 'environment', 'closing', 'held.tar.gz');
    client.destroy();
    const started = Date.now();
    await running.close();
    expect(Date.now() - started).toBeLessThan(BUNDLE_LIMITS.timeoutMs);
  });

  it('gives up after its timeout, and refuses an object over its size limit', async () => {
    const slow = new BundleRegistrar({ endpoint, credentials }, { ...BUNDLE_LIMITS, timeoutMs: 300 });
    const timedOut = slow.register({ kind: 'environment', bucket: 'b-slow', key: 'k.tar.gz' }, () => Date.now());
    await done(timedOut);
    expect(timedOut).toMatchObject({ state: 'failed', problem: 's3://b-slow/k.tar.gz: S3 did not answer within 0.3 s' });
    await slow.close();

    const small = new BundleRegistrar(
      { endpoint: server().endpoint, credentials: server().credentials },
      { ...BUNDLE_LIMITS, maxArchiveBytes: 100 },
    );
    const tooLarge = small.register({ kind: 'environment', bucket: BUCKET, key: keyOf(FIXTURE_BUNDLES[0]!) }, () => Date.now());
    await done(tooLarge);
    expect(tooLarge.state).toBe('failed');
    expect(tooLarge.problem).toMatch(
      /^s3:\/\/proton-bundles\/fixtures\/environment\.tar\.gz: the bundle is \d+ bytes, over the 100 bytes the emulator reads$/,
    );
    expect(small.fetches).toBe(1);
    await small.close();
  });

  it('refuses S3 options that are not usable', async () => {
    await expect(startEmulator({ port: 0, s3: { endpoint: 'not a url' } })).rejects.toThrow('s3.endpoint must be an http or https URL');
    await expect(startEmulator({ port: 0, s3: { endpoint: 'ftp://127.0.0.1:21' } })).rejects.toThrow(
      's3.endpoint must be an http or https URL',
    );
  });
});

describe('npm run emulator -- --s3-endpoint URL', () => {
  it('reads bundles with the credentials of its environment, says so at startup, and refuses a bad URL', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    };
    for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE']) delete env[name];
    const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', '--port', '0', '--s3-endpoint', server().endpoint], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    try {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const line = await vi.waitFor(
        () => {
          const match = /^Proton emulator listening on (http:\/\/127\.0\.0\.1:\d+) \((.*)\)$/m.exec(stdout);
          if (match === null) throw new Error(`not listening yet: ${stdout}`);
          return match;
        },
        { timeout: 60_000, interval: 50 },
      );
      expect(line[2]).toContain(`bundles: S3 at ${server().endpoint}`);
      const client = new ProtonClient({
        endpoint: line[1],
        region: 'us-east-1',
        credentials: { accessKeyId: '123456789012', secretAccessKey: 'x' },
      });
      const broken = FIXTURE_BUNDLES.find((b) => b.name === 'service-broken')!;
      await createVersion(client, 'service', 'from-cli', keyOf(broken));
      await fetch(`${line[1]}/_conformance/v1/clock/advance`, {
        method: 'POST',
        headers: { 'x-conformance-account': '123456789012', 'content-type': 'application/json' },
        body: JSON.stringify({ ms: REGISTRATION_MS }),
      });
      const version = await settled(client, 'service', 'from-cli');
      expect(version.status).toBe('REGISTRATION_FAILED');
      expect(version.statusMessage).toBe(broken.problem);
      client.destroy();
    } finally {
      child.kill('SIGTERM');
      await once(child, 'close');
    }
    const bad = spawn(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', '--port', '0', '--s3-endpoint', 'ftp://x'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    bad.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(bad, 'close')) as [number];
    expect(code).toBe(2);
    expect(stderr).toBe('proton-emulator: --s3-endpoint: must be an http or https URL, not "ftp://x"\n');
  });
});
