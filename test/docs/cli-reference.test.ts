// docs/cli.md is generated from the --help texts (scripts/cli-reference.ts,
// `npm run docs:cli`); this fails when the two have drifted apart.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROXY_USAGE } from '../../cli/proxy.ts';
import { DIFF_USAGE, MERGE_USAGE, SWEEP_USAGE, USAGE, VERIFY_USAGE } from '../../cli/usage.ts';
import { CLI_REFERENCE_PATH, renderCliReference } from '../../scripts/cli-reference.ts';

const ROOT = new URL('../../', import.meta.url);

describe('docs/cli.md', () => {
  it('is what npm run docs:cli writes (run it after changing a --help text)', () => {
    const written = readFileSync(new URL(CLI_REFERENCE_PATH, ROOT), 'utf8');
    expect(written, 'docs/cli.md is stale: run npm run docs:cli').toBe(renderCliReference());
  });

  it('holds every --help text whole', () => {
    const reference = renderCliReference();
    for (const help of [USAGE, SWEEP_USAGE, PROXY_USAGE, DIFF_USAGE, MERGE_USAGE, VERIFY_USAGE])
      expect(reference).toContain(help.trimEnd());
  });
});
