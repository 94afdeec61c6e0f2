// Strict authentication (emulator/auth.ts, `--auth strict`): SigV4 verified
// against configured credentials, through @aws-sdk/client-proton and
// @aws-sdk/client-sts, and through raw requests for what no SDK sends. Every
// refusal is checked for its AWS name and status and for leaving the
// emulator's state as it was (RunningEmulator.counts()).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEnvironmentTemplateCommand,
  DeleteEnvironmentTemplateCommand,
  ListEnvironmentTemplatesCommand,
  ProtonClient,
  type ProtonClientConfig,
} from '@aws-sdk/client-proton';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIALS_ENV, MAX_SKEW_MS, NodeSha256, type Credential } from '../../emulator/auth.ts';
import { settingsLine } from '../../emulator/flags.ts';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { probeTarget } from '../../harness/target/probe.ts';
import { failure } from './support.ts';

const GOOD: Credential = { accessKeyId: 'AKIDSTRICTGOOD01', secretAccessKey: 'good-secret-value-1', account: '310000000001' };
const TEMP: Credential = {
  accessKeyId: 'ASIASTRICTTEMP02',
  secretAccessKey: 'temp-secret-value-2',
  sessionToken: 'session-token-value-3',
  account: '310000000002',
};
const MINUTE = 60_000;
const JSON_CONTENT = 'application/x-amz-json-1.0';
const FORM_CONTENT = 'application/x-www-form-urlencoded';

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const keys = (c: Credential): Keys => ({
  accessKeyId: c.accessKeyId,
  secretAccessKey: c.secretAccessKey,
  ...(c.sessionToken === undefined ? {} : { sessionToken: c.sessionToken }),
});

/** The emulator's clock is the real one moved by this much (tests skew it, then put it back). */
let skewMs = 0;
let emulator: RunningEmulator;
const logLines: string[] = [];
let nameSeq = 0;
const freshName = () => `strict-${++nameSeq}`;

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    log: (line) => logLines.push(line),
    auth: { mode: 'strict', credentials: [GOOD, TEMP], now: () => Date.now() + skewMs },
  });
});
afterAll(async () => {
  await emulator?.close();
});
afterEach(() => {
  skewMs = 0;
});

function proton(credentials: Keys, config: Partial<ProtonClientConfig> = {}): ProtonClient {
  return new ProtonClient({ endpoint: emulator.url, region: 'us-east-1', credentials, maxAttempts: 1, ...config });
}

function sts(credentials: Keys): STSClient {
  return new STSClient({ endpoint: emulator.url, region: 'us-east-1', credentials, maxAttempts: 1 });
}

/** Runs `act` and checks that no resource appeared or went. */
async function unchanged<T>(act: () => Promise<T>): Promise<T> {
  const before = emulator.counts();
  const result = await act();
  expect(emulator.counts()).toEqual(before);
  return result;
}

type Failure = Error & { $metadata?: { httpStatusCode?: number; attempts?: number } };

/** A Proton create that must be refused with `name`, changing nothing (in any account). */
async function refusedCreate(client: ProtonClient, name: string, status = 400): Promise<Failure> {
  const error = await unchanged(() => failure(client.send(new CreateEnvironmentTemplateCommand({ name: freshName() }))));
  expect(error.name).toBe(name);
  expect(error.$metadata?.httpStatusCode).toBe(status);
  return error as Failure;
}

interface RawOptions {
  credentials?: Keys;
  service?: string;
  region?: string;
  /** Signing time (default now). */
  at?: number;
  target?: string;
  contentType?: string;
  body?: string;
  path?: string;
  method?: string;
  /** Sign an x-amz-content-sha256 header too (default: no). */
  payloadHashHeader?: boolean;
  /** Changes the signed request before it is sent. */
  tamper?: (signed: { headers: Record<string, string>; body: string }) => void;
  unsigned?: boolean;
}

/** One request signed here with SignatureV4 (or not at all), sent with undici; the raw answer. */
async function raw(options: RawOptions = {}) {
  const url = new URL(emulator.url);
  const body = options.body ?? '{}';
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': options.contentType ?? JSON_CONTENT,
  };
  if (options.target !== undefined || options.contentType === undefined) {
    headers['x-amz-target'] = `AwsProton20200720.${options.target ?? 'ListEnvironmentTemplates'}`;
  }
  let sent = { headers, body };
  if (!options.unsigned) {
    const credentials = options.credentials ?? keys(GOOD);
    const signer = new SignatureV4({
      service: options.service ?? 'proton',
      region: options.region ?? 'us-east-1',
      credentials,
      sha256: NodeSha256,
      applyChecksum: options.payloadHashHeader ?? false,
    });
    const unsigned: HttpRequest = {
      method: options.method ?? 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: options.path ?? '/',
      query: {},
      headers,
      body,
    };
    const signed = await signer.sign(unsigned, { signingDate: new Date(options.at ?? Date.now()) });
    sent = { headers: { ...(signed.headers as Record<string, string>) }, body };
  }
  options.tamper?.(sent);
  const response = await request(`${emulator.url}${options.path ?? '/'}`, {
    method: (options.method ?? 'POST') as 'POST',
    headers: sent.headers,
    body: options.method === 'GET' ? undefined : sent.body,
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text };
}

/** A raw JSON refusal: status, both error headers, the body's `__type`. */
function expectJsonRefusal(answer: Awaited<ReturnType<typeof raw>>, name: string): string {
  expect(answer.status, answer.text).toBe(400);
  expect(answer.headers['x-amzn-errortype']).toBe(name);
  expect(answer.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
  expect(answer.headers['content-type']).toBe(JSON_CONTENT);
  const body = JSON.parse(answer.text) as { __type: string; message: string };
  expect(body.__type).toBe(`com.amazon.coral.service#${name}`);
  return body.message;
}

describe('strict authentication: the right credentials', () => {
  it('work through the SDK, each in the account it maps to, a session-token credential too', async () => {
    const name = freshName();
    const before = emulator.counts().environmentTemplates ?? 0;
    const created = await proton(keys(GOOD)).send(new CreateEnvironmentTemplateCommand({ name }));
    expect(created.environmentTemplate?.arn).toBe(`arn:aws:proton:us-east-1:${GOOD.account}:environment-template/${name}`);
    const temp = await proton(keys(TEMP), { region: 'eu-west-1' }).send(new CreateEnvironmentTemplateCommand({ name }));
    // The same name in another account: the session credential's own.
    expect(temp.environmentTemplate?.arn).toBe(`arn:aws:proton:eu-west-1:${TEMP.account}:environment-template/${name}`);
    expect(emulator.counts().environmentTemplates).toBe(before + 2);
    await proton(keys(TEMP)).send(new DeleteEnvironmentTemplateCommand({ name }));
    expect(emulator.counts().environmentTemplates).toBe(before + 1);
  });

  it('answer STS GetCallerIdentity with the account of the credential, not one derived from the key id', async () => {
    for (const credential of [GOOD, TEMP]) {
      const identity = await sts(keys(credential)).send(new GetCallerIdentityCommand({}));
      expect(identity.Account).toBe(credential.account);
      expect(identity.Arn).toBe(`arn:aws:iam::${credential.account}:root`);
    }
  });

  it('log the account of the credential, and - for a refused request', async () => {
    logLines.length = 0;
    await proton(keys(GOOD)).send(new ListEnvironmentTemplatesCommand({}));
    await failure(proton({ ...keys(GOOD), secretAccessKey: 'wrong' }).send(new ListEnvironmentTemplatesCommand({})));
    expect(logLines).toHaveLength(2);
    expect(logLines[0]).toMatch(new RegExp(`Z ${GOOD.account} ListEnvironmentTemplates 200 `));
    expect(logLines[1]).toMatch(/Z - ListEnvironmentTemplates 400 /);
  });
});

describe('strict authentication: refusals through the SDK, nothing changed', () => {
  it('a wrong secret: InvalidSignatureException, HTTP 400', async () => {
    const error = await refusedCreate(proton({ ...keys(GOOD), secretAccessKey: 'not-the-secret' }), 'InvalidSignatureException');
    expect(error.message).toBe(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and ' +
        'signing method. Consult the service documentation for details.',
    );
  });

  it('an unknown key id: UnrecognizedClientException, HTTP 400', async () => {
    const error = await refusedCreate(proton({ accessKeyId: 'AKIDNOBODYKNOWS', secretAccessKey: 'any' }), 'UnrecognizedClientException');
    expect(error.message).toBe('The security token included in the request is invalid.');
    // A 12-digit key id is not an account any more.
    await refusedCreate(proton({ accessKeyId: GOOD.account, secretAccessKey: GOOD.secretAccessKey }), 'UnrecognizedClientException');
  });

  it('a session token missing, wrong, or sent with a long-term credential: UnrecognizedClientException', async () => {
    const { sessionToken: _token, ...noToken } = keys(TEMP);
    await refusedCreate(proton(noToken), 'UnrecognizedClientException');
    await refusedCreate(proton({ ...keys(TEMP), sessionToken: 'session-token-value-4' }), 'UnrecognizedClientException');
    await refusedCreate(proton({ ...keys(GOOD), sessionToken: 'a-token-nobody-issued' }), 'UnrecognizedClientException');
  });

  it('STS in its own protocol: SignatureDoesNotMatch and InvalidClientTokenId, HTTP 403', async () => {
    const wrong = await unchanged(() => failure(sts({ ...keys(GOOD), secretAccessKey: 'nope' }).send(new GetCallerIdentityCommand({}))));
    expect([wrong.name, wrong.$metadata?.httpStatusCode]).toEqual(['SignatureDoesNotMatch', 403]);
    const unknown = await failure(sts({ accessKeyId: 'AKIDNOBODYKNOWS', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({})));
    expect([unknown.name, unknown.$metadata?.httpStatusCode, unknown.message]).toEqual([
      'InvalidClientTokenId',
      403,
      'The security token included in the request is invalid.',
    ]);
  });
});

describe('strict authentication: raw requests', () => {
  it('no signature: MissingAuthenticationTokenException, HTTP 400, with x-amzn-ErrorType', async () => {
    const answer = await unchanged(() =>
      raw({ unsigned: true, target: 'CreateEnvironmentTemplate', body: JSON.stringify({ name: freshName() }) }),
    );
    expect(expectJsonRefusal(answer, 'MissingAuthenticationTokenException')).toBe('Request is missing Authentication Token');
  });

  it('a raw request signed with the right credentials is answered', async () => {
    const answer = await raw({});
    expect(answer.status, answer.text).toBe(200);
    expect(JSON.parse(answer.text)).toHaveProperty('templates');
  });

  it('a wrong secret, an unknown key id: the same names in x-amzn-ErrorType', async () => {
    expectJsonRefusal(await raw({ credentials: { ...keys(GOOD), secretAccessKey: 'bad' } }), 'InvalidSignatureException');
    expectJsonRefusal(await raw({ credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'bad' } }), 'UnrecognizedClientException');
  });

  it('a body changed after signing, or a payload hash that lies: InvalidSignatureException', async () => {
    const name = freshName();
    const body = JSON.stringify({ name });
    const swapped = await unchanged(() =>
      raw({
        target: 'CreateEnvironmentTemplate',
        body,
        tamper: (signed) => {
          signed.body = JSON.stringify({ name: `${name}-x` });
        },
      }),
    );
    expectJsonRefusal(swapped, 'InvalidSignatureException');
    // The client signs a hash header of the original body, then sends another body: the emulator hashes what it got.
    const hashed = await unchanged(() =>
      raw({
        target: 'CreateEnvironmentTemplate',
        body,
        payloadHashHeader: true,
        tamper: (signed) => {
          expect(signed.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
          signed.body = JSON.stringify({ name: `${name}-y` });
        },
      }),
    );
    expectJsonRefusal(hashed, 'InvalidSignatureException');
    // Untouched, the same signed hash header is accepted.
    expect((await raw({ payloadHashHeader: true })).status).toBe(200);
  });

  it('scoped to another service: InvalidSignatureException naming the right one', async () => {
    const message = expectJsonRefusal(await raw({ service: 'dynamodb' }), 'InvalidSignatureException');
    expect(message).toBe("Credential should be scoped to correct service: 'proton'.");
  });

  it('an Authorization header without its parts, or without X-Amz-Date: IncompleteSignatureException', async () => {
    const partial = await raw({
      tamper: (signed) => {
        signed.headers['authorization'] = `AWS4-HMAC-SHA256 Credential=${GOOD.accessKeyId}/20260101/us-east-1/proton/aws4_request`;
      },
    });
    expect(expectJsonRefusal(partial, 'IncompleteSignatureException')).toMatch(
      /^Authorization header requires 'Signature' parameter\. Authorization header requires 'SignedHeaders' parameter\./,
    );
    const undated = await raw({ tamper: (signed) => void delete signed.headers['x-amz-date'] });
    expect(expectJsonRefusal(undated, 'IncompleteSignatureException')).toMatch(/X-Amz-Date/);
  });

  it('STS without a signature: MissingAuthenticationToken, HTTP 403, as an STS XML error', async () => {
    const answer = await raw({ unsigned: true, contentType: FORM_CONTENT, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    expect(answer.status).toBe(403);
    expect(answer.headers['content-type']).toBe('text/xml');
    expect(answer.text).toMatch(
      new RegExp(
        /<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\s*<Error>\s*<Type>Sender<\/Type>\s*/.source +
          /<Code>MissingAuthenticationToken<\/Code>\s*<Message>Request is missing Authentication Token<\/Message>/.source,
      ),
    );
  });

  it('STS signed for proton, not sts: SignatureDoesNotMatch', async () => {
    const answer = await raw({ contentType: FORM_CONTENT, body: 'Action=GetCallerIdentity&Version=2011-06-15', service: 'proton' });
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(answer.text).toContain('<Message>Credential should be scoped to correct service: &apos;sts&apos;.</Message>');
  });
});

describe('strict authentication: the clock (15 minutes either way of the emulator clock)', () => {
  it('a request signed 16 minutes late or early is refused; 14 minutes is within the window', async () => {
    const late = await unchanged(() =>
      raw({ at: Date.now() - 16 * MINUTE, target: 'CreateEnvironmentTemplate', body: JSON.stringify({ name: freshName() }) }),
    );
    expect(expectJsonRefusal(late, 'InvalidSignatureException')).toMatch(
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
    );
    const early = await raw({ at: Date.now() + 16 * MINUTE });
    expect(expectJsonRefusal(early, 'InvalidSignatureException')).toMatch(
      /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)$/,
    );
    expect((await raw({ at: Date.now() - 14 * MINUTE })).status).toBe(200);
    expect((await raw({ at: Date.now() + 14 * MINUTE })).status).toBe(200);
    expect(MAX_SKEW_MS).toBe(15 * MINUTE);
  });

  it('the Date header of every answer is the emulator clock, as a client corrects its own by it', async () => {
    skewMs = 40 * MINUTE;
    const answer = await raw({ at: Date.now() + 40 * MINUTE });
    expect(answer.status).toBe(200);
    const served = Date.parse(String(answer.headers['date']));
    expect(Math.abs(served - (Date.now() + 40 * MINUTE))).toBeLessThan(MINUTE);
  });

  it(
    'SDK, one attempt, emulator clock 20 minutes ahead: InvalidSignatureException (Signature expired); ' + 'the same client then succeeds',
    async () => {
      skewMs = 20 * MINUTE;
      const client = proton(keys(GOOD));
      const error = await refusedCreate(client, 'InvalidSignatureException');
      expect(error.message).toMatch(/^Signature expired: /);
      // The SDK took the emulator's Date header as the server's time (its clock-skew correction)...
      expect(Math.abs((client.config.systemClockOffset ?? 0) - 20 * MINUTE)).toBeLessThan(MINUTE);
      // ...so its next request is signed on the emulator's clock and goes through.
      const listed = await client.send(new ListEnvironmentTemplatesCommand({}));
      expect(listed.$metadata.httpStatusCode).toBe(200);
    },
  );

  it('SDK, one attempt, emulator clock 20 minutes behind: InvalidSignatureException (Signature not yet current)', async () => {
    skewMs = -20 * MINUTE;
    const error = await refusedCreate(proton(keys(GOOD)), 'InvalidSignatureException');
    expect(error.message).toMatch(/^Signature not yet current: /);
  });

  it(
    "SDK with its default retries: the refused attempt changes nothing, the corrected retry creates once (what the SDK's skew " +
      'correction hides)',
    async () => {
      skewMs = 20 * MINUTE;
      const name = freshName();
      const before = emulator.counts().environmentTemplates ?? 0;
      const client = proton(keys(GOOD), { maxAttempts: 3 });
      const created = await client.send(new CreateEnvironmentTemplateCommand({ name }));
      // Attempt 1 refused (Signature expired, a transient error to the SDK), attempt 2 signed on the corrected clock.
      expect(created.$metadata.attempts).toBe(2);
      expect(emulator.counts().environmentTemplates).toBe(before + 1);
    },
  );

  it('SDK with its default retries, emulator clock 20 minutes behind: Signature not yet current, corrected and retried too', async () => {
    skewMs = -20 * MINUTE;
    const listed = await proton(keys(GOOD), { maxAttempts: 3 }).send(new ListEnvironmentTemplatesCommand({}));
    expect(listed.$metadata.attempts).toBe(2);
  });

  it(
    'SDK ahead by its own offset (systemClockOffset +20 min): Signature not yet current is not retried (the correction is to 0, ' +
      'under 4 minutes)',
    async () => {
      const client = proton(keys(GOOD), { systemClockOffset: 20 * MINUTE, maxAttempts: 3 });
      const error = await refusedCreate(client, 'InvalidSignatureException');
      expect(error.message).toMatch(/^Signature not yet current: /);
      expect(error.$metadata?.attempts).toBe(1);
      // Corrected all the same: the next request goes through.
      expect((await client.send(new ListEnvironmentTemplatesCommand({}))).$metadata.attempts).toBe(1);
    },
  );

  it('SDK signing on a skewed clock of its own (systemClockOffset -20 min): refused with one attempt, corrected by the retry', async () => {
    const once = await refusedCreate(proton(keys(GOOD), { systemClockOffset: -20 * MINUTE }), 'InvalidSignatureException');
    expect(once.message).toMatch(/^Signature expired: /);
    const retried = await proton(keys(GOOD), { systemClockOffset: -20 * MINUTE, maxAttempts: 3 }).send(
      new ListEnvironmentTemplatesCommand({}),
    );
    expect(retried.$metadata.attempts).toBe(2);
  });

  it('STS on a skewed emulator clock: SignatureDoesNotMatch (Signature expired), HTTP 403', async () => {
    skewMs = 20 * MINUTE;
    const error = await failure(sts(keys(GOOD)).send(new GetCallerIdentityCommand({})));
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['SignatureDoesNotMatch', 403]);
    expect(error.message).toMatch(/^Signature expired: /);
  });
});

describe('strict authentication: no hooks', () => {
  it('offers none: the hooks paths are API paths like any other, the suite finds no capabilities', async () => {
    expect(emulator.hooks).toEqual([]);
    expect(await probeTarget(emulator.url)).toEqual(new Set());
    const unsigned = await raw({ unsigned: true, method: 'GET', path: '/_conformance/v1/capabilities' });
    expectJsonRefusal(unsigned, 'MissingAuthenticationTokenException');
    // Signed, it is still not a hook: the API answers POST / only.
    const signed = await raw({ method: 'GET', path: '/_conformance/v1/capabilities', body: '' });
    expectJsonRefusal(signed, 'UnknownOperationException');
  });

  it('an unsigned reset or clock jump changes nothing', async () => {
    const name = freshName();
    await proton(keys(GOOD)).send(new CreateEnvironmentTemplateCommand({ name }));
    await unchanged(async () => {
      for (const path of ['/_conformance/v1/reset', '/_conformance/v1/clock/advance']) {
        const answer = await raw({
          unsigned: true,
          path,
          body: '{"ms": 1}',
          tamper: (s) => {
            s.headers['x-conformance-account'] = GOOD.accessKeyId;
          },
        });
        expect(answer.status).toBe(400);
      }
    });
    const listed = await proton(keys(GOOD)).send(new ListEnvironmentTemplatesCommand({}));
    expect(listed.templates?.map((t) => t.name)).toContain(name);
  });
});

describe('strict authentication: options', () => {
  it('is checked before the weather: a refused request is never throttled', async () => {
    const stormy = await startEmulator({ port: 0, weather: { throttle: 1 }, auth: { mode: 'strict', credentials: [GOOD] } });
    try {
      const client = new ProtonClient({
        endpoint: stormy.url,
        region: 'us-east-1',
        credentials: { ...keys(GOOD), secretAccessKey: 'x' },
        maxAttempts: 1,
      });
      expect((await failure(client.send(new ListEnvironmentTemplatesCommand({})))).name).toBe('InvalidSignatureException');
      const right = new ProtonClient({ endpoint: stormy.url, region: 'us-east-1', credentials: keys(GOOD), maxAttempts: 1 });
      expect((await failure(right.send(new ListEnvironmentTemplatesCommand({})))).name).toBe('ThrottlingException');
    } finally {
      await stormy.close();
    }
  });

  it('startEmulator refuses bad credentials and hooks with strict mode, never quoting a secret', async () => {
    const cases: [unknown, RegExp][] = [
      [[], /empty/],
      [
        [{ ...GOOD }, { ...GOOD, secretAccessKey: 'other-secret' }],
        /entry 2: accessKeyId AKIDSTRICTGOOD01 is already the key id of entry 1/,
      ],
      [[{ ...GOOD, account: '12345' }], /entry 1 \(AKIDSTRICTGOOD01\): account must be a string of 12 digits/],
      [[{ ...GOOD, secretAccessKey: '' }], /secretAccessKey must be a non-empty string/],
      [[{ ...GOOD, sessionToken: 7 }], /sessionToken, when given, must be a non-empty string/],
      [[{ ...GOOD, secret: 'x' }], /unknown member "secret"/],
      [[{ ...GOOD, accessKeyId: 'has/slash' }], /accessKeyId must be/],
    ];
    for (const [credentials, pattern] of cases) {
      const error = await failure(startEmulator({ port: 0, auth: { mode: 'strict', credentials: credentials as Credential[] } }));
      expect(error.message).toMatch(pattern);
      expect(error.message).not.toContain(GOOD.secretAccessKey);
      expect(error.message).not.toContain('other-secret');
    }
    await expect(startEmulator({ port: 0, hooks: ['clock'], auth: { mode: 'strict', credentials: [GOOD] } })).rejects.toThrow(
      /hooks are off in strict auth mode/,
    );
    await expect(startEmulator({ port: 0, auth: { mode: 'sloppy' } as never })).rejects.toThrow(/auth.mode must be 'open' or 'strict'/);
  });

  it('says how many credentials, not which, in RunningEmulator.auth and the startup line', async () => {
    expect(emulator.auth).toEqual({ mode: 'strict', credentials: 2 });
    const line = settingsLine(emulator, { faults: [], variants: [] });
    expect(line).toBe('hooks: none; durations: default; weather: none; auth strict (2 credentials)');
    const open = await startEmulator({ port: 0 });
    try {
      expect(open.auth).toEqual({ mode: 'open', credentials: 0 });
      expect(settingsLine(open, { faults: [], variants: [] })).not.toContain('auth');
    } finally {
      await open.close();
    }
  });
});

describe('npm run emulator -- --auth strict', () => {
  const dir = mkdtempSync(join(tmpdir(), 'proton-auth-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', '--port', '0', ...args], {
      cwd: new URL('../..', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // Started: that is all these tests need to see.
      if (stdout.includes('\n')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, stdout, stderr };
  }

  it('starts with --credentials FILE, or the environment variable, and says how many', async () => {
    const path = file('two.json', JSON.stringify([GOOD, TEMP]));
    const fromFile = await cli(['--auth', 'strict', '--credentials', path]);
    expect(fromFile.stdout).toMatch(
      /^Proton emulator listening on http:\/\/127\.0\.0\.1:\d+ \(hooks: none; .*; auth strict \(2 credentials\)\)$/m,
    );
    const fromEnv = await cli(['--auth', 'strict'], { [CREDENTIALS_ENV]: JSON.stringify([GOOD]) });
    expect(fromEnv.stdout).toContain('auth strict (1 credential))');
    for (const run of [fromFile, fromEnv]) {
      expect(run.stdout + run.stderr).not.toContain(GOOD.secretAccessKey);
      expect(run.stdout + run.stderr).not.toContain(TEMP.sessionToken);
    }
  });

  it('ends with one line and exit 2 on missing, unreadable or bad credentials, never echoing a secret', async () => {
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['--auth', 'strict'], {}, /--auth strict needs credentials: --credentials FILE, or the JSON in PROTON_EMULATOR_CREDENTIALS/],
      [['--auth', 'strict', '--credentials', join(dir, 'absent.json')], {}, /absent\.json: no such file/],
      [
        ['--auth', 'strict', '--credentials', file('bad.json', `[{"accessKeyId": "A", "secretAccessKey": "${GOOD.secretAccessKey}"`)],
        {},
        /bad\.json: not valid JSON/,
      ],
      [['--auth', 'strict', '--credentials', file('shape.json', JSON.stringify({ accessKeyId: 'A' }))], {}, /expected a JSON array/],
      [
        ['--auth', 'strict', '--credentials', file('dup.json', JSON.stringify([GOOD, GOOD]))],
        {},
        /entry 2: accessKeyId AKIDSTRICTGOOD01 is already the key id of entry 1/,
      ],
      [
        ['--auth', 'strict', '--credentials', file('account.json', JSON.stringify([{ ...GOOD, account: 'x' }]))],
        {},
        /account must be a string of 12 digits/,
      ],
      [['--auth', 'strict'], { [CREDENTIALS_ENV]: `[${GOOD.secretAccessKey}` }, /PROTON_EMULATOR_CREDENTIALS: not valid JSON/],
      [['--auth', 'sometimes'], {}, /--auth must be open or strict, not "sometimes"/],
      [['--credentials', file('open.json', JSON.stringify([GOOD]))], {}, /--credentials needs --auth strict/],
      [
        ['--auth', 'strict', '--hooks', 'clock', '--credentials', file('hooks.json', JSON.stringify([GOOD]))],
        {},
        /strict auth mode offers no hooks/,
      ],
    ];
    // Two at a time: each start costs the TypeScript loader's CPU.
    const runs: Awaited<ReturnType<typeof cli>>[] = [];
    for (let i = 0; i < cases.length; i += 2) runs.push(...(await Promise.all(cases.slice(i, i + 2).map(([args, env]) => cli(args, env)))));
    runs.forEach((run, i) => {
      const [args, , pattern] = cases[i]!;
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^proton-emulator: /);
      expect(lines[0]).toMatch(pattern);
      expect(run.stderr).not.toContain(GOOD.secretAccessKey);
    });
  });

  it('--help names --auth and --credentials', async () => {
    const help = await cli(['--help']);
    expect(help.stdout).toMatch(/--auth MODE\s+open \(default\)/);
    expect(help.stdout).toMatch(/--credentials FILE/);
    expect(help.stdout).toContain(CREDENTIALS_ENV);
  });
});
