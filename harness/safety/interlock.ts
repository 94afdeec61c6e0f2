// The interlock of real targets: an endpoint that is not on this machine's
// loopback (127.0.0.0/8, ::1, localhost), and the AWS endpoint itself
// (`--endpoint aws`), may be a real account, where a run creates and deletes
// resources. Such a run needs --allow-real-account; without it the run stops
// before its first request but one: a GET of the hooks' capabilities path,
// which an emulator answers (docs/emulator-hooks.md) and a real account
// never does. An endpoint that speaks the hooks protocol is an emulator and
// needs no flag. PROTON_CONFORMANCE_TREAT_AS_REMOTE=1 (for the
// project's own tests) makes a loopback endpoint count as remote, so that the
// interlock, the account check, the ownership guard and the cleanup can be
// exercised without traffic leaving the machine.
import { ProtonClient } from '@aws-sdk/client-proton';
import { UsageError } from '../errors.ts';

export const TREAT_AS_REMOTE_ENV = 'PROTON_CONFORMANCE_TREAT_AS_REMOTE';
export const ALLOW_FLAG = '--allow-real-account';
/** The value of --endpoint that means: the AWS SDK's default Proton endpoint for the region. */
export const AWS_ENDPOINT_WORD = 'aws';

/** Whether a URL's host is this machine's loopback: 127.0.0.0/8, ::1 (also IPv4-mapped), localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (host === 'localhost') return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) return v4.slice(1).every((part) => Number(part) <= 255) && Number(v4[1]) === 127;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  // ::ffff:127.x.y.z, as WHATWG URL writes it (::ffff:7fxx:xxxx).
  const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(host);
  if (mapped) return parseInt(mapped[1]!, 16) >> 8 === 127;
  const mappedDotted = /^::ffff:(\d{1,3})\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.exec(host);
  return mappedDotted !== null && Number(mappedDotted[1]) === 127;
}

export function treatAsRemote(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[TREAT_AS_REMOTE_ENV];
  return value !== undefined && ['1', 'true', 'yes'].includes(value.trim().toLowerCase());
}

/** Whether a run against this (non-embedded) endpoint may touch a real account. */
export function isRemoteEndpoint(endpoint: string, options: { aws?: boolean; env?: NodeJS.ProcessEnv } = {}): boolean {
  if (options.aws) return true;
  if (treatAsRemote(options.env)) return true;
  return !isLoopbackHost(new URL(endpoint).hostname);
}

/**
 * Throws the one-line UsageError (exit 2) of the interlock when the endpoint
 * is remote and the run was not allowed to touch a real account. `probed`:
 * what the one GET of the hooks' capabilities path answered (an endpoint that
 * speaks the hooks protocol is an emulator, and never comes here).
 */
export function checkInterlock(
  endpoint: string,
  source: string,
  options: { aws?: boolean; allowed: boolean; env?: NodeJS.ProcessEnv; probed?: string },
): void {
  if (options.allowed || !isRemoteEndpoint(endpoint, options)) return;
  const where = options.aws
    ? `${endpoint} is the AWS endpoint (--endpoint aws)`
    : treatAsRemote(options.env) && isLoopbackHost(new URL(endpoint).hostname)
      ? `${endpoint} (${source}) counts as remote (${TREAT_AS_REMOTE_ENV} is set)`
      : `${endpoint} (${source}) is not on this machine's loopback`;
  const what = options.probed === undefined ? where : `${where} and does not answer the hooks protocol (${options.probed})`;
  throw new UsageError(
    `refusing to run: ${what}, so it may be a real AWS account where the run creates and deletes resources; add ${ALLOW_FLAG} to ` +
      `run against it (${options.probed === undefined ? 'nothing was sent' : 'nothing else was sent'})`,
  );
}

/** The AWS SDK's own Proton endpoint for a region (https://proton.<region>.amazonaws.com in the aws partition). */
export async function awsEndpoint(region: string): Promise<string> {
  const client = new ProtonClient({ region });
  try {
    const resolved = client.config.endpointProvider({ Region: region, UseFIPS: false, UseDualStack: false });
    return resolved.url.href.replace(/\/+$/, '');
  } catch (error) {
    throw new UsageError(
      `--endpoint aws: no AWS endpoint for region '${region}': ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  } finally {
    client.destroy();
  }
}
