// What a fuzz request may get, and whether the answer it got is well formed.
// A request may succeed only when a real client could have sent it: POST /,
// the exact target of a model operation, and a JSON object body the model's
// validator accepts. Everything else must be rejected, and every rejection
// must be a well-formed AWS error (hooks: the hooks' error shape).
import { parseObject } from '../../harness/target/hooks.ts';
import { errorStatus, operationErrors, operationNames, validateError, validateInput, validateOutput } from '../../specs/model.ts';
import type { FuzzRequest } from './requests.ts';
import { TARGET_PREFIX } from './requests.ts';
import { inputShape, overLength } from './shapes.ts';

/**
 * Errors of the AWS JSON protocol itself (answered before an operation's
 * input is read), with the statuses AWS answers them with; the model's own
 * errors take their statuses from the model.
 */
export const PROTOCOL_ERRORS: Readonly<Record<string, number>> = {
  SerializationException: 400,
  UnknownOperationException: 400,
  RequestEntityTooLargeException: 413,
};

export interface Expectation {
  /** A Proton request (false: a request to the hooks). */
  proton: boolean;
  /** The model operation the target names, when it names one exactly. */
  operation: string | undefined;
  /** Why it must be rejected; undefined when it may succeed. */
  mustReject: string | undefined;
  /** May change state when it succeeds (not a Get or List). */
  mutating: boolean;
}

function pathname(path: string): string {
  return path.split('?', 1)[0] ?? path;
}

export function bodyText(body: FuzzRequest['body']): string {
  if (body === undefined) return '';
  return typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
}

export function expectationOf(request: FuzzRequest): Expectation {
  if (pathname(request.path).startsWith('/_conformance/')) {
    return { proton: false, operation: undefined, mustReject: undefined, mutating: false };
  }
  const target = request.headers['x-amz-target'];
  const name = target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
  const operation = name !== undefined && operationNames.includes(name) ? name : undefined;
  const mutating = operation !== undefined && !/^(Get|List)/.test(operation);
  const reject = (why: string): Expectation => ({ proton: true, operation, mustReject: why, mutating });

  if (operation === undefined) return reject(`target ${JSON.stringify(target)} names no operation`);
  if (request.method !== 'POST') return reject(`method ${request.method}`);
  if (pathname(request.path) !== '/') return reject(`path ${request.path}`);
  if (!request.signed && request.headers.authorization !== undefined) return reject('garbled Authorization');
  const text = bodyText(request.body);
  let input: unknown;
  try {
    input = text === '' ? {} : JSON.parse(text);
  } catch {
    return reject('body is not JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return reject('body is not a JSON object');
  const shape = inputShape(operation);
  const tooLong = shape === undefined ? undefined : overLength(shape, input);
  if (tooLong !== undefined) return reject(`too long: ${tooLong}`);
  let violations: string[];
  try {
    violations = validateInput(operation, input).map((v) => v.message);
  } catch (error) {
    // specs/model.ts cannot judge it (see the report); the input has a member the model lacks.
    violations = [`validateInput threw: ${(error as Error).message}`];
  }
  if (violations.length > 0) return reject(violations.join('; '));
  return { proton: true, operation, mustReject: undefined, mutating };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function header(answer: Answer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `com.amazonaws.proton#ConflictException:http://...` -> `ConflictException` (as the SDKs read it). */
export function bareErrorName(errorType: string): string {
  const afterHash = errorType.slice(errorType.lastIndexOf('#') + 1);
  return afterHash.split(':', 1)[0] ?? afterHash;
}

/** What is wrong with the answer to `request` (empty: nothing). */
export function answerProblems(request: FuzzRequest, expectation: Expectation, answer: Answer): string[] {
  const problems: string[] = [];
  const ok = answer.status >= 200 && answer.status < 300;
  if (answer.status >= 500) problems.push(`server error ${answer.status} on client input`);
  else if (!ok && (answer.status < 400 || answer.status >= 500)) problems.push(`status ${answer.status} is neither a success nor an error`);
  if (request.method === 'HEAD') return problems; // no body to judge

  const body = parseObject(answer.body);
  if (!expectation.proton) {
    if (!body) problems.push(`hooks answered a body that is not a JSON object: ${answer.body.slice(0, 200)}`);
    else if (!ok && typeof body.message !== 'string') problems.push('hooks error without a string message');
    return problems;
  }

  if (header(answer, 'x-amzn-requestid') === undefined) problems.push('no x-amzn-RequestId header');
  if (ok) {
    if (expectation.mustReject !== undefined) problems.push(`accepted a request that must be rejected (${expectation.mustReject})`);
    if (!body) problems.push(`success body is not a JSON object: ${answer.body.slice(0, 200)}`);
    else if (expectation.operation !== undefined) {
      problems.push(...validateOutput(expectation.operation, body).map((v) => `output: ${v.message}`));
    }
    return problems;
  }

  if (!body) {
    problems.push(`error body is not a JSON object: ${answer.body.slice(0, 200)}`);
    return problems;
  }
  const declared = body.__type;
  const message = body.message ?? body.Message;
  if (typeof declared !== 'string' || declared === '') {
    problems.push(`error body without __type: ${answer.body.slice(0, 200)}`);
    return problems;
  }
  if (typeof message !== 'string') problems.push('error body without a string message');
  const name = bareErrorName(declared);
  const headerType = header(answer, 'x-amzn-errortype');
  if (headerType === undefined) problems.push('no x-amzn-ErrorType header');
  else if (bareErrorName(headerType) !== name) problems.push(`x-amzn-ErrorType ${headerType} disagrees with __type ${declared}`);

  if (errorStatus(name) !== undefined) {
    problems.push(...validateError(declared, answer.status, body).map((v) => `error: ${v.message}`));
    if (expectation.operation !== undefined && !operationErrors(expectation.operation).includes(name)) {
      problems.push(`${name} is not an error of ${expectation.operation} in the model`);
    }
  } else if (!Object.hasOwn(PROTOCOL_ERRORS, name)) {
    problems.push(`error type ${name} is neither a model error nor an AWS protocol error`);
  } else if (PROTOCOL_ERRORS[name] !== answer.status) {
    problems.push(`${name} answered with status ${answer.status}, AWS answers ${PROTOCOL_ERRORS[name]}`);
  }
  return problems;
}
