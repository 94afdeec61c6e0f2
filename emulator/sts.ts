// STS GetCallerIdentity, on the same endpoint as the Proton API: a client
// that checks which account it is about to work in (the suite's real-account
// interlock) asks STS first, with @aws-sdk/client-sts pointed here. STS
// speaks the AWS query protocol: `POST /`, a form-encoded body
// (`Action=GetCallerIdentity&Version=2011-06-15`), an XML answer. The
// account is the one the Proton API would use for the same key id
// (identity.ts; the one account when the `accounts` hook is hidden), or in
// strict mode the account of the verified credential (auth.ts).
import type { World } from './accounts.ts';
import type { AuthFailureKind } from './auth.ts';
import type { Caller } from './identity.ts';

export const STS_CONTENT_TYPE = 'application/x-www-form-urlencoded';
export const STS_VERSION = '2011-06-15';
const NAMESPACE = `https://sts.amazonaws.com/doc/${STS_VERSION}/`;

export interface StsAnswer {
  status: number;
  /** The operation, for the log line. */
  operation: string;
  xml: string;
}

/** Whether a request is for STS: a form-encoded POST without Proton's X-Amz-Target. */
export function isStsRequest(method: string | undefined, contentType: string | undefined, target: unknown): boolean {
  const mediaType = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  return method === 'POST' && mediaType === STS_CONTENT_TYPE && target === undefined;
}

export function answerSts(world: World, caller: Caller, body: Buffer, requestId: string): StsAnswer {
  const form = new URLSearchParams(body.toString('utf8'));
  const action = form.get('Action');
  const version = form.get('Version');
  if (action === null || action === '') return stsError(400, 'MissingAction', 'Missing Action', requestId, 'sts:-');
  const operation = `sts:${action}`;
  if (action !== 'GetCallerIdentity' || version !== STS_VERSION) {
    return stsError(
      400,
      'InvalidAction',
      `Could not find operation ${action} for version ${version ?? '(none)'} (the proton-conformance emulator answers STS ` +
        'GetCallerIdentity only)',
      requestId,
      operation,
    );
  }
  const account = world.accountIdOf(caller.account);
  const partition = caller.region.startsWith('cn-') ? 'aws-cn' : caller.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  // The emulator has no IAM users: every key id is its account's root.
  const xml = [
    `<GetCallerIdentityResponse xmlns="${NAMESPACE}">`,
    '  <GetCallerIdentityResult>',
    `    <Arn>arn:${partition}:iam::${account}:root</Arn>`,
    `    <UserId>${account}</UserId>`,
    `    <Account>${account}</Account>`,
    '  </GetCallerIdentityResult>',
    '  <ResponseMetadata>',
    `    <RequestId>${requestId}</RequestId>`,
    '  </ResponseMetadata>',
    '</GetCallerIdentityResponse>',
    '',
  ].join('\n');
  return { status: 200, operation, xml };
}

/**
 * A refused signature (strict mode, auth.ts) as STS answers it: its query
 * protocol's names and statuses (MissingAuthenticationToken 403,
 * IncompleteSignature 400, InvalidClientTokenId 403, SignatureDoesNotMatch
 * 403), the message the JSON services give the same failure.
 */
export function stsAuthError(kind: AuthFailureKind, message: string, requestId: string, operation: string): StsAnswer {
  const [status, code] = STS_AUTH_ERRORS[kind];
  return stsError(status, code, message, requestId, operation);
}

const STS_AUTH_ERRORS: Record<AuthFailureKind, [number, string]> = {
  MissingAuthenticationToken: [403, 'MissingAuthenticationToken'],
  IncompleteSignature: [400, 'IncompleteSignature'],
  UnrecognizedClient: [403, 'InvalidClientTokenId'],
  InvalidSignature: [403, 'SignatureDoesNotMatch'],
};

/** The action a form names, for the log line of a request refused before it is read further. */
export function stsOperation(body: Buffer): string {
  const action = new URLSearchParams(body.toString('utf8')).get('Action');
  return `sts:${action === null || action === '' || !/^\w{1,64}$/.test(action) ? '-' : action}`;
}

function stsError(status: number, code: string, message: string, requestId: string, operation: string): StsAnswer {
  const xml = [
    `<ErrorResponse xmlns="${NAMESPACE}">`,
    '  <Error>',
    '    <Type>Sender</Type>',
    `    <Code>${code}</Code>`,
    `    <Message>${escapeXml(message)}</Message>`,
    '  </Error>',
    `  <RequestId>${requestId}</RequestId>`,
    '</ErrorResponse>',
    '',
  ].join('\n');
  return { status, operation, xml };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}
