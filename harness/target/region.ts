// The region a run signs for, and the profile it reads, judged as the AWS CLI
// judges them: a profile named by AWS_PROFILE that no file holds, a region
// that is not a region, and `--endpoint aws` without a region are each a
// configuration error (exit 2, one line), never silently replaced. Only an
// emulator's run, where the region names nothing, may go on without one: it
// signs for us-east-1, and the header says that is a default.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ProtonClient } from '@aws-sdk/client-proton';
import { UsageError } from '../errors.ts';

export const DEFAULT_REGION = 'us-east-1';

export interface RegionChoice {
  region: string;
  /** No region was configured: the suite's own default (only where the target does not care). */
  defaulted: boolean;
}

/** The standard chain's region (AWS_REGION, AWS_DEFAULT_REGION, the profile's); `aws`: `--endpoint aws`, which needs one. */
export async function resolveRegion(options: { aws: boolean; env?: NodeJS.ProcessEnv }): Promise<RegionChoice> {
  checkProfile(options.env ?? process.env);
  const client = new ProtonClient({});
  let region: string;
  try {
    region = await client.config.region();
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    if (!/region is missing/i.test(message)) throw new UsageError(`region: ${invalidRegion(message)}`);
    if (options.aws) {
      throw new UsageError(
        '--endpoint aws needs a region (the AWS endpoint is per region): set AWS_REGION, or a region in the profile (aws configure)',
      );
    }
    return { region: DEFAULT_REGION, defaulted: true };
  } finally {
    client.destroy();
  }
  return { region, defaulted: false };
}

/** The SDK's "Region not accepted: region=\"x\" is not a valid hostname component." as one line naming where it came from. */
function invalidRegion(message: string): string {
  const found = /region="([^"]*)"/.exec(message);
  return found ? `'${found[1]}' is not a valid AWS region name (from AWS_REGION, AWS_DEFAULT_REGION or the profile)` : message;
}

/**
 * AWS_PROFILE (or AWS_DEFAULT_PROFILE) names a profile that neither the config
 * file nor the credentials file holds: the AWS CLI's "The config profile
 * (NAME) could not be found", here exit 2. The default profile may be absent.
 */
export function checkProfile(env: NodeJS.ProcessEnv = process.env): void {
  const name = env['AWS_PROFILE'] || env['AWS_DEFAULT_PROFILE'];
  if (!name || name === 'default') return;
  const configFile = env['AWS_CONFIG_FILE'] || join(homedir(), '.aws', 'config');
  const credentialsFile = env['AWS_SHARED_CREDENTIALS_FILE'] || join(homedir(), '.aws', 'credentials');
  const profiles = new Set([...sectionNames(configFile, 'config'), ...sectionNames(credentialsFile, 'credentials')]);
  if (profiles.has(name)) return;
  const variable = env['AWS_PROFILE'] ? 'AWS_PROFILE' : 'AWS_DEFAULT_PROFILE';
  throw new UsageError(
    `${variable}: the profile '${name}' is not in ${configFile} or ${credentialsFile}` +
      `${profiles.size > 0 ? ` (profiles there: ${[...profiles].sort().join(', ')})` : ' (no profiles there)'}`,
  );
}

/** Profile names in a shared file: `[profile NAME]` and `[default]` in the config file, `[NAME]` in the credentials file. */
function sectionNames(file: string, kind: 'config' | 'credentials'): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const section = /^\s*\[([^\]]+)\]\s*(?:[#;].*)?$/.exec(line)?.[1]?.trim();
    if (section === undefined) continue;
    if (kind === 'credentials') names.push(section);
    else if (section === 'default') names.push(section);
    else if (/^profile\s+/.test(section)) names.push(section.replace(/^profile\s+/, '').trim());
  }
  return names;
}
