// Which account a run against a remote target acts in, before it creates
// anything: STS GetCallerIdentity with the same credentials, sent to the same
// endpoint for a custom endpoint (an emulator that answers STS tells its
// account), or to AWS_ENDPOINT_URL_STS / the SDK's default STS endpoint for
// `--endpoint aws`. A target that does not answer STS leaves the account
// unknown, which is said, never guessed. Credentials are never printed.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { STSClientConfig } from '@aws-sdk/client-sts';
import { UsageError } from '../errors.ts';
import { registerSecret } from '../client/redact.ts';

export interface CallerIdentity {
  /** 12-digit account id; undefined when it could not be determined. */
  account: string | undefined;
  arn?: string;
  /** Why the account is unknown (one line, no secrets). */
  unknownReason?: string;
  /** Where the question was sent. */
  stsEndpoint: string;
}

export interface IdentityTarget {
  endpoint: string;
  region: string;
  aws: boolean;
  credentials?: STSClientConfig['credentials'] | undefined;
}

const ACCOUNT_ID = /^\d{12}$/;

/** Asks STS who the run's credentials are; never throws for an endpoint that does not answer STS. */
export async function callerIdentity(
  target: IdentityTarget,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CallerIdentity> {
  const env = options.env ?? process.env;
  const custom = target.aws ? env['AWS_ENDPOINT_URL_STS'] || undefined : target.endpoint;
  const stsEndpoint = custom ?? `the AWS STS endpoint of ${target.region}`;
  const config: STSClientConfig = {
    region: target.region,
    // Only what this function chose: not AWS_ENDPOINT_URL, which names the Proton target.
    ignoreConfiguredEndpointUrls: true,
    maxAttempts: 2,
  };
  if (custom !== undefined) config.endpoint = custom;
  if (target.credentials !== undefined) config.credentials = target.credentials;
  const client = new STSClient(config);
  if (target.credentials === undefined) {
    // The chain's secrets are scrubbed from all output like the run's own.
    const chain = client.config.credentials;
    client.config.credentials = async (properties) => {
      const identity = await chain(properties);
      registerSecret(identity.secretAccessKey);
      registerSecret(identity.sessionToken);
      return identity;
    };
  }
  try {
    const answer = await client.send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    if (answer.Account === undefined || !ACCOUNT_ID.test(answer.Account)) {
      return { account: undefined, unknownReason: 'STS GetCallerIdentity answered without a 12-digit account id', stsEndpoint };
    }
    return { account: answer.Account, ...(answer.Arn ? { arn: answer.Arn } : {}), stsEndpoint };
  } catch (error) {
    return { account: undefined, unknownReason: reasonOf(error), stsEndpoint };
  } finally {
    client.destroy();
  }
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return 'STS GetCallerIdentity failed';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = error.name && error.name !== 'Error' ? error.name : 'error';
  const message = (error.message.split('\n')[0] ?? '').slice(0, 160);
  return `STS GetCallerIdentity failed (${name}${status ? `, HTTP ${status}` : ''}${message ? `: ${message}` : ''})`;
}

/** The line a run prints before it creates anything. */
export function identityLine(identity: CallerIdentity, target: { endpoint: string; region: string }): string {
  const who =
    identity.account !== undefined
      ? `account ${identity.account}${identity.arn ? ` (${identity.arn})` : ''}`
      : `account unknown (${identity.unknownReason ?? 'no answer'})`;
  return `${who}, region ${target.region}, endpoint ${target.endpoint}`;
}

/** `--account ID`: the account must be known and match; a UsageError (exit 2) otherwise. */
export function checkAccount(expected: string | undefined, identity: CallerIdentity): void {
  if (expected === undefined) return;
  if (identity.account === undefined) {
    throw new UsageError(
      `--account ${expected}: the account of these credentials could not be determined (${identity.unknownReason ?? 'no answer'} ` +
        `at ${identity.stsEndpoint}); nothing was created`,
    );
  }
  if (identity.account !== expected) {
    throw new UsageError(
      `--account ${expected}: these credentials act in account ${identity.account}, not ${expected}; nothing was created`,
    );
  }
}

export function isAccountId(value: string): boolean {
  return ACCOUNT_ID.test(value);
}
