// Resolves the target of a run: where it is, whether it answers, what hooks it
// offers, and the region and credentials to sign with. Nothing else runs
// until this has succeeded, so an unreachable target costs seconds, not a run.
import { waitForTarget } from './wait-for.ts';
import { ProtonClient } from '@aws-sdk/client-proton';
import type { ProtonClientConfig } from '@aws-sdk/client-proton';
import type { Dispatcher } from 'undici';
import type { Capability } from '../types.ts';
import { chooseEndpoint } from './endpoint.ts';
import { awsEndpoint, checkInterlock, isRemoteEndpoint } from '../safety/interlock.ts';
import { startEmbedded } from './embedded.ts';
import type { EmbeddedMode } from './embedded.ts';
import { UsageError } from '../errors.ts';
import { createPool } from './http.ts';
import { hookPath, probeHooks } from './probe.ts';
import type { HooksProbe } from './probe.ts';
import { checkProtocol } from './protocol-probe.ts';
import { registerSecret } from '../client/redact.ts';
import { checkProfile, DEFAULT_REGION, resolveRegion } from './region.ts';

export type CredentialsProvider = Exclude<NonNullable<ProtonClientConfig['credentials']>, object & { accessKeyId: string }>;

export interface Target {
  endpoint: string;
  /** The in-process reference emulator. */
  embedded: boolean;
  /** Where the endpoint came from ("--endpoint", "AWS_ENDPOINT_URL", "embedded"). */
  source: string;
  /** `--endpoint aws`: the AWS SDK's default endpoint for the region. */
  aws: boolean;
  /**
   * Speaks the hooks protocol (its capabilities path answers the version 1
   * document, whatever hooks it offers): an emulator, never a real account.
   * The embedded emulator is one.
   */
  emulator: boolean;
  /**
   * May be a real account (harness/safety/interlock.ts): not on loopback, the AWS
   * endpoint, or PROTON_CONFORMANCE_TREAT_AS_REMOTE, and not an emulator.
   */
  remote: boolean;
  region: string;
  /** No region was configured: us-east-1, the suite's own default (an emulator's, or one on this machine's, run only). */
  regionDefaulted: boolean;
  capabilities: ReadonlySet<Capability>;
  /** Per-account isolation (hooks `accounts`): each cell signs as its own account. */
  accounts: boolean;
  /** The standard chain's credentials, used when the target has no accounts. */
  credentials: CredentialsProvider | undefined;
  pool: Dispatcher;
  close(): Promise<void>;
}

export interface TargetOptions {
  endpoint?: string;
  env?: NodeJS.ProcessEnv;
  embeddedMode?: EmbeddedMode;
  probeTimeoutMs?: number;
  /** Connections per origin in the shared pool. */
  connections?: number;
  /**
   * The interlock (harness/safety/interlock.ts): when given, a remote endpoint
   * without it set is refused (UsageError) before any request is sent.
   * Undefined: no interlock (programmatic use, the project's own tests).
   */
  allowRealAccount?: boolean;
  /** --wait-for-target: probe a given endpoint until it answers, at most this long (ms), before anything else (wait-for.ts). */
  waitForTargetMs?: number;
  /** Told when the wait begins (the CLI's stderr). */
  waiting?: (line: string) => void;
}

const CAPABILITIES: readonly Capability[] = ['clock', 'durations', 'reset', 'counts'];

export async function resolveTarget(options: TargetOptions = {}): Promise<Target> {
  const choice = await chooseEndpoint(options.endpoint, options.env);
  const aws = choice.aws === true;
  // A profile that does not exist is a configuration error before anything is sent (as the AWS CLI says).
  checkProfile();
  // `--endpoint aws` needs the region to name its endpoint.
  const awsRegion = aws ? await resolveRegion({ aws: true }) : undefined;
  const chosen = awsRegion !== undefined ? await awsEndpoint(awsRegion.region) : choice.url;
  const env = options.env ? { env: options.env } : {};
  const timeoutMs = options.probeTimeoutMs ?? 5_000;
  if (chosen !== undefined && options.waitForTargetMs !== undefined)
    await waitForTarget(chosen, options.waitForTargetMs, {
      probeTimeoutMs: timeoutMs,
      ...(options.waiting ? { waiting: options.waiting } : {}),
    });
  // The interlock comes before anything is started or sent, but for one GET of
  // the hooks' capabilities path: an emulator answers it, a real account never does.
  let probe: HooksProbe | undefined;
  if (chosen !== undefined && options.allowRealAccount === false && isRemoteEndpoint(chosen, { aws, ...env })) {
    if (!aws) probe = await probeHooks(chosen, { timeoutMs });
    if (probe?.emulator !== true) {
      const probed = probe ? { probed: `GET ${hookPath(chosen, 'capabilities')}: ${probe.answer}` } : {};
      checkInterlock(chosen, choice.source, { aws, allowed: false, ...env, ...probed });
    }
  }
  const embedded = chosen === undefined ? await startEmbedded(options.embeddedMode) : undefined;
  const endpoint = chosen ?? embedded!.url.replace(/\/+$/, '');
  try {
    probe ??= await probeHooks(endpoint, { timeoutMs });
    const hooks = probe.hooks;
    const emulator = embedded !== undefined || (!aws && probe.emulator);
    const remote = !emulator && isRemoteEndpoint(endpoint, { aws, ...env });
    const capabilities = new Set(CAPABILITIES.filter((c) => hooks.has(c)));
    const accounts = hooks.has('accounts');
    const { region, defaulted: regionDefaulted } = awsRegion ?? (await resolveRegion({ aws: false }));
    // Only where the region names nothing (an emulator, this machine) may the suite pick one.
    if (regionDefaulted && remote) {
      throw new UsageError(
        `no region for ${endpoint}: it may be a real AWS account, whose requests are signed for its region; set AWS_REGION, or a ` +
          'region in the profile (aws configure)',
      );
    }
    // A missing chain is reported after the protocol probe: a target that is
    // not Proton at all is the first thing to say.
    const chain = accounts ? undefined : await resolveCredentials(endpoint).catch((error: unknown) => error as UsageError);
    const credentials = chain instanceof Error ? undefined : chain;
    const pool = createPool({ connections: options.connections ?? 64 });
    if (embedded === undefined) {
      try {
        await checkProtocol({ endpoint, region, credentials, pool, timeoutMs });
        if (chain instanceof Error) throw chain;
      } catch (error) {
        await pool.close().catch(() => undefined);
        throw error;
      }
    }
    return {
      endpoint,
      embedded: embedded !== undefined,
      emulator,
      source: choice.source,
      aws,
      remote,
      region,
      regionDefaulted,
      capabilities,
      accounts,
      credentials,
      pool,
      async close() {
        await pool.close().catch(() => undefined);
        await embedded?.close();
      },
    };
  } catch (error) {
    await embedded?.close();
    throw error;
  }
}

/** The standard credential chain, checked once so that a missing one is a configuration error. */
export async function resolveCredentials(endpoint: string): Promise<CredentialsProvider> {
  const client = new ProtonClient({ region: DEFAULT_REGION });
  // Every identity the chain hands out (refreshed ones too) is scrubbed from all output.
  const provider: CredentialsProvider = async (identityProperties) => {
    const identity = await client.config.credentials(identityProperties);
    registerSecret(identity.secretAccessKey);
    registerSecret(identity.sessionToken);
    return identity;
  };
  try {
    await provider();
    return provider;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : 'unknown reason';
    throw new UsageError(
      `no AWS credentials for ${endpoint} (the target has no per-account hooks, so the standard chain is used): ${reason}`,
    );
  }
}
