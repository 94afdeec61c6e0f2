// Strict authentication (`--auth strict`): every API request (Proton's JSON
// and STS's query protocol) must carry a SigV4 signature made with one of the
// configured credentials. The verifier signs the request again with
// @smithy/signature-v4 (the signer the AWS SDK itself uses), from the
// credential the Authorization header names, and compares the two signatures
// in constant time. Its answers are the names AWS's services give these
// failures; server.ts writes them in the protocol of the request (JSON: 400
// and `x-amzn-ErrorType`; STS: the XML error document). Open mode (the
// default) never comes here: identity.ts reads the account from the key id.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, HttpRequest, SourceData } from '@smithy/types';

/** One credential the emulator accepts, and the account its requests act in. */
export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
  /** A temporary credential's session token: requests must present it (X-Amz-Security-Token). */
  sessionToken?: string;
  /** The 12-digit account id. */
  account: string;
}

/** `startEmulator({ auth })`: open (the default: any signature, the key id picks the account) or strict. */
export type AuthOptions =
  | { mode: 'open' }
  | {
      mode: 'strict';
      credentials: readonly Credential[];
      /** The emulator's clock for the 15-minute window (default Date.now): tests skew it. */
      now?: () => number;
    };

/** The failures, by the name AWS JSON services give them (server.ts maps them to STS's names). */
export type AuthFailureKind = 'MissingAuthenticationToken' | 'IncompleteSignature' | 'UnrecognizedClient' | 'InvalidSignature';

export type AuthResult = { ok: true; credential: Credential; region: string } | { ok: false; kind: AuthFailureKind; message: string };

/** What a request brings to the check. */
export interface SignedRequest {
  method: string;
  /** The request target as received (path and query). */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The signing name the request must be scoped to: `proton`, or `sts`. */
  service: string;
}

/** How far the signing time may be from the emulator's clock, either way (AWS: 15 minutes). */
export const MAX_SKEW_MS = 15 * 60_000;
/** `PROTON_EMULATOR_CREDENTIALS`: the credentials' JSON, when no file is named. */
export const CREDENTIALS_ENV = 'PROTON_EMULATOR_CREDENTIALS';

const ALGORITHM = 'AWS4-HMAC-SHA256';
const TERMINATOR = 'aws4_request';
const TWELVE_DIGITS = /^\d{12}$/;
/** What a key id may hold: no '/', ',', '=' or blanks, which the Authorization header uses as separators. */
const KEY_ID = /^[A-Za-z0-9_.+-]{1,128}$/;
/** ISO 8601 basic format, as SigV4 writes X-Amz-Date. */
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const REGION = /^[a-z0-9-]{1,32}$/;
const CREDENTIAL_MEMBERS = new Set(['accessKeyId', 'secretAccessKey', 'sessionToken', 'account']);

const MESSAGES = {
  missing: 'Request is missing Authentication Token',
  unrecognized: 'The security token included in the request is invalid.',
  signature:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing ' +
    'method. Consult the service documentation for details.',
};

const fail = (kind: AuthFailureKind, message: string): AuthResult => ({ ok: false, kind, message });

/** SHA-256 for SignatureV4 (a hash, or an HMAC when given a key), from node:crypto (the tests sign raw requests with it too). */
export class NodeSha256 implements Checksum {
  private hash;

  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }

  update(data: Uint8Array): void {
    this.hash.update(data);
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    throw new Error('not used by SignatureV4');
  }
}

function bytes(data: SourceData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/**
 * Checks the credentials' shape; each problem is an Error of one line that
 * names the entry and the member, never a secret's value.
 */
export function checkCredentials(value: unknown, source = 'credentials'): Credential[] {
  if (!Array.isArray(value)) throw new Error(`${source}: expected a JSON array of {accessKeyId, secretAccessKey, sessionToken?, account}`);
  if (value.length === 0) throw new Error(`${source}: the array is empty (strict mode needs at least one credential)`);
  const seen = new Map<string, number>();
  return value.map((entry: unknown, index) => {
    const where = `${source}: entry ${index + 1}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`${where} is not an object`);
    const record = entry as Record<string, unknown>;
    for (const member of Object.keys(record)) {
      if (!CREDENTIAL_MEMBERS.has(member)) {
        throw new Error(
          `${where}: unknown member ${JSON.stringify(member.slice(0, 40))} (known: accessKeyId, secretAccessKey, sessionToken, account)`,
        );
      }
    }
    const { accessKeyId, secretAccessKey, sessionToken, account } = record;
    if (typeof accessKeyId !== 'string' || !KEY_ID.test(accessKeyId)) {
      throw new Error(`${where}: accessKeyId must be 1 to 128 characters of A-Z a-z 0-9 _ . + -`);
    }
    if (typeof secretAccessKey !== 'string' || secretAccessKey === '')
      throw new Error(`${where} (${accessKeyId}): secretAccessKey must be a non-empty string`);
    if (sessionToken !== undefined && (typeof sessionToken !== 'string' || sessionToken === '')) {
      throw new Error(`${where} (${accessKeyId}): sessionToken, when given, must be a non-empty string`);
    }
    if (typeof account !== 'string' || !TWELVE_DIGITS.test(account))
      throw new Error(`${where} (${accessKeyId}): account must be a string of 12 digits`);
    const first = seen.get(accessKeyId);
    if (first !== undefined) throw new Error(`${where}: accessKeyId ${accessKeyId} is already the key id of entry ${first}`);
    seen.set(accessKeyId, index + 1);
    return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken: sessionToken as string }), account };
  });
}

/** Credentials from JSON text (a file's, or the environment variable's); the parser's own message is left out, as it may quote the text. */
export function parseCredentials(text: string, source: string): Credential[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${source}: not valid JSON (expected an array of {accessKeyId, secretAccessKey, sessionToken?, account})`);
  }
  return checkCredentials(value, source);
}

/**
 * The credentials of `--auth strict`: the file's when one is named, else the
 * environment variable's. Every problem is an Error of one line that names
 * the source, never a secret.
 */
export function loadCredentials(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Credential[] {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EACCES'
            ? 'permission denied'
            : code === 'EISDIR'
              ? 'a directory, not a file'
              : (code ?? 'unreadable');
      throw new Error(`--credentials ${file}: ${why}`);
    }
    return parseCredentials(text, `--credentials ${file}`);
  }
  const text = env[CREDENTIALS_ENV];
  if (text === undefined || text.trim() === '') {
    throw new Error(`--auth strict needs credentials: --credentials FILE, or the JSON in ${CREDENTIALS_ENV}`);
  }
  return parseCredentials(text, CREDENTIALS_ENV);
}

/** The verifier of `startEmulator({ auth })`: undefined in open mode; an Error for options it can't use. */
export function verifierOf(auth: AuthOptions | undefined): Verifier | undefined {
  if (auth === undefined || auth.mode === 'open') return undefined;
  if (auth.mode !== 'strict')
    throw new Error(`auth.mode must be 'open' or 'strict', not ${JSON.stringify((auth as { mode: unknown }).mode)}`);
  if (auth.now !== undefined && typeof auth.now !== 'function') throw new Error('auth.now must be a function returning epoch milliseconds');
  return new Verifier(auth.credentials, auth.now);
}

/** The Authorization header's parts, or why it can't be read. */
function parseAuthorization(header: string): { keyId: string; scope: string[]; signedHeaders: string[]; signature: string } | string {
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM) {
    return `Unsupported AWS 'algorithm': '${algorithm.slice(0, 40)}' (the emulator verifies ${ALGORITHM} signatures)`;
  }
  const params = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const equals = item.indexOf('=');
    if (equals < 0) return `'${item}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`;
    params.set(item.slice(0, equals), item.slice(equals + 1));
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !params.get(name));
  if (missing.length > 0)
    return `${missing.map((name) => `Authorization header requires '${name}' parameter.`).join(' ')} Authorization=${header}`;
  const credential = params.get('Credential')!.split('/');
  if (credential.length !== 5 || credential.some((part) => part === '')) {
    return `Credential should be of the form <access key id>/<date>/<region>/<service>/${TERMINATOR}, not '${params.get('Credential')}'.`;
  }
  const [keyId, ...scope] = credential as [string, ...string[]];
  return { keyId, scope, signedHeaders: params.get('SignedHeaders')!.split(';'), signature: params.get('Signature')! };
}

/** 20240102T030405Z -> epoch ms, or undefined. */
function amzDate(text: string): number | undefined {
  const match = AMZ_DATE.exec(text);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Reject dates that roll over (20240231).
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 60
    ? ms
    : undefined;
}

/** Epoch ms -> 20240102T030405Z. */
export function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Equal strings, in time that depends on their lengths only (both are hashed first, so not even on those). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** The verifier of strict mode: one per emulator, over its credentials and its clock. */
export class Verifier {
  private readonly byKeyId: ReadonlyMap<string, Credential>;
  readonly now: () => number;

  constructor(credentials: readonly Credential[], now: () => number = Date.now) {
    const checked = checkCredentials(credentials, 'auth.credentials');
    this.byKeyId = new Map(checked.map((credential) => [credential.accessKeyId, credential]));
    this.now = now;
  }

  /** How many credentials it accepts (for the startup line; never the secrets). */
  get size(): number {
    return this.byKeyId.size;
  }

  /**
   * Verifies one request. Order: a signature at all, its form, the key id,
   * the session token, the credential scope, the clock, then the signature
   * itself; the first failure is the answer.
   */
  async verify(request: SignedRequest): Promise<AuthResult> {
    const authorization = header(request.headers, 'authorization');
    if (authorization === undefined || authorization.trim() === '') return fail('MissingAuthenticationToken', MESSAGES.missing);
    const parsed = parseAuthorization(authorization.trim());
    if (typeof parsed === 'string') return fail('IncompleteSignature', parsed);
    const dateText = header(request.headers, 'x-amz-date');
    if (dateText === undefined) {
      return fail(
        'IncompleteSignature',
        `Authorization header requires existence of a 'X-Amz-Date' header (the emulator does not take the 'Date' header as the ` +
          `signing time). Authorization=${authorization}`,
      );
    }
    const signedAt = amzDate(dateText);
    if (signedAt === undefined) {
      return fail(
        'IncompleteSignature',
        `X-Amz-Date must be in ISO-8601 'basic format' (yyyyMMdd'T'HHmmss'Z'). Got '${dateText.slice(0, 40)}'.`,
      );
    }
    const signedHeaders = parsed.signedHeaders.map((name) => name.trim().toLowerCase());
    if (!signedHeaders.includes('host')) return fail('IncompleteSignature', `'Host' must be a 'SignedHeader' in the AWS Authorization.`);
    for (const name of signedHeaders) {
      if (request.headers[name] === undefined)
        return fail('IncompleteSignature', `'${name}' is named as a SignedHeader, but it does not exist in the HTTP request.`);
    }

    const credential = this.byKeyId.get(parsed.keyId);
    if (credential === undefined) return fail('UnrecognizedClient', MESSAGES.unrecognized);
    const token = header(request.headers, 'x-amz-security-token');
    if (credential.sessionToken === undefined ? token !== undefined : token === undefined || !sameSecret(token, credential.sessionToken)) {
      return fail('UnrecognizedClient', MESSAGES.unrecognized);
    }

    const [scopeDate, region, service, terminator] = parsed.scope as [string, string, string, string];
    if (terminator !== TERMINATOR)
      return fail('InvalidSignature', `Credential should be scoped with a valid terminator: '${TERMINATOR}', not '${terminator}'.`);
    if (service !== request.service)
      return fail('InvalidSignature', `Credential should be scoped to correct service: '${request.service}'.`);
    if (!REGION.test(region)) return fail('InvalidSignature', 'Credential should be scoped to a valid region.');
    if (scopeDate !== dateText.slice(0, 8)) {
      return fail(
        'InvalidSignature',
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' ` +
          `!= '${dateText.slice(0, 8)}', from '${dateText}'.`,
      );
    }

    const now = this.now();
    if (signedAt < now - MAX_SKEW_MS) {
      return fail(
        'InvalidSignature',
        `Signature expired: ${dateText} is now earlier than ${formatAmzDate(now - MAX_SKEW_MS)} (${formatAmzDate(now)} - 15 min.)`,
      );
    }
    if (signedAt > now + MAX_SKEW_MS) {
      return fail(
        'InvalidSignature',
        `Signature not yet current: ${dateText} is still later than ${formatAmzDate(now + MAX_SKEW_MS)} (${formatAmzDate(now)} + 15 min.)`,
      );
    }

    const expected = await this.signature(request, credential, signedHeaders, signedAt, region, service);
    const given = Buffer.from(parsed.signature, 'utf8');
    const wanted = Buffer.from(expected, 'utf8');
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return fail('InvalidSignature', MESSAGES.signature);
    return { ok: true, credential, region };
  }

  /** The signature the credential gives this request: the signed headers only, the body's own SHA-256. */
  private async signature(
    request: SignedRequest,
    credential: Credential,
    signedHeaders: string[],
    signedAt: number,
    region: string,
    service: string,
  ): Promise<string> {
    const mark = request.url.indexOf('?');
    const path = mark < 0 ? request.url : request.url.slice(0, mark);
    const query: Record<string, string | string[]> = {};
    for (const [key, value] of new URLSearchParams(mark < 0 ? '' : request.url.slice(mark + 1))) {
      const had = query[key];
      query[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
    }
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) headers[name] = header(request.headers, name)!;
    // The payload hash is the body's, whatever the client claims it to be.
    if (headers['x-amz-content-sha256'] !== undefined)
      headers['x-amz-content-sha256'] = createHash('sha256').update(request.body).digest('hex');
    const unsigned: HttpRequest = {
      method: request.method,
      protocol: 'http:',
      hostname: headers['host'] ?? '',
      path,
      query,
      headers,
      body: request.body,
    };
    const signer = new SignatureV4({
      service,
      region,
      credentials: {
        accessKeyId: credential.accessKeyId,
        secretAccessKey: credential.secretAccessKey,
        ...(credential.sessionToken === undefined ? {} : { sessionToken: credential.sessionToken }),
      },
      sha256: NodeSha256,
      // Only what the client signed: no x-amz-content-sha256 of the signer's own.
      applyChecksum: false,
    });
    const signed = await signer.sign(unsigned, {
      signingDate: new Date(signedAt),
      signingRegion: region,
      signingService: service,
      // Headers the signer would otherwise skip (user-agent, ...) count when the client signed them.
      signableHeaders: new Set(signedHeaders),
    });
    const match = /Signature=([0-9a-f]+)/.exec(String(signed.headers['authorization']));
    return match?.[1] ?? '';
  }
}
