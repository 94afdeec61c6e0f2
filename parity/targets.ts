// The two targets of a parity run as the main CLI resolves its target
// (harness/target/target.ts): the interlock first, then how to sign.
// - The interlock (harness/safety/interlock.ts): a URL not on this machine's
//   loopback (or any URL with PROTON_CONFORMANCE_TREAT_AS_REMOTE set) that
//   does not answer the hooks protocol may be a real account, where parity
//   creates and deletes resources: refused without --allow-real-account, after
//   one GET of the capabilities path and before anything else is sent.
// - Signing: a target with the `accounts` hook (an emulator in open mode) is
//   signed per sequence with a 12-digit access key id that names the
//   sequence's account, and a secret of no meaning. Any other target is signed
//   with the standard AWS chain's credentials (AWS_PROFILE, the environment,
//   SSO, ...); where there are none, a target on loopback still gets the local
//   default (any signature passes an open emulator), a remote one is a
//   configuration error. Credentials are never printed.
// - The region: one for both targets, the standard chain's; without one,
//   us-east-1, unless a target may be a real account (exit 2, as the main CLI).
import { UsageError } from '../harness/errors.ts';
import { checkInterlock, isRemoteEndpoint } from '../harness/safety/interlock.ts';
import { hookPath, probeHooks } from '../harness/target/probe.ts';
import { resolveRegion } from '../harness/target/region.ts';
import { resolveCredentials, type CredentialsProvider } from '../harness/target/target.ts';
import type { ParityEndpoint } from './run.ts';

export interface EndpointOptions {
  /** --allow-real-account: a target that may be a real account is compared (and created in) all the same. */
  allowRealAccount: boolean;
  /** The environment the interlock reads (PROTON_CONFORMANCE_TREAT_AS_REMOTE); default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * A target given by URL: probed once (its hooks), held to the interlock, and
 * given the credentials it is signed with. `flag`: the option that named it,
 * for messages (`--candidate`).
 */
export async function resolveParityEndpoint(label: string, url: string, flag: string, options: EndpointOptions): Promise<ParityEndpoint> {
  const env = options.env ?? process.env;
  const probe = await probeHooks(url);
  const remote = !probe.emulator && isRemoteEndpoint(url, { env });
  if (remote && !options.allowRealAccount) {
    checkInterlock(url, flag, { allowed: false, env, probed: `GET ${hookPath(url, 'capabilities')}: ${probe.answer}` });
  }
  const endpoint: ParityEndpoint = { label, url, hooks: probe.hooks, remote };
  if (probe.hooks.has('accounts')) return endpoint;
  let credentials: CredentialsProvider | undefined;
  try {
    credentials = await resolveCredentials(url);
  } catch (error) {
    if (remote) throw error;
  }
  return credentials === undefined ? endpoint : { ...endpoint, credentials };
}

/** The region both targets are signed for: `given`, else the standard chain's, else us-east-1 where no target may be a real account. */
export async function parityRegion(given: string | undefined, endpoints: readonly ParityEndpoint[]): Promise<string> {
  if (given !== undefined) return given;
  const { region, defaulted } = await resolveRegion({ aws: false });
  const remote = endpoints.find((endpoint) => endpoint.remote);
  if (defaulted && remote !== undefined) {
    throw new UsageError(
      `no region for ${remote.url}: it may be a real AWS account, whose requests are signed for its region; set AWS_REGION, or a ` +
        'region in the profile (aws configure)',
    );
  }
  return region;
}
