// Raw HTTP requests for the fuzz test: model-shaped inputs (conforming or
// broken at one place), malformed bodies, odd headers, methods and paths,
// oversized and deeply nested bodies, and requests to the hooks. A request
// is data (fast-check prints and shrinks it); the account it is signed for is
// filled in when it is sent, so one batch stays in one account.
import fc from 'fast-check';
import { operationNames } from '../../specs/model.ts';
import { ShapeArbitraries } from './shape-arbitrary.ts';
import { inputShape } from './shapes.ts';
import type { Hints } from './shape-arbitrary.ts';

export const TARGET_PREFIX = 'AwsProton20200720.';
export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
/** Stands for the batch's account id in generated ARNs; replaced when sent. */
export const ACCOUNT_PLACEHOLDER = '000000000000';

export interface FuzzRequest {
  /** Generator family, for the report. */
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Sign for the batch's account (a SigV4 Authorization header); false: unsigned. */
  signed: boolean;
  body: string | Uint8Array | undefined;
}

const METHODS = ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;

const operation = fc.constantFrom(...operationNames);

function protonRequest(kind: string, op: string, body: string | Uint8Array | undefined): FuzzRequest {
  return {
    kind,
    method: 'POST',
    path: '/',
    headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amz-target': `${TARGET_PREFIX}${op}` },
    signed: true,
    body,
  };
}

/** Printable ASCII only: what an HTTP client can put in a header value. */
const headerText = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }).map((s) => s.replace(/[^ -~]/g, 'x'));

export function requestArbitrary(hints: Hints): fc.Arbitrary<FuzzRequest> {
  const shapes = new ShapeArbitraries(hints);
  const input = (op: string, broken: boolean): fc.Arbitrary<unknown> => {
    const shape = inputShape(op);
    if (!shape) return fc.constant({});
    return broken ? shapes.violating(shape) : shapes.conforming(shape);
  };
  const validBody = (op: string) => input(op, false).map((v) => JSON.stringify(v));

  const modelConforming = operation.chain((op) => validBody(op).map((body) => protonRequest('model-conforming', op, body)));
  const modelViolating = operation.chain((op) => input(op, true).map((v) => protonRequest('model-violating', op, JSON.stringify(v))));

  const malformedBody = operation.chain((op) =>
    fc
      .oneof(
        fc.string({ unit: 'binary', maxLength: 60 }),
        validBody(op).chain((body) => fc.nat({ max: Math.max(0, body.length - 1) }).map((n) => body.slice(0, n))),
        validBody(op).chain((body) => fc.constantFrom('}', ',', ' x', ']', '\u0000', '{}').map((tail) => body + tail)),
        validBody(op).map((body) => `\ufeff${body}`),
        fc
          .jsonValue({ maxDepth: 3 })
          .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
          .map((v) => JSON.stringify(v)),
        fc.object({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
        fc.uint8Array({ maxLength: 80 }),
        validBody(op).map((body) => Buffer.concat([Buffer.from(body.slice(0, -1)), Buffer.from([0xff, 0xfe, 0x22, 0x7d])])),
        fc.constantFrom(
          'NaN',
          '{"name": NaN}',
          '{"name": 1e999}',
          '{"name": "a" "b"}',
          "{'name': 'a'}",
          '{"name":"a",}',
          'null',
          '{"a":1}{"b":2}',
        ),
        validBody(op).map((body) => body.replace(/^\{"([^"]+)":/, '{"$1":{"dup":[1]},"$1":')),
      )
      .map((body) => protonRequest('malformed-body', op, body)),
  );

  const headerVariants = operation.chain((op) =>
    fc
      .record({
        body: validBody(op),
        contentType: fc.option(
          fc.constantFrom(
            '',
            'application/json',
            'text/plain',
            'application/x-amz-json-1.1',
            'application/x-amz-json-1.0; charset=utf-8',
            'APPLICATION/X-AMZ-JSON-1.0',
            'application/x-amz-json-1.0x',
            'multipart/form-data; boundary=x',
            'application/cbor',
          ),
          { nil: undefined },
        ),
        target: fc.option(
          fc.oneof(
            fc.constantFrom(
              '',
              'AwsProton20200720',
              TARGET_PREFIX,
              `${TARGET_PREFIX}${op.toLowerCase()}`,
              `AwsProton20200721.${op}`,
              `awsproton20200720.${op}`,
              `${TARGET_PREFIX}${op}.${op}`,
              `Proton.${op}`,
              `${TARGET_PREFIX}DescribeEverything`,
              `${TARGET_PREFIX}__proto__`,
              `${TARGET_PREFIX}constructor`,
              `${TARGET_PREFIX}toString`,
              `${TARGET_PREFIX}hasOwnProperty`,
              `${TARGET_PREFIX}${'X'.repeat(4096)}`,
              `${TARGET_PREFIX}${op}, ${TARGET_PREFIX}${op}`,
            ),
            headerText,
            headerText.map((s) => `${TARGET_PREFIX}${s}`),
          ),
          { nil: undefined },
        ),
      })
      .map(({ body, contentType, target }) => {
        const headers: Record<string, string> = {};
        if (contentType !== undefined) headers['content-type'] = contentType;
        if (target !== undefined) headers['x-amz-target'] = target;
        return { ...protonRequest('header-variant', op, body), headers };
      }),
  );

  const methodsAndPaths = operation.chain((op) =>
    fc
      .record({
        method: fc.constantFrom(...METHODS, 'POST'),
        path: fc.constantFrom(
          '/',
          '/foo',
          '/?Action=CreateEnvironment',
          '//',
          '/%ff%fe',
          '/..%2f..%2fetc',
          `/${'a'.repeat(4000)}`,
          '/_conformance',
          '/_conformance/v2/counts',
          '/index.html',
          '/2020-07-20/environments',
        ),
        body: validBody(op),
      })
      .filter(({ method, path }) => !(method === 'POST' && path === '/'))
      .map(({ method, path, body }) => ({
        ...protonRequest('method-path', op, method === 'GET' || method === 'HEAD' ? undefined : body),
        method,
        path,
      })),
  );

  const oversized = operation.chain((op) =>
    fc
      .oneof(
        fc.constantFrom(1024 * 1024 - 64, 1024 * 1024 + 1, 3 * 1024 * 1024).map((n) => `{"name":"${'a'.repeat(n)}"}`),
        fc.integer({ min: 1000, max: 5000 }).map((n) => `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`),
        fc.constantFrom(1000, 10_000, 200_000).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
        fc.constantFrom(1000, 10_000, 200_000).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
        fc.constantFrom(1000, 100_000).map((n) => `{"name":"x","tags":${'['.repeat(n)}${']'.repeat(n)}}`),
        // Too long and off-pattern at its very end: a backtracking pattern test costs O(n^2).
        fc.constant(100_000).map((n) => `{"name":"${'a'.repeat(n)}!","templateName":"${'a'.repeat(n)}!"}`),
      )
      .map((body) => protonRequest('oversized', op, body)),
  );

  const hooks = fc
    .record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
      path: fc
        .oneof(
          fc.constantFrom('capabilities', 'clock', 'clock/advance', 'durations', 'counts', 'reset', 'clock/advance/x', ''),
          headerText.map((s) => encodeURIComponent(s)),
        )
        .map((p) => `/_conformance/v1/${p}`),
      body: fc.option(
        fc.oneof(
          fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
          fc.constantFrom(
            '{"ms": -1}',
            '{"ms": "10"}',
            '{"ms": 1e308}',
            '{"durations": {"environmentDeployment": -5}}',
            '{"durations": {"nope": 1}}',
            '{"durations": []}',
            '{',
            '{"ms": null}',
          ),
        ),
        { nil: undefined },
      ),
      account: fc.option(headerText, { nil: undefined }),
    })
    .map(({ method, path, body, account }): FuzzRequest => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (account !== undefined) headers['x-conformance-account'] = account;
      return { kind: 'hooks', method, path, headers, signed: false, body: method === 'GET' ? undefined : body };
    });

  const unsignedOrGarbled = fc.tuple(modelViolating, fc.option(headerText, { nil: undefined })).map(([request, auth]) => ({
    ...request,
    kind: auth === undefined ? 'unsigned' : 'garbled-auth',
    signed: false,
    headers: auth === undefined ? request.headers : { ...request.headers, authorization: auth },
  }));

  return fc.oneof(
    { weight: 25, arbitrary: modelViolating },
    { weight: 8, arbitrary: modelConforming },
    { weight: 12, arbitrary: malformedBody },
    { weight: 10, arbitrary: headerVariants },
    { weight: 5, arbitrary: methodsAndPaths },
    { weight: 4, arbitrary: hooks },
    { weight: 3, arbitrary: unsignedOrGarbled },
    { weight: 1, arbitrary: oversized },
  );
}
