// Shared by the emulator's tests: an emulator on an ephemeral port, SDK
// clients per account whose every answer is checked against the model, the
// hooks, and raw requests for what the SDK would never send.
import { Readable } from 'node:stream';
import {
  type ServiceInputTypes,
  type ServiceOutputTypes,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  ProtonClient,
  UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceTemplateVersionCommand,
} from '@aws-sdk/client-proton';
import type { DeserializeMiddleware } from '@smithy/types';
import { afterAll, beforeAll, expect } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/index.ts';
import { validateError, validateOutput, type ModelViolation } from '../../specs/model.ts';

export interface Answer {
  operation: string;
  status: number;
  body: unknown;
}

/** Model violations of an answer (success: the output shape; error: type, status and body). */
export function answerViolations(answer: Answer): ModelViolation[] {
  if (answer.status === 200) return validateOutput(answer.operation, answer.body);
  const type = (answer.body as { __type?: unknown } | undefined)?.__type;
  return validateError(typeof type === 'string' ? type : 'missing __type', answer.status, answer.body);
}

/**
 * Starts an emulator for the file's tests; every answer an SDK client of
 * `emulator.client()` receives must match the model (checked as it arrives).
 */
export function useEmulator(options: EmulatorOptions = {}) {
  let running: RunningEmulator | undefined;
  let accountSeq = 0;
  beforeAll(async () => {
    running = await startEmulator({ port: 0, ...options });
  });
  afterAll(async () => {
    await running?.close();
  });
  const url = () => {
    if (running === undefined) throw new Error('emulator not started');
    return running.url;
  };
  return {
    url,
    /** A fresh 12-digit account id, so that each test starts from nothing. */
    newAccount(): string {
      accountSeq += 1;
      return String(200_000_000_000 + accountSeq);
    },
    client(account: string, region = 'us-east-1'): ProtonClient {
      return checkedClient(url(), account, region);
    },
    hooks(account: string) {
      return hooksOf(url(), account);
    },
    raw(operation: string, body: unknown, init: RawInit = {}) {
      return rawCall(url(), operation, body, init);
    },
  };
}

export type TestEmulator = ReturnType<typeof useEmulator>;

function checkedClient(endpoint: string, account: string, region: string): ProtonClient {
  const client = new ProtonClient({
    endpoint,
    region,
    credentials: { accessKeyId: account, secretAccessKey: 'test-secret' },
    maxAttempts: 1,
  });
  // Inside the deserializer: sees the raw HTTP answer, checks it, and hands
  // the deserializer an identical body.
  const modelCheck: DeserializeMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next, context) => async (args) => {
    const result = await next(args);
    const response = result.response as { statusCode: number; body: Readable };
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(Buffer.from(chunk as Uint8Array));
    const text = Buffer.concat(chunks).toString('utf8');
    response.body = Readable.from([Buffer.from(text)]);
    const operation = String(context.commandName).replace(/Command$/, '');
    const answer = { operation, status: response.statusCode, body: text === '' ? {} : JSON.parse(text) };
    expect(answerViolations(answer), `${operation} answer ${text}`).toEqual([]);
    return result;
  };
  // Inside the deserializer: sees the raw HTTP answer, checks it, and hands
  // the deserializer an identical body.
  client.middlewareStack.addRelativeTo(modelCheck, {
    relation: 'after',
    toMiddleware: 'deserializerMiddleware',
    name: 'modelCheck',
  });
  return client;
}

export interface RawInit {
  account?: string;
  headers?: Record<string, string>;
  /** A body sent as is, instead of JSON.stringify(body). */
  text?: string | Buffer;
  method?: string;
  path?: string;
}

export async function rawCall(endpoint: string, operation: string, body: unknown, init: RawInit = {}) {
  const account = init.account ?? '123456789012';
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': `AwsProton20200720.${operation}`,
    authorization: `AWS4-HMAC-SHA256 Credential=${account}/20260101/us-east-1/proton/aws4_request, SignedHeaders=host, Signature=0`,
    ...init.headers,
  };
  for (const [name, value] of Object.entries(headers)) if (value === '') delete headers[name];
  const response = await fetch(`${endpoint}${init.path ?? '/'}`, {
    method: init.method ?? 'POST',
    headers,
    body: init.method === 'GET' ? undefined : (init.text ?? JSON.stringify(body)),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>,
  };
}

/** An error answer as the protocol gives it: the model status, the type in the header and the body, a request id. */
export function expectApiError(answer: RawAnswer, status: number, type: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('x-amzn-errortype')).toBe(type);
  expect(answer.json['__type']).toBe(`com.amazonaws.proton#${type}`);
  expect(answer.headers.get('x-amzn-requestid')).toBeTruthy();
}

export type RawAnswer = Awaited<ReturnType<typeof rawCall>>;

export function hooksOf(endpoint: string, account: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${endpoint}/_conformance/v1/${path}`, {
      method,
      headers: { 'x-conformance-account': account, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`hook ${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    call,
    now: async () => (await call('GET', 'clock'))['epochMs'] as number,
    advance: async (ms: number) => (await call('POST', 'clock/advance', { ms }))['epochMs'] as number,
    setDurations: async (durations: Record<string, number>) =>
      (await call('PUT', 'durations', { durations }))['durations'] as Record<string, number>,
    counts: async () => (await call('GET', 'counts'))['counts'] as Record<string, number>,
    reset: async () => {
      await call('POST', 'reset');
    },
  };
}

/** The error an SDK call throws (fails the test when it succeeds). */
export async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

export const ROLE = 'arn:aws:iam::123456789012:role/proton-service';
export const SOURCE = { s3: { bucket: 'proton-templates', key: 'env.tar.gz' } };
export const REGISTRATION_MS = 2_000;

type Hooks = ReturnType<typeof hooksOf>;

/** An environment template with a published version 1.0 (registration passed on the virtual clock). */
export async function publishedEnvironmentTemplate(client: ProtonClient, hooks: Hooks, name: string): Promise<void> {
  await client.send(new CreateEnvironmentTemplateCommand({ name }));
  await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: name, source: SOURCE }));
  await hooks.advance(REGISTRATION_MS);
  await client.send(
    new UpdateEnvironmentTemplateVersionCommand({ templateName: name, majorVersion: '1', minorVersion: '0', status: 'PUBLISHED' }),
  );
}

/** A service template with a published version 1.0, compatible with `environmentTemplate` 1. */
export async function publishedServiceTemplate(
  client: ProtonClient,
  hooks: Hooks,
  name: string,
  environmentTemplate: string,
): Promise<void> {
  await client.send(new CreateServiceTemplateCommand({ name }));
  await client.send(
    new CreateServiceTemplateVersionCommand({
      templateName: name,
      source: SOURCE,
      compatibleEnvironmentTemplates: [{ templateName: environmentTemplate, majorVersion: '1' }],
    }),
  );
  await hooks.advance(REGISTRATION_MS);
  await client.send(
    new UpdateServiceTemplateVersionCommand({ templateName: name, majorVersion: '1', minorVersion: '0', status: 'PUBLISHED' }),
  );
}
