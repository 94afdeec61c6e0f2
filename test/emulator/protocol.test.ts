// The AWS JSON 1.0 framing: what the SDK sees on success and on error, and
// what malformed requests are answered. No rejected request changes state.
import {
  CreateEnvironmentTemplateCommand,
  GetEnvironmentTemplateCommand,
  ListEnvironmentTemplatesCommand,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-proton';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../emulator/protocol.ts';
import { errorStatus, operationNames } from '../../specs/model.ts';
import { OPERATIONS } from '../../emulator/operations.ts';
import { answerViolations, expectApiError, failure, useEmulator } from './support.ts';

const emulator = useEmulator();

describe('successful answers', () => {
  it('carry the JSON 1.0 content type, a request id and epoch-second timestamps', async () => {
    const account = emulator.newAccount();
    const answer = await emulator.raw('CreateEnvironmentTemplate', { name: 'framing' }, { account });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(answer.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const template = answer.json['environmentTemplate'] as Record<string, unknown>;
    expect(typeof template['createdAt']).toBe('number');
    expect(Math.abs((template['createdAt'] as number) * 1000 - Date.now())).toBeLessThan(60_000);
    expect(answerViolations({ operation: 'CreateEnvironmentTemplate', status: 200, body: answer.json })).toEqual([]);
  });

  it('are parsed by the SDK into Dates and strings', async () => {
    const client = emulator.client(emulator.newAccount(), 'eu-west-3');
    const out = await client.send(new CreateEnvironmentTemplateCommand({ name: 'sdk', displayName: 'SDK' }));
    expect(out.environmentTemplate?.createdAt).toBeInstanceOf(Date);
    expect(out.environmentTemplate?.arn).toMatch(/^arn:aws:proton:eu-west-3:\d{12}:environment-template\/sdk$/);
  });

  it('read an empty body as {}', async () => {
    const answer = await emulator.raw('ListEnvironmentTemplates', undefined, { text: '' });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ templates: [] });
  });

  it('read brackets inside strings as text, however many', async () => {
    const account = emulator.newAccount();
    const description = '[{'.repeat(250);
    const answer = await emulator.raw('CreateEnvironmentTemplate', { name: 'brackets', description }, { account });
    expect(answer.status).toBe(200);
    expect((answer.json['environmentTemplate'] as Record<string, unknown>)['description']).toBe(description);
  });

  it('treat a member set to null as absent', async () => {
    const account = emulator.newAccount();
    const answer = await emulator.raw('CreateEnvironmentTemplate', { name: 'nulls', description: null }, { account });
    expect(answer.status).toBe(200);
    expect(answer.json['environmentTemplate']).not.toHaveProperty('description');
  });
});

describe('errors', () => {
  it('carry __type, x-amzn-ErrorType, a request id and the model status', async () => {
    const answer = await emulator.raw('GetEnvironmentTemplate', { name: 'absent' });
    expectApiError(answer, 404, 'ResourceNotFoundException');
    expect(answer.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.json['message']).toMatch(/absent/);
    expect(answerViolations({ operation: 'GetEnvironmentTemplate', status: answer.status, body: answer.json })).toEqual([]);
  });

  it('become the SDK modeled exceptions with their status', async () => {
    const client = emulator.client(emulator.newAccount());
    const notFound = await failure(client.send(new GetEnvironmentTemplateCommand({ name: 'absent' })));
    expect(notFound).toBeInstanceOf(ResourceNotFoundException);
    expect(notFound.$metadata?.httpStatusCode).toBe(errorStatus('ResourceNotFoundException'));
    const invalid = await failure(client.send(new CreateEnvironmentTemplateCommand({ name: '-bad' })));
    expect(invalid).toBeInstanceOf(ValidationException);
    expect(invalid.message).toBe(
      "1 validation error detected: Value '-bad' at 'name' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: ^[0-9A-Za-z]+[0-9A-Za-z_\\-]*$',
    );
  });

  it('count every constraint violation, and leave out sensitive values', async () => {
    const answer = await emulator.raw('CreateEnvironmentTemplate', { name: 'x'.repeat(101), description: 'd'.repeat(501) });
    expect(answer.status).toBe(400);
    expect(answer.json['message']).toMatch(/^2 validation errors detected: Value at 'description' failed/);
    expect(answer.json['message']).toMatch(/at 'name' failed to satisfy constraint: Member must have length less than or equal to 100/);
  });
});

describe('malformed requests', () => {
  const cases: {
    name: string;
    operation: string;
    body?: unknown;
    init?: Parameters<typeof emulator.raw>[2];
    status: number;
    type: string;
  }[] = [
    {
      name: 'malformed JSON',
      operation: 'CreateEnvironmentTemplate',
      init: { text: '{"name": "t' },
      status: 400,
      type: 'SerializationException',
    },
    {
      name: 'a JSON array body',
      operation: 'CreateEnvironmentTemplate',
      init: { text: '[]' },
      status: 400,
      type: 'SerializationException',
    },
    {
      name: 'a JSON string body',
      operation: 'CreateEnvironmentTemplate',
      init: { text: '"t"' },
      status: 400,
      type: 'SerializationException',
    },
    {
      name: 'an unknown member',
      operation: 'CreateEnvironmentTemplate',
      body: { name: 't', colour: 'red' },
      status: 400,
      type: 'SerializationException',
    },
    {
      name: 'a member of the wrong type',
      operation: 'CreateEnvironmentTemplate',
      body: { name: 7 },
      status: 400,
      type: 'SerializationException',
    },
    {
      name: 'a union with no member set',
      operation: 'CreateEnvironmentTemplateVersion',
      body: { templateName: 't', source: {} },
      status: 400,
      type: 'SerializationException',
    },
    { name: 'a missing required member', operation: 'CreateEnvironmentTemplate', body: {}, status: 400, type: 'ValidationException' },
    {
      name: 'an enum value out of the set',
      operation: 'CreateEnvironmentTemplate',
      body: { name: 't', provisioning: 'AWS' },
      status: 400,
      type: 'ValidationException',
    },
    {
      name: 'a wrong content type',
      operation: 'CreateEnvironmentTemplate',
      body: { name: 't' },
      init: { headers: { 'content-type': 'application/json' } },
      status: 400,
      type: 'UnknownOperationException',
    },
    {
      name: 'no content type',
      operation: 'CreateEnvironmentTemplate',
      body: { name: 't' },
      init: { headers: { 'content-type': '' } },
      status: 400,
      type: 'UnknownOperationException',
    },
    {
      name: 'no target',
      operation: 'CreateEnvironmentTemplate',
      body: { name: 't' },
      init: { headers: { 'x-amz-target': '' } },
      status: 400,
      type: 'UnknownOperationException',
    },
    {
      name: "another service's target",
      operation: 'CreateEnvironmentTemplate',
      body: {},
      init: { headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables' } },
      status: 400,
      type: 'UnknownOperationException',
    },
    {
      name: 'an operation outside the model',
      operation: 'CreateEnvironmentTemplatez',
      body: { name: 't' },
      status: 400,
      type: 'UnknownOperationException',
    },
    { name: 'a GET', operation: 'ListEnvironmentTemplates', init: { method: 'GET' }, status: 400, type: 'UnknownOperationException' },
    {
      name: 'a path other than /',
      operation: 'ListEnvironmentTemplates',
      body: {},
      init: { path: '/v1/templates' },
      status: 400,
      type: 'UnknownOperationException',
    },
    {
      name: 'a body nested deeper than 100 levels',
      operation: 'CreateEnvironmentTemplate',
      init: { text: `{"name":"t","tags":${'['.repeat(5000)}${']'.repeat(5000)}}` },
      status: 400,
      type: 'SerializationException',
    },
    {
      name: 'a body over the limit',
      operation: 'CreateEnvironmentTemplate',
      init: { text: `{"name":"t","description":"${'x'.repeat(MAX_BODY_BYTES)}"}` },
      status: 413,
      type: 'RequestEntityTooLargeException',
    },
  ];

  it.each(cases)('$name answers $type and changes nothing', async ({ operation, body, init, status, type }) => {
    const account = emulator.newAccount();
    const hooks = emulator.hooks(account);
    const before = await hooks.counts();
    const answer = await emulator.raw(operation, body, { account, ...init });
    expect(answer.status).toBe(status);
    expect(answer.headers.get('x-amzn-errortype')).toBe(type);
    expect(String(answer.json['__type'])).toMatch(new RegExp(`#${type}$`));
    expect(typeof answer.json['message']).toBe('string');
    expect(await hooks.counts()).toEqual(before);
  });

  it('keeps serving after every malformed request', async () => {
    const client = emulator.client(emulator.newAccount());
    const out = await client.send(new ListEnvironmentTemplatesCommand({}));
    expect(out.templates).toEqual([]);
  });

  it('answers an operation of the model it does not emulate with ValidationException naming it', async () => {
    const answer = await emulator.raw('CreateComponent', { name: 'c', manifest: 'm', templateFile: 't' });
    expect(answer.status).toBe(400);
    expect(answer.json['__type']).toBe('com.amazonaws.proton#ValidationException');
    expect(answer.json['message']).toBe('UnsupportedOperation: CreateComponent is not supported by the proton-conformance emulator');
  });

  it('emulates the operations of the brief and only operations of the model', () => {
    const expected = [
      ...[
        'EnvironmentTemplate',
        'ServiceTemplate',
        'EnvironmentTemplateVersion',
        'ServiceTemplateVersion',
        'Environment',
        'Service',
        'EnvironmentAccountConnection',
      ]
        .flatMap((noun) => ['Create', 'Get', 'Update', 'Delete'].map((verb) => `${verb}${noun}`))
        .concat([
          'ListEnvironmentTemplates',
          'ListServiceTemplates',
          'ListEnvironmentTemplateVersions',
          'ListServiceTemplateVersions',
          'ListEnvironments',
          'ListServices',
          'ListEnvironmentAccountConnections',
        ]),
      'AcceptEnvironmentAccountConnection',
      'RejectEnvironmentAccountConnection',
      'ListTagsForResource',
      'TagResource',
      'UntagResource',
    ];
    expect([...OPERATIONS.keys()].sort()).toEqual(expected.sort());
    for (const name of OPERATIONS.keys()) expect(operationNames).toContain(name);
  });
});
