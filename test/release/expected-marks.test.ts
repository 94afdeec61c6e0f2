// Issue 20 item 5: a known failure (--expect) is marked where it is shown,
// `✗ FAIL (expected: <reason>)` in the console and the text details, and the
// summary names the failures that are not expected (rule and operation).
import { describe, expect, it } from 'vitest';
import { applyExpectations } from '../../harness/outcomes/expectations.ts';
import { syntheticReport } from './support.ts';
import type { Report, RuleResult } from '../../harness/types.ts';
import { renderConsole } from '../../reporters/console.ts';
import { detailLines } from '../../reporters/detail-text.ts';
import type { DetailResult } from '../../reporters/detail-text.ts';
import { renderMarkdown } from '../../reporters/markdown.ts';

const failed = (rule: string, operation: string): RuleResult => ({
  rule,
  category: 'client-token',
  level: 'MUST',
  operation,
  verdict: 'fail',
  reason: `${rule} broke on ${operation}`,
  evidence: [],
});

function gated(): Report {
  const results = [
    failed('client-token/format', 'CreateServiceTemplateVersion'),
    failed('client-token/same-token-same-params', 'CreateEnvironmentAccountConnection'),
    { ...failed('client-token/format', 'CreateEnvironmentTemplateVersion'), verdict: 'pass' as const, reason: 'fine' },
  ];
  const report: Report = syntheticReport(results);
  const entries = [
    {
      rule: 'client-token/format',
      operation: 'CreateServiceTemplateVersion',
      reason: 'tokens over 36 refused',
      link: 'https://t.example/9',
    },
  ];
  applyExpectations(report, entries, 'known.json', false);
  return report;
}

describe('expected failures, marked', () => {
  const info = { requests: 10, wallMs: 1000, interrupted: false };
  const options = { colour: false, width: 100, evidenceLimit: 5, stepLimit: 5 };

  it('the console marks the expected failure with its reason, and the summary names the unexpected one', () => {
    const text = renderConsole(gated(), info, options);
    expect(text).toContain('Failures (2: 1 unexpected, 1 expected)');
    expect(text).toContain('✗ FAIL (expected: tokens over 36 refused)  client-token/format  CreateServiceTemplateVersion  (MUST)');
    expect(text).toMatch(/^✗ FAIL {2}client-token\/same-token-same-params {2}CreateEnvironmentAccountConnection {2}\(MUST\)$/m);
    expect(text).toContain('  unexpected: client-token/same-token-same-params  CreateEnvironmentAccountConnection');
    const summary = text.trimEnd().split('\n').at(-1)!;
    expect(summary).toMatch(
      new RegExp(
        /^FAIL \(1 MUST cell failed, 1 more as expected; /.source +
          /unexpected: client-token\/same-token-same-params on CreateEnvironmentAccountConnection\)/.source,
      ),
    );
    expect(renderMarkdown(gated())).toContain('unexpected: client-token/same-token-same-params  CreateEnvironmentAccountConnection');
  });

  it('the text details (JUnit, Markdown, the vitest entry) carry the mark on their first line', () => {
    const [expected, unexpected] = gated().results as DetailResult[];
    expect(detailLines(expected!).slice(0, 2)).toEqual([
      'FAIL (expected: tokens over 36 refused) client-token/format on CreateServiceTemplateVersion (MUST): ' +
        'client-token/format broke on CreateServiceTemplateVersion',
      'tracked at: https://t.example/9',
    ]);
    expect(detailLines(unexpected!)[0]).toMatch(/^FAIL client-token\/same-token-same-params on /);
  });
});
