// No credential in any output: a run with a secret key and a session token
// (the standard chain's kind) whose check fails and whose target echoes the
// Authorization header back; neither the console nor the JSON report may
// carry the secret, the token or the signature.
import { ListEnvironmentTemplatesCommand } from '@aws-sdk/client-proton';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Catalog } from '../../harness/run/catalog.ts';
import { createPool } from '../../harness/target/http.ts';
import { redactBody, redactHeaders, registerSecret } from '../../harness/client/redact.ts';
import { runConformance } from '../../harness/run/runner.ts';
import { selectCells } from '../../harness/run/select.ts';
import { renderConsole } from '../../reporters/console.ts';
import { reportJson } from '../../reporters/json.ts';
import * as model from '../../specs/model.ts';
import { testRule } from '../support/catalog.ts';
import { startFakeTarget } from '../support/fake-target.ts';
import type { FakeTarget } from '../support/fake-target.ts';

const SECRET = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLEsessiontokenABCDEF';

let fake: FakeTarget;
beforeAll(async () => {
  // A careless target: it echoes the request's Authorization in an error.
  fake = await startFakeTarget({
    proton: (_op, _body, request) => ({
      status: 400,
      body: {
        __type: 'ValidationException',
        message: `bad signature ${String(request.headers.authorization)} token ${String(request.headers['x-amz-security-token'])}`,
      },
      headers: { 'x-amzn-errortype': 'ValidationException', 'set-cookie': `session=${TOKEN}` },
    }),
  });
});
afterAll(async () => {
  await fake.close();
});

it('keeps secrets out of the console and the JSON report', async () => {
  // The target resolution registers the chain's secrets; here, by hand.
  registerSecret(SECRET);
  registerSecret(TOKEN);
  const pool = createPool();
  const catalog: Catalog<string> = {
    rules: [testRule('client-token/format')],
    checks: {
      'client-token/format': async (ctx) => {
        const error = await ctx.client.send(new ListEnvironmentTemplatesCommand({})).catch((e: Error) => e);
        return { verdict: 'fail', reason: `target said: ${String((error as Error).message)}` };
      },
    },
    operation: (name) => name,
  };
  const { report, requests } = await runConformance({
    catalog,
    selection: selectCells(catalog.rules),
    target: {
      endpoint: fake.url,
      embedded: false,
      region: 'us-east-1',
      capabilities: new Set(),
      accounts: false,
      credentials: async () => ({ accessKeyId: 'AKIAEXAMPLEKEYID0001', secretAccessKey: SECRET, sessionToken: TOKEN }),
      pool,
    },
    shapeModel: model,
    runId: 'redact',
    seed: 1,
    numRuns: 1,
    concurrency: 1,
    cellTimeoutMs: 5_000,
  });
  await pool.close();
  const info = { requests, wallMs: 1, interrupted: false };
  const outputs = [renderConsole(report, info, { colour: false, width: 100, evidenceLimit: 12, stepLimit: 15 }), reportJson(report, info)];
  expect(report.results[0]?.verdict).toBe('fail');
  expect(outputs[0]).toContain('target said:');
  for (const output of outputs) {
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain(TOKEN);
    expect(output).not.toMatch(/Signature=[0-9a-f]{16}/);
  }
  expect(outputs[1]).toContain('"authorization": "[redacted]"');
  expect(outputs[1]).toContain('"x-amz-security-token": "[redacted]"');
});

it('redacts credential headers and members by name, never clientToken', () => {
  expect(
    redactHeaders({ Authorization: 'AWS4-HMAC-SHA256 Credential=x', 'x-amz-security-token': 't', 'x-amz-target': 'AwsProton20200720.X' }),
  ).toEqual({
    Authorization: '[redacted]',
    'x-amz-security-token': '[redacted]',
    'x-amz-target': 'AwsProton20200720.X',
  });
  expect(redactBody({ clientToken: 'keep-me', nested: { secretAccessKey: 'x', password: 'y', list: [{ sessionToken: 'z' }] } })).toEqual({
    clientToken: 'keep-me',
    nested: { secretAccessKey: '[redacted]', password: '[redacted]', list: [{ sessionToken: '[redacted]' }] },
  });
});
