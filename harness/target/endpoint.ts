// Which endpoint a run talks to, and where that choice came from. Order:
// --endpoint (a URL, or `aws`: the AWS SDK's default endpoint for the
// region), then what the SDK itself would use (AWS_ENDPOINT_URL_PROTON,
// AWS_ENDPOINT_URL, a profile's endpoint_url; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
// turns the configured ones off), else the embedded emulator.
import { ProtonClient } from '@aws-sdk/client-proton';
import { UsageError } from '../errors.ts';
import { AWS_ENDPOINT_WORD } from '../safety/interlock.ts';

export interface EndpointChoice {
  /** Normalised URL (the origin: a path is refused), or undefined for the embedded emulator. */
  url: string | undefined;
  /** Where it came from, for messages: "--endpoint", "AWS_ENDPOINT_URL_PROTON", ... */
  source: string;
  /** `--endpoint aws`: the SDK's default Proton endpoint for the region (url is resolved with the region). */
  aws?: boolean;
}

/** Parses and checks an endpoint URL; `source` names the flag or variable in the message. */
export function parseEndpoint(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(`${source}: '${raw}' is not a valid URL (expected e.g. http://127.0.0.1:4566)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source}: '${raw}' must be an http:// or https:// URL`);
  }
  if (url.username || url.password) {
    // Never let a credential ride along into reports and messages.
    throw new UsageError(`${source}: the URL must not contain a user name or password`);
  }
  if (url.search || url.hash) {
    throw new UsageError(`${source}: the URL must not contain a query or a fragment`);
  }
  // The Proton API (AWS JSON 1.0) is served at '/': a path is a mistake in the setting, not an unreachable target.
  const path = url.pathname.replace(/\/+$/, '');
  if (path !== '') {
    throw new UsageError(
      `${source}: '${raw.trim()}' has a path (${path}); give the endpoint without one, e.g. ${url.protocol}//${url.host} ` +
        '(the Proton API is served at /)',
    );
  }
  return `${url.protocol}//${url.host}`;
}

const ENV_SOURCES = ['AWS_ENDPOINT_URL_PROTON', 'AWS_ENDPOINT_URL'] as const;

export async function chooseEndpoint(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<EndpointChoice> {
  if (flag !== undefined && flag.trim().toLowerCase() === AWS_ENDPOINT_WORD) return { url: undefined, source: '--endpoint aws', aws: true };
  if (flag !== undefined) return { url: parseEndpoint(flag, '--endpoint'), source: '--endpoint' };
  if (isTrue(env['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'])) return { url: undefined, source: 'embedded' };
  for (const name of ENV_SOURCES) {
    const value = env[name];
    if (value) return { url: parseEndpoint(value, name), source: name };
  }
  const configured = await configFileEndpoint();
  if (configured) return { url: parseEndpoint(configured, 'endpoint_url (AWS config file)'), source: 'endpoint_url (AWS config file)' };
  return { url: undefined, source: 'embedded' };
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.toLowerCase() === 'true';
}

/** The SDK's own reading of the shared config file (profile or services section). */
async function configFileEndpoint(): Promise<string | undefined> {
  const client = new ProtonClient({ region: 'us-east-1' });
  try {
    const config = client.config as unknown as { serviceConfiguredEndpoint?: () => Promise<string | undefined> };
    return config.serviceConfiguredEndpoint ? await config.serviceConfiguredEndpoint() : undefined;
  } catch (error) {
    throw new UsageError(`AWS config file: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    client.destroy();
  }
}
