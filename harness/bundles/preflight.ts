// Does this target read template bundles? Asked before a run that has no
// bundle bucket, against a remote target: AWS Proton does (so `--endpoint aws`
// needs --bundle-bucket outright); a hosted Proton-compatible service may or
// may not. The question is put to the target itself: one environment
// template of the run's with one version from a placeholder source, and what
// its registration comes to. REGISTRATION_FAILED (or a create refused for
// its source) means the run could set up no template version: it ends before
// it starts, naming the flag. DRAFT means placeholders are enough.
import type { ProtonClient } from '@aws-sdk/client-proton';
import { attempt, send } from '../../specs/commands.ts';
import { PLACEHOLDER_BUNDLES, bundle } from '../../specs/values.ts';
import { UsageError } from '../errors.ts';
import { NAME_PREFIX, TAG_CELL, TAG_RUN } from '../safety/names.ts';
import { backoff, sleep } from '../pace.ts';
import type { Backoff } from '../pace.ts';

/** How long the preflight waits for the registration to end (real time). */
export const PREFLIGHT_TIMEOUT_MS = 300_000;
/** Its polls: 0.5 s, doubling, at most 10 s apart. */
const PREFLIGHT_POLL: Backoff = { baseMs: 500, factor: 2, capMs: 10_000 };

export interface PreflightOptions {
  client: ProtonClient;
  runId: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A progress line now and then. */
  note?: (line: string) => void;
}

export type PreflightAnswer =
  | { needsBundles: false; status: string }
  | { needsBundles: true; reason: string }
  /** Registration did not end in time, or the template could not be made: the run goes on with placeholders. */
  | { needsBundles: undefined; reason: string };

/** The message of a run that needs --bundle-bucket and has none. */
export function needsBundleBucket(endpoint: string, why: string): UsageError {
  return new UsageError(
    `${endpoint} reads template bundles from S3 (${why}): pass --bundle-bucket NAME (a bucket the credentials may write to; ` +
      `the run uploads its bundles under --bundle-prefix, default proton-conformance/, and removes them at its end)`,
  );
}

/**
 * Creates `pc<run>-preflight` (tagged for the run) with one version from a
 * placeholder source and polls until its registration ends. The template and
 * its version are left to the run's cleanup (they carry the run's name and
 * tag); the caller removes them at once when the run stops here.
 */
export async function preflightBundles(options: PreflightOptions): Promise<PreflightAnswer> {
  const { client, signal } = options;
  const name = `${NAME_PREFIX}${options.runId}-preflight`;
  const tags = [
    { key: TAG_RUN, value: options.runId },
    { key: TAG_CELL, value: 'preflight: does the target read template bundles' },
  ];
  const template = await attempt(client, 'CreateEnvironmentTemplate', { name, tags }, signal);
  if (!template.ok)
    return { needsBundles: undefined, reason: `CreateEnvironmentTemplate ${name}: ${template.error.name}: ${template.error.message}` };
  const placeholder = PLACEHOLDER_BUNDLES.environment[0]!;
  const source = bundle(placeholder.bucket, placeholder.key);
  const created = await attempt(client, 'CreateEnvironmentTemplateVersion', { templateName: name, source, tags }, signal);
  if (!created.ok) {
    const { name: error, message } = created.error;
    // A target that checks the source at once (the object does not exist, or may not be read).
    if (error === 'ValidationException' || error === 'AccessDeniedException') {
      return {
        needsBundles: true,
        reason: `a version from the placeholder s3://${placeholder.bucket}/${placeholder.key} was refused: ${error}: ${message}`,
      };
    }
    return { needsBundles: undefined, reason: `CreateEnvironmentTemplateVersion: ${error}: ${message}` };
  }
  const version = created.output['environmentTemplateVersion'] as Record<string, unknown> | undefined;
  const key = {
    templateName: name,
    majorVersion: String(version?.['majorVersion'] ?? '1'),
    minorVersion: String(version?.['minorVersion'] ?? '0'),
  };
  const timeoutMs = options.timeoutMs ?? PREFLIGHT_TIMEOUT_MS;
  const started = performance.now();
  let polls = 0;
  let status = String(version?.['status'] ?? 'REGISTRATION_IN_PROGRESS');
  let message: unknown = version?.['statusMessage'];
  options.note?.(
    `proton-conformance: preflight: does ${name}'s version register without a bundle? (up to ${Math.round(timeoutMs / 1000)} s)`,
  );
  while (status === 'REGISTRATION_IN_PROGRESS') {
    if (performance.now() - started > timeoutMs) {
      return { needsBundles: undefined, reason: `its registration had not ended after ${Math.round(timeoutMs / 1000)} s` };
    }
    await sleep(backoff(PREFLIGHT_POLL, ++polls), signal);
    const read = await send(client, 'GetEnvironmentTemplateVersion', key, signal);
    const current = read['environmentTemplateVersion'] as Record<string, unknown> | undefined;
    status = String(current?.['status'] ?? status);
    message = current?.['statusMessage'];
  }
  if (status === 'REGISTRATION_FAILED') {
    const said = typeof message === 'string' && message ? `: ${message}` : '';
    return {
      needsBundles: true,
      reason: `a version from the placeholder s3://${placeholder.bucket}/${placeholder.key} ended REGISTRATION_FAILED${said}`,
    };
  }
  return { needsBundles: false, status };
}
