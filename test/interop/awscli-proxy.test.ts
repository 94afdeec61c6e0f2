// Interop on a faulty wire: AWS CLI v2 behind the standalone wire proxy
// (`proton-conformance proxy`, cli/proxy.ts) whose schedule drops the
// response to the first delivery of every create and delete (the target has
// acted; the CLI sees its connection closed). botocore's own retries (the
// CLI's standard mode, three attempts, the same serialized request: the same
// autofilled client token, the same name) must leave exactly one resource
// per create, and the retried delete must succeed.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { BIN } from '../support/spawn.ts';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { createHooks } from '../../harness/target/hooks.ts';
import { cliSandbox, findCliV2, runCli } from './aws-cli.ts';

const probe = cliSandbox('AKIDINTEROPPROBE');
const foundV2 = await findCliV2(probe.env);
const v2 = typeof foundV2 === 'string' ? undefined : foundV2;
probe.dispose();

const ACCOUNT = '777788889999';
const SOURCE = 's3={bucket=proton-interop-templates,key=bundles/template.tar.gz}';

let emulator: RunningEmulator;
let proxy: ChildProcess;
let proxyUrl = '';
const proxyLog: string[] = [];

/** Starts the standalone proxy and resolves with the URL it prints. */
function startProxyProcess(target: string): Promise<string> {
  proxy = spawn(process.execPath, [BIN, 'proxy', '--target', target, '--faults', 'drop@first', '--seed', '7'], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proxy.stderr!.on('data', (chunk: Buffer) => proxyLog.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  return new Promise((resolve, reject) => {
    let out = '';
    proxy.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((l) => l.startsWith('http://'));
      if (line) resolve(line.trim());
    });
    proxy.once('exit', (code) => reject(new Error(`the proxy exited ${code}: ${proxyLog.join('\n')}`)));
  });
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  proxyUrl = await startProxyProcess(emulator.url);
}, 30_000);

afterAll(async () => {
  if (proxy && proxy.exitCode === null) {
    const exited = new Promise<number | null>((resolve) => proxy.once('exit', (code) => resolve(code)));
    proxy.kill('SIGINT');
    expect(await exited).toBe(130);
  }
  await emulator?.close();
});

describe('AWS CLI v2 behind the wire proxy (lost responses)', () => {
  it.skipIf(v2 === undefined)(
    v2 ? `${v2.version.split(' ')[0]}: its own retries leave exactly one resource per create` : `skipped: ${String(foundV2)}`,
    { timeout: 120_000 },
    async () => {
      const sandbox = cliSandbox(ACCOUNT);
      // The CLI's own retries: standard mode, three attempts (the sandbox's default is one).
      const env = { ...sandbox.env, AWS_MAX_ATTEMPTS: '3', AWS_RETRY_MODE: 'standard' };
      const aws = async <T>(...args: string[]): Promise<T> => {
        const result = await runCli(v2!.path, ['proton', ...args, '--endpoint-url', proxyUrl, '--output', 'json'], env);
        expect(result.code, `aws proton ${args.join(' ')}: ${result.stderr}`).toBe(0);
        return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as T;
      };
      const pool = new Pool(emulator.url);
      const hooks = createHooks({ endpoint: emulator.url, pool, capabilities: new Set(['counts']), account: ACCOUNT });
      try {
        const template = await aws<{ environmentTemplate: { name: string } }>('create-environment-template', '--name', 'wire-env-template');
        expect(template.environmentTemplate.name).toBe('wire-env-template');
        const service = await aws<{ serviceTemplate: { name: string } }>('create-service-template', '--name', 'wire-svc-template');
        expect(service.serviceTemplate.name).toBe('wire-svc-template');
        // No --client-token: botocore fills one in, and its retries carry the same bytes.
        const versions = [];
        for (let i = 0; i < 2; i++) {
          const out = await aws<{ environmentTemplateVersion: { minorVersion: string; majorVersion: string } }>(
            'create-environment-template-version',
            '--template-name',
            'wire-env-template',
            '--source',
            SOURCE,
          );
          versions.push(`${out.environmentTemplateVersion.majorVersion}.${out.environmentTemplateVersion.minorVersion}`);
        }
        expect(new Set(versions).size).toBe(2);
        const counts = await hooks.counts();
        expect(counts['environmentTemplates'], JSON.stringify(counts)).toBe(1);
        expect(counts['serviceTemplates'], JSON.stringify(counts)).toBe(1);
        // Two calls, two versions: exactly one each, though every first response was lost.
        expect(counts['environmentTemplateVersions'], JSON.stringify(counts)).toBe(2);
        const listed = await aws<{ templateVersions: Array<{ majorVersion: string; minorVersion: string }> }>(
          'list-environment-template-versions',
          '--template-name',
          'wire-env-template',
        );
        expect(listed.templateVersions.map((v) => `${v.majorVersion}.${v.minorVersion}`).sort()).toEqual([...versions].sort());

        // A delete whose response is lost: the CLI's retry succeeds (the deleted metadata or empty).
        await aws('delete-service-template', '--name', 'wire-svc-template');
        expect((await hooks.counts())['serviceTemplates']).toBe(0);

        // The proxy really dropped the first response of each of the five mutations, and the CLI retried each.
        const drops = proxyLog.filter((line) => / drop; /.test(line));
        expect(drops, proxyLog.join('\n')).toHaveLength(5);
        for (const line of drops) expect(line).toMatch(/attempt 1: drop; target: HTTP 200/);
      } finally {
        sandbox.dispose();
        await pool.close();
      }
    },
  );
});
