// The fuzz oracle itself: it must flag every kind of bad answer the fuzz
// test relies on it to catch, and judge requests without running the
// model's pattern checks on over-long strings.
import { describe, expect, it } from 'vitest';
import { answerProblems, expectationOf } from './oracle.ts';
import type { Answer } from './oracle.ts';
import { JSON_CONTENT_TYPE, TARGET_PREFIX } from './requests.ts';
import type { FuzzRequest } from './requests.ts';

function proton(operation: string, body: string, overrides: Partial<FuzzRequest> = {}): FuzzRequest {
  return {
    kind: 'test',
    method: 'POST',
    path: '/',
    headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amz-target': `${TARGET_PREFIX}${operation}` },
    signed: true,
    body,
    ...overrides,
  };
}

/** An error answer; `headerType` null leaves the x-amzn-ErrorType header out. */
function error(status: number, type: string, headerType: string | null = type, message: unknown = 'm'): Answer {
  const headers: Answer['headers'] = { 'x-amzn-requestid': 'r' };
  if (headerType !== null) headers['x-amzn-errortype'] = headerType;
  return { status, headers, body: JSON.stringify({ __type: type, message }) };
}

const valid = proton('GetEnvironmentTemplate', '{"name":"t"}');
const invalid = proton('GetEnvironmentTemplate', '{"name":""}');

describe('fuzz oracle: requests', () => {
  it('lets a valid POST / request succeed and rejects what a client could not send', () => {
    expect(expectationOf(valid)).toMatchObject({
      proton: true,
      operation: 'GetEnvironmentTemplate',
      mustReject: undefined,
      mutating: false,
    });
    expect(expectationOf(proton('DeleteEnvironment', '{"name":"e"}')).mutating).toBe(true);
    expect(expectationOf(invalid).mustReject).toMatch(/name/);
    expect(expectationOf({ ...valid, method: 'PUT' }).mustReject).toMatch(/method/);
    expect(expectationOf({ ...valid, path: '/x' }).mustReject).toMatch(/path/);
    expect(expectationOf({ ...valid, headers: { ...valid.headers, 'x-amz-target': `${TARGET_PREFIX}toString` } }).mustReject).toMatch(
      /names no operation/,
    );
    expect(expectationOf(proton('GetEnvironmentTemplate', '[1]')).mustReject).toMatch(/not a JSON object/);
    expect(expectationOf(proton('GetEnvironmentTemplate', '{"name":"t",}')).mustReject).toMatch(/not JSON/);
    expect(expectationOf({ ...valid, path: '/_conformance/v1/clock' }).proton).toBe(false);
  });

  it('rejects an over-long member before any pattern test (those backtrack on long strings)', () => {
    const started = Date.now();
    const expectation = expectationOf(proton('CreateEnvironmentTemplate', JSON.stringify({ name: `${'a'.repeat(1_000_000)}!` })));
    expect(expectation.mustReject).toMatch(/too long: name \(1000001 > 100\)/);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('fuzz oracle: answers', () => {
  const judge = (request: FuzzRequest, answer: Answer) => answerProblems(request, expectationOf(request), answer);

  it('accepts a well-formed model error and a protocol error with their AWS statuses', () => {
    expect(judge(invalid, error(400, 'com.amazonaws.proton#ValidationException'))).toEqual([]);
    expect(judge(invalid, error(400, 'ValidationException', 'ValidationException:http://internal.amazon.com/'))).toEqual([]);
    expect(judge(invalid, error(400, 'com.amazon.coral.service#UnknownOperationException'))).toEqual([]);
    expect(
      judge(valid, {
        status: 200,
        headers: { 'x-amzn-requestid': 'r' },
        body: JSON.stringify({
          environmentTemplate: {
            name: 't',
            arn: 'arn:aws:proton:us-east-1:123456789012:environment-template/t',
            createdAt: 1,
            lastModifiedAt: 1,
          },
        }),
      }),
    ).toEqual([]);
  });

  it('flags every malformed answer', () => {
    const cases: [FuzzRequest, Answer, RegExp][] = [
      [invalid, { status: 200, headers: { 'x-amzn-requestid': 'r' }, body: '{}' }, /accepted a request that must be rejected/],
      [valid, { status: 200, headers: { 'x-amzn-requestid': 'r' }, body: '{}' }, /output: .*environmentTemplate/],
      [valid, { status: 200, headers: { 'x-amzn-requestid': 'r' }, body: 'ok' }, /success body is not a JSON object/],
      [invalid, error(500, 'InternalServerException'), /server error 500/],
      [invalid, error(404, 'ValidationException'), /HTTP status 404/],
      [invalid, error(400, 'ValidationException', 'ConflictException'), /disagrees with __type/],
      [invalid, error(400, 'ValidationException', null), /no x-amzn-ErrorType/],
      [invalid, error(400, 'ValidationException', 'ValidationException', 7), /message/],
      [invalid, error(400, 'BadThingException'), /neither a model error nor an AWS protocol error/],
      [invalid, error(413, 'UnknownOperationException'), /AWS answers 400/],
      [invalid, error(402, 'ServiceQuotaExceededException'), /not an error of GetEnvironmentTemplate/],
      [invalid, { status: 400, headers: { 'x-amzn-requestid': 'r' }, body: '{"message":"m"}' }, /without __type/],
      [
        invalid,
        { status: 400, headers: { 'x-amzn-errortype': 'ValidationException' }, body: '{"__type":"ValidationException","message":"m"}' },
        /x-amzn-RequestId/,
      ],
      [{ ...valid, path: '/_conformance/v1/nope' }, { status: 404, headers: {}, body: '{}' }, /hooks error without a string message/],
    ];
    for (const [request, answer, problem] of cases) {
      expect(judge(request, answer).join('; '), `${answer.status} ${answer.body}`).toMatch(problem);
    }
  });
});
