// The SDK client of a cell: the real ProtonClient (its serializers, signing,
// idempotency-token filling and retry strategy are part of what is tested),
// with the recording handler underneath. Every response it sees goes to the
// cell's recorder, the run's shape ledger and the request counter.
import { ProtonClient } from '@aws-sdk/client-proton';
import type { ProtonClientConfig } from '@aws-sdk/client-proton';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import type { Dispatcher } from 'undici';
import type { ClientOptions } from '../run/context.ts';
import { RecordingHandler } from './http-handler.ts';
import type { ExchangeSink } from './recorder.ts';
import { addOwnershipGuard } from '../safety/ownership.ts';
import type { GuardOptions } from '../safety/ownership.ts';
import type { CellWeather } from './weather.ts';

export type Credentials = NonNullable<ProtonClientConfig['credentials']>;

export interface ClientEnvironment {
  endpoint: string;
  region: string;
  /** Undefined: the SDK's default chain. */
  credentials: Credentials | undefined;
  pool: Dispatcher;
  sink: ExchangeSink;
  /** The cell's current signal, read per request. */
  signal?: () => AbortSignal | undefined;
  gate?: (operation: string, signal: AbortSignal | undefined) => Promise<void> | undefined;
  /** The ownership guard of Delete* commands (harness/safety/ownership.ts); absent: none (the embedded emulator). */
  ownership?: GuardOptions;
  /** The cell's weather: transient answers retried by the handler (harness/client/weather.ts). */
  weather?: CellWeather;
  /** Connect here (a wire proxy) with requests signed for `endpoint` (RecordingHandlerOptions.connectTo). */
  connectTo?: string;
}

export function createProtonClient(env: ClientEnvironment, options: ClientOptions = {}): ProtonClient {
  const handler = new RecordingHandler({
    pool: env.pool,
    sink: env.sink,
    loseResponses: options.loseResponses ?? 0,
    ...(env.signal ? { signal: env.signal } : {}),
    ...(env.gate ? { gate: env.gate } : {}),
    ...(env.connectTo ? { connectTo: env.connectTo } : {}),
    // weather: false hands transient answers to the SDK's own retry strategy.
    ...(env.weather && options.weather !== false ? { weather: env.weather } : {}),
  });
  const config: ProtonClientConfig = {
    endpoint: env.endpoint,
    region: env.region,
    requestHandler: handler,
    // The suite's own environment must not change what it sends.
    ignoreConfiguredEndpointUrls: true,
    // Resolve each command's middleware stack once per client, not per call.
    cacheMiddleware: true,
  };
  if (env.credentials !== undefined) config.credentials = env.credentials;
  if (options.maxAttempts !== undefined) config.maxAttempts = options.maxAttempts;
  // The SDK's standard retry strategy with a fixed backoff (the wire checks' SDK retries, kept fast).
  if (options.retryBackoffMs !== undefined)
    config.retryStrategy = new ConfiguredRetryStrategy(options.maxAttempts ?? 3, options.retryBackoffMs);
  const client = new ProtonClient(config);
  if (env.ownership) addOwnershipGuard(client, env.ownership);
  return client;
}
