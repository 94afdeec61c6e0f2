// AWS JSON 1.0 framing as Proton's clients expect it: the target header, the
// content type, the JSON body, and error answers in the shape both the JS SDK
// and botocore parse (`__type` in the body, `x-amzn-ErrorType` header,
// `x-amzn-RequestId` on every response).
import type { ServerResponse } from 'node:http';
import { errorStatus } from '../specs/model.ts';

export const TARGET_PREFIX = 'AwsProton20200720.';
export const CONTENT_TYPE = 'application/x-amz-json-1.0';
/** Largest request body read (bytes); README "The wire". */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Deepest nesting of objects and arrays read (Proton's inputs need 3 or 4). */
export const MAX_NESTING = 100;

/** Errors of Proton's model carry its namespace; protocol-level ones Coral's. */
const PROTON_NAMESPACE = 'com.amazonaws.proton';
const CORAL_NAMESPACE = 'com.amazon.coral.service';

/** An answer other than success. `type` is the bare error name. */
export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
    readonly namespace: string = PROTON_NAMESPACE,
  ) {
    super(message);
    this.name = type;
  }
}

/** An error of Proton's model, with the HTTP status the model gives it. */
function modelError(type: string, message: string): ApiError {
  const status = errorStatus(type);
  if (status === undefined) throw new Error(`${type} is not an error of the Proton model`);
  return new ApiError(type, message, status);
}

export const validation = (message: string) => modelError('ValidationException', message);
export const conflict = (message: string) => modelError('ConflictException', message);
export const notFound = (message: string) => modelError('ResourceNotFoundException', message);
export const accessDenied = (message: string) => modelError('AccessDeniedException', message);
export const internalError = (message: string) => modelError('InternalServerException', message);
export const throttling = (message: string) => modelError('ThrottlingException', message);
// Protocol-level errors, answered before an operation is known or its input read.
export const serialization = (message: string) => new ApiError('SerializationException', message, 400, CORAL_NAMESPACE);
export const unknownOperation = (message: string) => new ApiError('UnknownOperationException', message, 400, CORAL_NAMESPACE);
export const requestTooLarge = (message: string) => new ApiError('RequestEntityTooLargeException', message, 413, CORAL_NAMESPACE);

/**
 * A refused signature (strict mode, auth.ts): MissingAuthenticationToken,
 * IncompleteSignature, UnrecognizedClient or InvalidSignature, with the
 * `Exception` suffix, Coral's namespace and HTTP 400, as AWS's JSON services
 * (DynamoDB, SSM, Secrets Manager, Cognito...) answer them.
 */
export const authFailure = (kind: string, message: string) => new ApiError(`${kind}Exception`, message, 400, CORAL_NAMESPACE);

/** Operation name from `X-Amz-Target`, or UnknownOperationException. */
export function parseTarget(header: string | string[] | undefined): string {
  if (typeof header !== 'string' || header === '') {
    throw unknownOperation('Missing X-Amz-Target header: expected AwsProton20200720.<Operation>');
  }
  if (!header.startsWith(TARGET_PREFIX) || header.length === TARGET_PREFIX.length) {
    throw unknownOperation(`Unknown operation ${quote(header)}: expected AwsProton20200720.<Operation>`);
  }
  return header.slice(TARGET_PREFIX.length);
}

/** Accepts `application/x-amz-json-1.0`, with or without parameters (charset). */
export function checkContentType(header: string | undefined): void {
  const mediaType = header?.split(';', 1)[0]?.trim().toLowerCase();
  if (mediaType !== CONTENT_TYPE) {
    throw unknownOperation(`Unsupported Content-Type ${header === undefined ? '(none)' : quote(header)}: expected ${CONTENT_TYPE}`);
  }
}

/** The request body as a JSON object; an empty body reads as `{}`. */
export function parseBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  // Only a body this long can nest that deep; the scan costs nothing otherwise.
  if (body.length > 2 * MAX_NESTING && nestingDepth(body) > MAX_NESTING) {
    throw serialization(`Request body nests objects and arrays deeper than ${MAX_NESTING} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw serialization(`Request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw serialization('Request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** Deepest nesting of `{` and `[` outside strings (the body need not be valid JSON). */
function nestingDepth(body: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x7b || byte === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (byte === 0x7d || byte === 0x5d) {
      depth--;
    }
  }
  return deepest;
}

export function sendResult(res: ServerResponse, requestId: string, output: unknown): void {
  const body = JSON.stringify(output);
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
  });
  res.end(body);
}

export function sendError(res: ServerResponse, requestId: string, error: ApiError): void {
  const body = JSON.stringify({ __type: `${error.namespace}#${error.type}`, message: error.message });
  res.writeHead(error.status, {
    'Content-Type': CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
    'x-amzn-ErrorType': error.type,
  });
  res.end(body);
}

function quote(value: string): string {
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}...` : value);
}
