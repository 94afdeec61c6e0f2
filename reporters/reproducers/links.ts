// Where a report links a failure to its reproducers (--reproducers DIR with
// --html or --markdown): paths relative to the report's own folder.
import { dirname, relative, resolve, sep } from 'node:path';
import type { RuleResult } from '../../harness/types.ts';
import { buildReproducer } from './build.ts';

/** A cell's two scripts, as a report links them; undefined when it has none. */
export type ReproducerLinks = (result: RuleResult) => { node: string; shell: string } | undefined;

export function reproducerLinks(dir: string, reportFile: string): ReproducerLinks {
  const base = relative(dirname(resolve(reportFile)), resolve(dir))
    .split(sep)
    .join('/');
  const prefix = base === '' ? '' : `${base}/`;
  return (result) => {
    if (result.verdict !== 'fail' && result.verdict !== 'warn') return undefined;
    const built = buildReproducer(result);
    if ('skipped' in built) return undefined;
    return { node: `${prefix}${built.reproducer.name}.mjs`, shell: `${prefix}${built.reproducer.name}.sh` };
  };
}
