// Interop: AWS CLI v2 (botocore's own SigV4 signer) against the emulator in
// strict authentication mode (emulator/auth.ts). The right credentials work,
// a session-token credential too; a wrong secret, an unknown key id,
// --no-sign-request and a skewed clock each end the CLI with exit code 254
// and the AWS error name in its message, and leave the emulator's resources
// as they were. The CLI signs with the machine's clock, so the skew is the
// emulator's (its injected clock), not the CLI's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential } from '../../emulator/auth.ts';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { cliSandbox, findCliV2, runCli, type CliResult, type CliSandbox } from './aws-cli.ts';

const probe = cliSandbox('AKIDINTEROPPROBE');
const foundV2 = await findCliV2(probe.env);
const v2 = typeof foundV2 === 'string' ? undefined : foundV2;
probe.dispose();

const GOOD: Credential = { accessKeyId: 'AKIDCLISTRICT001', secretAccessKey: 'cli-good-secret-1', account: '320000000001' };
const TEMP: Credential = {
  accessKeyId: 'ASIACLISTRICT002',
  secretAccessKey: 'cli-temp-secret-2',
  sessionToken: 'cli-session-token-3',
  account: '320000000002',
};
/** What CLI v2 exits with when the service answered an error. */
const SERVICE_ERROR = 254;
const MINUTE = 60_000;

let skewMs = 0;
let emulator: RunningEmulator | undefined;
const sandboxes: CliSandbox[] = [];
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, auth: { mode: 'strict', credentials: [GOOD, TEMP], now: () => Date.now() + skewMs } });
});
afterAll(async () => {
  for (const sandbox of sandboxes) sandbox.dispose();
  await emulator?.close();
});

/** `aws <args> --endpoint-url <emulator>` in a sealed home, signed with these keys (none: --no-sign-request). */
async function aws(
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | 'unsigned',
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  const sandbox = cliSandbox(credentials === 'unsigned' ? 'AKIDUNUSED' : credentials.accessKeyId);
  sandboxes.push(sandbox);
  const env = { ...sandbox.env, ...extraEnv };
  if (credentials !== 'unsigned') {
    env['AWS_SECRET_ACCESS_KEY'] = credentials.secretAccessKey;
    if (credentials.sessionToken !== undefined) env['AWS_SESSION_TOKEN'] = credentials.sessionToken;
  }
  const extra = credentials === 'unsigned' ? ['--no-sign-request'] : [];
  return runCli(v2!.path, [...args, '--endpoint-url', emulator!.url, '--output', 'json', ...extra], env);
}

/** A failed call: the CLI's exit code for a service error and botocore's line naming the error. */
function expectServiceError(result: CliResult, errorName: string, operation: string): string {
  expect(result.code, result.stderr).toBe(SERVICE_ERROR);
  const match = /An error occurred \((\w+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?: (.+)/.exec(result.stderr);
  expect(match, result.stderr).not.toBeNull();
  expect(match![1]).toBe(errorName);
  expect(match![2]).toBe(operation);
  return match![3]!;
}

const create = (name: string) => ['proton', 'create-environment-template', '--name', name];

describe.skipIf(v2 === undefined)(
  `AWS CLI v2 against --auth strict${v2 ? ` (${v2.version.split(' ')[0]})` : `: skipped, ${String(foundV2)}`}`,
  () => {
    it('the right credentials work: a long-term one and a session-token one, each in its account, STS too', async () => {
      const [good, temp, identity] = await Promise.all([
        aws(GOOD, create('cli-strict-good')),
        aws(TEMP, create('cli-strict-temp')),
        aws(GOOD, ['sts', 'get-caller-identity']),
      ]);
      expect(good.code, good.stderr).toBe(0);
      expect(JSON.parse(good.stdout).environmentTemplate.arn).toBe(
        `arn:aws:proton:us-east-1:${GOOD.account}:environment-template/cli-strict-good`,
      );
      expect(temp.code, temp.stderr).toBe(0);
      expect(JSON.parse(temp.stdout).environmentTemplate.arn).toBe(
        `arn:aws:proton:us-east-1:${TEMP.account}:environment-template/cli-strict-temp`,
      );
      expect(identity.code, identity.stderr).toBe(0);
      expect(JSON.parse(identity.stdout)).toMatchObject({ Account: GOOD.account, Arn: `arn:aws:iam::${GOOD.account}:root` });
    });

    it('a wrong secret, an unknown key id, no signature: the AWS error name, exit 254, nothing changed', async () => {
      const before = emulator!.counts();
      const [wrong, unknown, unsigned, noToken, stsWrong] = await Promise.all([
        aws({ ...GOOD, secretAccessKey: 'not-the-secret' }, create('cli-strict-wrong')),
        aws({ accessKeyId: 'AKIDCLINOBODY', secretAccessKey: 'whatever' }, create('cli-strict-unknown')),
        aws('unsigned', create('cli-strict-unsigned')),
        aws({ accessKeyId: TEMP.accessKeyId, secretAccessKey: TEMP.secretAccessKey }, create('cli-strict-no-token')),
        aws({ ...GOOD, secretAccessKey: 'not-the-secret' }, ['sts', 'get-caller-identity']),
      ]);
      expect(expectServiceError(wrong, 'InvalidSignatureException', 'CreateEnvironmentTemplate')).toMatch(
        /^The request signature we calculated does not match the signature you provided\./,
      );
      expect(expectServiceError(unknown, 'UnrecognizedClientException', 'CreateEnvironmentTemplate')).toBe(
        'The security token included in the request is invalid.',
      );
      expect(expectServiceError(unsigned, 'MissingAuthenticationTokenException', 'CreateEnvironmentTemplate')).toBe(
        'Request is missing Authentication Token',
      );
      expectServiceError(noToken, 'UnrecognizedClientException', 'CreateEnvironmentTemplate');
      expectServiceError(stsWrong, 'SignatureDoesNotMatch', 'GetCallerIdentity');
      expect(emulator!.counts()).toEqual(before);
      for (const result of [wrong, unknown, unsigned, noToken, stsWrong]) {
        expect(result.stderr).not.toContain(GOOD.secretAccessKey);
        expect(result.stderr).not.toContain(TEMP.sessionToken);
      }
    });

    it(
      'a clock 20 minutes apart: InvalidSignatureException (Signature expired), exit 254, nothing changed; botocore does not ' +
        'correct it',
      async () => {
        skewMs = 20 * MINUTE;
        try {
          const before = emulator!.counts();
          // Three attempts allowed (the sandbox's default is one): CLI v2 still fails, as it
          // neither retries this error nor corrects its clock by the answer's Date.
          const sandboxed = await aws(GOOD, create('cli-strict-skewed'), { AWS_MAX_ATTEMPTS: '3' });
          const message = expectServiceError(sandboxed, 'InvalidSignatureException', 'CreateEnvironmentTemplate');
          expect(message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
          expect(emulator!.counts()).toEqual(before);
        } finally {
          skewMs = 0;
        }
      },
    );
  },
);
