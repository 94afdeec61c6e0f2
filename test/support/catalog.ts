// A rule of a test catalog (harness/run/catalog.ts): a MUST scenario rule of
// client-token on CreateEnvironmentTemplateVersion, unless `extra` says otherwise.
import type { CatalogRule } from '../../harness/run/catalog.ts';

export function testRule(id: string, extra: Partial<CatalogRule> = {}): CatalogRule {
  return {
    id,
    category: 'client-token',
    level: 'MUST',
    operations: ['CreateEnvironmentTemplateVersion'],
    requires: [],
    prefers: [],
    checkedBy: 'scenario',
    ...extra,
  };
}
