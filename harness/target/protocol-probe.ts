// Before any check: does the target speak the Proton API at all? One real,
// harmless request (ListEnvironmentTemplates, maxResults 1), signed as the
// run's requests are, judged on the wire (harness/target/probe.ts
// judgeProtocolAnswer). A plain web server, a path that is not the API, or a
// proxy's error page stops the run with one line (exit 3); a refused
// signature is a configuration error (exit 2); any Proton answer, errors
// included, is the protocol and the run goes on.
import { ListEnvironmentTemplatesCommand, ProtonClient } from '@aws-sdk/client-proton';
import type { Dispatcher } from 'undici';
import type { Credentials } from '../client/client.ts';
import { UnreachableError, UsageError } from '../errors.ts';
import { RecordingHandler } from '../client/http-handler.ts';
import { judgeProtocolAnswer, networkReason } from './probe.ts';
import type { RawExchange } from '../client/recorder.ts';

export interface ProtocolProbeOptions {
  endpoint: string;
  region: string;
  /** The run's credentials; undefined: placeholder ones (the answer's form is all that is judged). */
  credentials: Credentials | undefined;
  pool: Dispatcher;
  timeoutMs: number;
}

/** Placeholder keys for a target with per-account hooks, or before a missing chain is reported. */
export const PROBE_CREDENTIALS = { accessKeyId: 'AKIAPROTONCONFPROBE0', secretAccessKey: 'proton-conformance-probe-not-a-secret' };

/** Throws UnreachableError (not Proton) or UsageError (credentials refused); returns when the target speaks the protocol. */
export async function checkProtocol(options: ProtocolProbeOptions): Promise<void> {
  let seen: RawExchange | undefined;
  const handler = new RecordingHandler({ pool: options.pool, sink: { record: (exchange) => (seen = exchange) } });
  const client = new ProtonClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: options.credentials ?? PROBE_CREDENTIALS,
    requestHandler: handler,
    ignoreConfiguredEndpointUrls: true,
    maxAttempts: 1,
  });
  try {
    await client.send(new ListEnvironmentTemplatesCommand({ maxResults: 1 }), { abortSignal: AbortSignal.timeout(options.timeoutMs) });
  } catch {
    // Judged below from what came over the wire, not from the SDK's reading of it.
  } finally {
    client.destroy();
  }
  if (seen === undefined) return; // the SDK failed before sending (e.g. signing): the run will say so
  if (seen.response === undefined) {
    throw new UnreachableError(
      `target ${options.endpoint} is unreachable: ListEnvironmentTemplates got ${networkReason(seen.error, options.timeoutMs)}`,
    );
  }
  const verdict = judgeProtocolAnswer(seen.response.status, seen.response.headers, seen.response.body);
  if (verdict.kind === 'not-proton') {
    throw new UnreachableError(`target ${options.endpoint} is not a Proton endpoint: ListEnvironmentTemplates answered ${verdict.what}`);
  }
  if (verdict.kind === 'auth' && options.credentials !== undefined) {
    throw new UsageError(`target ${options.endpoint} refused the credentials: ListEnvironmentTemplates answered ${verdict.what}`);
  }
}
