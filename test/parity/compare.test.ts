// The parity normaliser and comparison (parity/normalise.ts, parity/compare.ts)
// on hand-made answers: references keep identity, ARNs keep their shape,
// lists are ordered as the model says, the error type keeps its namespace,
// and --ignore drops paths with * segments.
import { describe, expect, it } from 'vitest';
import { compareAnswers, differingPaths, IgnoreList, pathSegments } from '../../parity/compare.ts';
import { Normaliser, withoutTimestampIdentity } from '../../parity/normalise.ts';
import { errorTypeOf } from '../../parity/send.ts';
import type { ParityAnswer } from '../../parity/types.ts';

const ID_A = '0f8fad5b-d9cb-469f-a165-70867728950e';
const ID_B = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const PLACE = { operation: 'GetEnvironmentTemplate', sequence: 's', step: 0 };

const ok = (body: unknown): ParityAnswer => ({ status: 200, body });

describe('Normaliser', () => {
  it('numbers ids, accounts, timestamps and tokens by first sight, the same value the same reference', () => {
    const n = new Normaliser('us-east-1');
    const body = n.answer(
      'ListEnvironmentAccountConnections',
      ok({
        environmentAccountConnections: [
          {
            id: ID_A,
            arn: `arn:aws:proton:us-east-1:111122223333:environment-account-connection/${ID_A}`,
            environmentAccountId: '111122223333',
            managementAccountId: '444455556666',
            requestedAt: 1_700_000_000.5,
            lastModifiedAt: 1_700_000_000.5,
          },
        ],
        nextToken: 'abc=',
      }),
    ).body;
    expect(body).toEqual({
      environmentAccountConnections: [
        {
          id: '<uuid:1>',
          arn: 'arn:aws:proton:<region>:<account:1>:environment-account-connection/<uuid:1>',
          environmentAccountId: '<account:1>',
          managementAccountId: '<account:2>',
          requestedAt: '<timestamp:1>',
          lastModifiedAt: '<timestamp:1>',
        },
      ],
      nextToken: '<token:1>',
    });
    expect(n.ref('uuid', ID_B)).toBe('<uuid:2>');
  });

  it('keeps an ARN formed another way apart: another region, another resource shape', () => {
    const n = new Normaliser('us-east-1');
    const arn = (value: string): unknown =>
      (n.answer('GetEnvironment', ok({ environment: { arn: value } })).body as { environment: { arn: string } }).environment.arn;
    expect(arn('arn:aws:proton:us-east-1:123456789012:environment/e1')).toBe('arn:aws:proton:<region>:<account:1>:environment/e1');
    expect(arn('arn:aws:proton:eu-west-1:123456789012:environment/e1')).toBe('arn:aws:proton:eu-west-1:<account:1>:environment/e1');
    expect(arn('arn:aws:proton:us-east-1:123456789012:environments/e1')).toBe('arn:aws:proton:<region>:<account:1>:environments/e1');
  });

  it('replaces ARNs, ids and accounts inside a message', () => {
    const n = new Normaliser('us-east-1');
    const answer = n.answer('GetEnvironment', {
      status: 404,
      errorType: 'com.amazonaws.proton#ResourceNotFoundException',
      body: {
        __type: 'com.amazonaws.proton#ResourceNotFoundException',
        message: `No arn:aws:proton:us-east-1:123456789012:environment/e1. Request ${ID_A} in 123456789012.`,
      },
    });
    expect(answer).toEqual({
      status: 404,
      errorType: 'com.amazonaws.proton#ResourceNotFoundException',
      body: { message: 'No arn:aws:proton:<region>:<account:1>:environment/e1. Request <uuid:1> in <account:1>.' },
    });
  });

  it("compares a paginated output's items in no order, and keeps every other list's order", () => {
    const template = (name: string, at: number) => ({
      name,
      arn: `arn:aws:proton:us-east-1:123456789012:environment-template/${name}`,
      createdAt: at,
    });
    const list = (items: unknown[]) => new Normaliser('us-east-1').answer('ListEnvironmentTemplates', ok({ templates: items })).body;
    expect(list([template('a', 1), template('b', 2)])).toEqual(list([template('b', 2), template('a', 1)]));
    const sources = (items: string[]) =>
      new Normaliser('us-east-1').answer('GetServiceTemplateVersion', ok({ serviceTemplateVersion: { supportedComponentSources: items } }))
        .body;
    expect(sources(['DIRECTLY_DEFINED', 'X'])).not.toEqual(sources(['X', 'DIRECTLY_DEFINED']));
  });

  it('drops the numbers of timestamps where the clocks were not moved together', () => {
    expect(withoutTimestampIdentity({ a: ['<timestamp:3>', '<uuid:1>'] })).toEqual({ a: ['<timestamp>', '<uuid:1>'] });
  });
});

describe('errorTypeOf', () => {
  it("takes the body's __type with its namespace, cut at a colon, before the header", () => {
    const coral = { __type: 'com.amazon.coral.validate#ValidationException:http://internal/' };
    expect(errorTypeOf({ 'x-amzn-errortype': 'ValidationException' }, coral)).toBe('com.amazon.coral.validate#ValidationException');
    expect(errorTypeOf({ 'x-amzn-errortype': 'ConflictException' }, {})).toBe('ConflictException');
    expect(errorTypeOf({}, 'not json')).toBeUndefined();
  });
});

describe('compareAnswers', () => {
  it('reports the status, the error type and each differing member by path, with both values', () => {
    const reference: ParityAnswer = { status: 200, body: { environmentTemplate: { name: 't', tags: ['a', 'b'] } } };
    const candidate: ParityAnswer = {
      status: 400,
      errorType: 'com.amazonaws.proton#ValidationException',
      body: { environmentTemplate: { tags: ['a'], 'odd key': 1 } },
    };
    expect(compareAnswers(reference, candidate, PLACE).map((d) => [d.path, d.reference, d.candidate])).toEqual([
      ['$.status', 200, 400],
      ['$.errorType', undefined, 'com.amazonaws.proton#ValidationException'],
      ['$.body.environmentTemplate.name', 't', undefined],
      ['$.body.environmentTemplate["odd key"]', undefined, 1],
      ['$.body.environmentTemplate.tags[1]', 'b', undefined],
    ]);
  });

  it('finds nothing between equal answers, and counts a null member as absent', () => {
    expect(compareAnswers(ok({ a: { b: [1, { c: 'x' }] } }), ok({ a: { b: [1, { c: 'x' }] } }), PLACE)).toEqual([]);
    expect(differingPaths('$.body', { a: null }, {})).toEqual([]);
  });
});

describe('--ignore', () => {
  it('drops a path and what is under it; * is any one segment', () => {
    const ignore = new IgnoreList(['$.body.*.message', '$.body.templates[*].createdAt', '$.errorType']);
    expect(ignore.ignores('$.body.environment.message')).toBe(true);
    expect(ignore.ignores('$.body.environment.message.deeper')).toBe(true);
    expect(ignore.ignores('$.body.message')).toBe(false);
    expect(ignore.ignores('$.body.templates[3].createdAt')).toBe(true);
    expect(ignore.ignores('$.body.templates[3].name')).toBe(false);
    expect(ignore.ignores('$.errorType')).toBe(true);
    expect(ignore.ignores('$.status')).toBe(false);
  });

  it('reads quoted members, and refuses what is not a JSON path', () => {
    expect(pathSegments('$.body["odd key"][2]')).toEqual(['$', 'body', 'odd key', '2']);
    expect(() => new IgnoreList(['body.message'])).toThrow(/not a JSON path/);
    expect(() => new IgnoreList(['$.body..x'])).toThrow(/not a JSON path/);
  });
});

describe('Normaliser: echoes of the input', () => {
  it("keeps a string the sequence's inputs hold as it is, whatever account the target runs in", () => {
    const role = 'arn:aws:iam::123456789012:role/proton-service';
    const answer = (own: string) =>
      new Normaliser('us-east-1', true, new Set([role])).answer(
        'GetEnvironment',
        ok({ environment: { arn: `arn:aws:proton:us-east-1:${own}:environment/e`, protonServiceRoleArn: role } }),
      ).body;
    expect(answer('123456789012')).toEqual(answer('400000000001'));
    expect(answer('123456789012')).toEqual({
      environment: { arn: 'arn:aws:proton:<region>:<account:1>:environment/e', protonServiceRoleArn: role },
    });
  });
});
