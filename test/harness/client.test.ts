// The recording client: what it records (redacted), what the shape ledger
// makes of good and bad responses, and lost responses retried by the SDK.
import { CreateEnvironmentTemplateCommand, ListEnvironmentTemplatesCommand } from '@aws-sdk/client-proton';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProtonClient } from '../../harness/client/client.ts';
import { createPool } from '../../harness/target/http.ts';
import { Recorder, RequestCounter } from '../../harness/client/recorder.ts';
import { ShapeLedger } from '../../harness/client/shape.ts';
import * as model from '../../specs/model.ts';
import { awsError, startFakeTarget } from '../support/fake-target.ts';
import type { FakeTarget } from '../support/fake-target.ts';

const template = (name: string) => ({
  name,
  arn: `arn:aws:proton:us-east-1:123456789012:environment-template/${name}`,
  createdAt: 1_700_000_000,
  lastModifiedAt: 1_700_000_000,
});

let target: FakeTarget;
let created = 0;

beforeAll(async () => {
  target = await startFakeTarget({
    proton(operation, body) {
      if (operation === 'ListEnvironmentTemplates') {
        // Malformed when asked: `templates` must be a list.
        return body['nextToken'] === 'broken' ? { status: 200, body: { templates: 'nope' } } : { status: 200, body: { templates: [] } };
      }
      if (operation === 'CreateEnvironmentTemplate') {
        created++;
        if (body['name'] === 'conflict') return awsError(409, 'ConflictException', 'already there');
        if (body['name'] === 'badstatus') return awsError(418, 'ConflictException', 'odd status');
        return { status: 200, body: { environmentTemplate: template(String(body['name'])) } };
      }
      return awsError(400, 'ValidationException', `unexpected ${operation}`);
    },
  });
});

afterAll(async () => {
  await target.close();
});

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SESSION = 'FwoGZXIvYXdzEXAMPLESESSIONTOKENxyz123456';

function setup(loseResponses = 0) {
  const pool = createPool();
  const shape = new ShapeLedger(model);
  const counter = new RequestCounter();
  const recorder = new Recorder(50, [shape, counter]);
  const client = createProtonClient(
    {
      endpoint: target.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET, sessionToken: SESSION },
      pool,
      sink: recorder,
    },
    { loseResponses, maxAttempts: 3 },
  );
  return { pool, shape, counter, recorder, client };
}

describe('recording client', () => {
  it('records each exchange with credentials redacted', async () => {
    const { client, recorder, pool } = setup();
    await client.send(new ListEnvironmentTemplatesCommand({}));
    const [exchange] = recorder.evidence();
    expect(exchange?.operation).toBe('ListEnvironmentTemplates');
    expect(exchange?.response?.status).toBe(200);
    expect(exchange?.response?.body).toEqual({ templates: [] });
    expect(exchange?.request.headers['authorization']).toBe('[redacted]');
    expect(exchange?.request.headers['x-amz-security-token']).toBe('[redacted]');
    const text = JSON.stringify(recorder.evidence());
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(SESSION);
    expect(text).not.toContain('Signature=');
    await pool.close();
  });

  it('passes the shape rule when every response matches the model', async () => {
    const { client, shape, pool } = setup();
    await client.send(new ListEnvironmentTemplatesCommand({}));
    await client.send(new CreateEnvironmentTemplateCommand({ name: 'fine' }));
    await expect(client.send(new CreateEnvironmentTemplateCommand({ name: 'conflict' }))).rejects.toMatchObject({
      name: 'ConflictException',
    });
    const results = shape.results();
    expect(results.map((r) => [r.operation, r.verdict])).toEqual([
      ['CreateEnvironmentTemplate', 'pass'],
      ['ListEnvironmentTemplates', 'pass'],
    ]);
    expect(results[0]?.reason).toBe('all 2 responses match the model');
    await pool.close();
  });

  it('fails the shape rule on a malformed success, with the offending exchange as evidence', async () => {
    const { client, shape, pool } = setup();
    await client.send(new ListEnvironmentTemplatesCommand({})).catch(() => undefined);
    await client.send(new ListEnvironmentTemplatesCommand({ nextToken: 'broken' })).catch(() => undefined);
    const [result] = shape.results();
    expect(result).toMatchObject({
      rule: 'shape/responses-match-model',
      category: 'shape',
      level: 'MUST',
      operation: 'ListEnvironmentTemplates',
      verdict: 'fail',
    });
    expect(result?.reason).toMatch(/^1 of 2 responses do not match the model: templates: /);
    expect(result?.evidence).toHaveLength(1);
    expect(result?.evidence[0]?.response?.body).toEqual({ templates: 'nope' });
    await pool.close();
  });

  it("fails the shape rule on an error whose HTTP status is not the model's", async () => {
    const { client, shape, pool } = setup();
    await client.send(new CreateEnvironmentTemplateCommand({ name: 'badstatus' })).catch(() => undefined);
    const [result] = shape.results();
    expect(result?.verdict).toBe('fail');
    expect(result?.reason).toContain("HTTP status 418 does not match the model's 409");
    await pool.close();
  });

  it('loses the first response after the target processed it, and the SDK retry resends the same token', async () => {
    const { client, recorder, counter, pool } = setup(1);
    const before = target.received.length;
    const createdBefore = created;
    const output = await client.send(new CreateEnvironmentTemplateCommand({ name: 'lossy' }));
    expect(output.environmentTemplate?.name).toBe('lossy');
    expect(output.$metadata.attempts).toBe(2);
    const sent = target.received.slice(before);
    expect(sent).toHaveLength(2);
    expect(created - createdBefore).toBe(2);
    expect(sent[0]?.headers['amz-sdk-request']).toBe('attempt=1; max=3');
    expect(sent[1]?.headers['amz-sdk-request']).toBe('attempt=2; max=3');
    expect(sent[0]?.headers['amz-sdk-invocation-id']).toBe(sent[1]?.headers['amz-sdk-invocation-id']);
    const [lost, seen] = recorder.evidence();
    expect(lost?.response).toBeUndefined();
    expect(lost?.error).toMatch(/^response lost on purpose \(the target answered HTTP 200/);
    expect(seen?.response?.status).toBe(200);
    expect(counter.count).toBe(2);
    await pool.close();
  });
});
