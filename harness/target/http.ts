// The one HTTP connection pool of a run: the SDK clients of every cell, the
// hooks and the probe share it, so keep-alive connections are reused across
// cells instead of each client opening its own.
import { Agent } from 'undici';
import type { Dispatcher } from 'undici';

export interface PoolOptions {
  /** Connections per origin; cells beyond it queue. */
  connections?: number;
  /** Connect timeout, milliseconds. */
  connectTimeoutMs?: number;
  /** Time to the response headers, and between body chunks, milliseconds. */
  responseTimeoutMs?: number;
}

export function createPool(options: PoolOptions = {}): Dispatcher {
  return new Agent({
    connections: options.connections ?? 64,
    connect: { timeout: options.connectTimeoutMs ?? 10_000 },
    headersTimeout: options.responseTimeoutMs ?? 120_000,
    bodyTimeout: options.responseTimeoutMs ?? 120_000,
    keepAliveTimeout: 10_000,
  });
}

/** Lower-cased header map with single string values (multi-values joined). */
export function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
