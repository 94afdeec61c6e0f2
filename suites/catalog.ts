// The real catalog: the rules of specs/rules.ts, the checks of
// suites/registry.ts, the operation entries of specs/operations/. Loaded on
// demand so that `--help` and flag errors answer without loading the suites.
import type { OperationSpec } from '../specs/types.ts';
import type { Catalog } from '../harness/run/catalog.ts';

export async function loadCatalog(): Promise<Catalog<OperationSpec>> {
  const [{ RULES }, { operationSpec }, { checks }] = await Promise.all([
    import('../specs/rules.ts'),
    import('../specs/operations/index.ts'),
    import('./registry.ts'),
  ]);
  return { rules: RULES, checks, operation: operationSpec };
}
