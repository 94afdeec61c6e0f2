// Proton's ARNs: arn:aws:proton:<region>:<account>:<resource type>/<name>,
// with template versions as <template>:<major>.<minor>.

export type ArnType =
  | 'environment-template'
  | 'service-template'
  | 'environment'
  | 'service'
  | 'environment-account-connection'
  | 'repository';

export function arnOf(region: string, account: string, type: ArnType, resource: string): string {
  return `arn:aws:proton:${region}:${account}:${type}/${resource}`;
}

export interface ParsedArn {
  account: string;
  type: string;
  /** Everything after the type's slash. */
  resource: string;
}

const PROTON_ARN = /^arn:aws[a-z-]*:proton:[^:]*:(\d{12}):([a-z-]+)\/(.+)$/;

export function parseArn(arn: string): ParsedArn | undefined {
  const match = PROTON_ARN.exec(arn);
  if (match === null) return undefined;
  return { account: match[1]!, type: match[2]!, resource: match[3]! };
}
