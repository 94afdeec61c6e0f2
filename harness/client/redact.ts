// Credentials never leave the process: headers that carry them are replaced,
// body members whose names say "secret" are replaced, and every known secret
// value (registered when credentials are made or resolved) is scrubbed from
// any text the harness writes out.

export const REDACTED = '[redacted]';

const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-amz-security-token)$|secret|password|credential|session-token|security-token/i;
// Body members: never `clientToken` (the subject of the contract), only
// names that plainly mean a credential.
const SECRET_MEMBER = /secret|password|sessiontoken|securitytoken|accesskey|credentials?$|privatekey/i;

const secrets = new Set<string>();

/** Remembers a secret value so that every later scrub removes it. Short values are ignored. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 8) secrets.add(value);
}

export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = SECRET_HEADER.test(name) ? REDACTED : scrub(value);
  }
  return out;
}

/** A deep copy of a parsed body with secret members and secret values replaced. */
export function redactBody(value: unknown): unknown {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map(redactBody);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      out[key] = SECRET_MEMBER.test(key) && member !== null && member !== undefined ? REDACTED : redactBody(member);
    }
    return out;
  }
  return value;
}

// A SigV4 signature, wherever a target may echo it (an error message).
const SIGNATURE = /Signature=[0-9a-f]{64}/g;

/** Replaces every registered secret value, and any SigV4 signature, in a text. */
export function scrub(text: string): string {
  let out = text.includes('Signature=') ? text.replace(SIGNATURE, `Signature=${REDACTED}`) : text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}
