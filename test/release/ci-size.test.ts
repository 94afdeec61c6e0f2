// Issue 20 item 7, the pure parts: the Markdown summary stays under 1 MiB
// whatever the number of failures (cut by size, with a note saying where the
// rest is); $GITHUB_STEP_SUMMARY is written only with --summary; --quiet
// prints the failures' headlines and the summary line only.
import { describe, expect, it } from 'vitest';
import { fileReporters } from '../../cli/reports.ts';
import { parseCli } from '../../cli/args.ts';
import { syntheticReport } from './support.ts';
import type { Report, RuleResult } from '../../harness/types.ts';
import { renderConsole } from '../../reporters/console.ts';
import { renderMarkdown } from '../../reporters/markdown.ts';

const MIB = 1024 * 1024;

function failing(count: number, stepChars: number): Report {
  const results: RuleResult[] = Array.from({ length: count }, (_, i) => ({
    rule: 'client-token/same-token-same-params',
    category: 'client-token',
    level: 'MUST',
    operation: `CreateThing${String.fromCharCode(65 + (i % 26))}${Math.floor(i / 26)}`,
    verdict: 'fail',
    reason: `failure ${i}: the retry answered another identity`,
    evidence: [],
    steps: Array.from({ length: 60 }, (_, s) => `step ${s} ${'x'.repeat(stepChars)}`),
  }));
  return syntheticReport(results);
}

describe('the Markdown summary, sized for CI', () => {
  it('stays under 1 MiB with 400 failures of 12 KB each, and says how many it cut and where they are', () => {
    const text = renderMarkdown(failing(400, 400));
    expect(Buffer.byteLength(text)).toBeLessThan(MIB);
    expect(text).toContain('### Failures (400)');
    const folded = text.match(/<details><summary>/g)?.length ?? 0;
    expect(folded).toBeGreaterThan(40);
    expect(folded).toBeLessThan(400);
    expect(text).toContain(
      `> ${400 - folded} of 400 failures and warnings are shown without their details: this summary stays under 1 MiB, GitHub's limit. ` +
        'The JSON report (--json) and the HTML report (--html) have every one with its evidence.',
    );
    // The rest by name, one line each.
    expect(text).toMatch(/^- ✗ <code>client-token\/same-token-same-params<\/code> CreateThingJ15$/m);
  });

  it('leaves everything folded, and no note, when it fits', () => {
    const text = renderMarkdown(failing(5, 40));
    expect(text.match(/<details><summary>/g)).toHaveLength(5);
    expect(text).not.toContain('shown without their details');
  });
});

describe('$GITHUB_STEP_SUMMARY only when asked', () => {
  const env = { GITHUB_STEP_SUMMARY: '/tmp/summary.md' };
  const names = (flags: Parameters<typeof fileReporters>[0]): string[] => fileReporters(flags, env).map((r) => r.name);
  it('a run (a shard) writes nothing there without --summary; with it, the summary', () => {
    expect(names(parseCli(['--shard', '1/2', '--json', 'a.json']))).toEqual(['json']);
    expect(names(parseCli(['--summary']))).toEqual(['step-summary']);
    expect(fileReporters(parseCli(['--summary']), {}).map((r) => r.name)).toEqual([]);
  });
});

describe('--quiet', () => {
  it("prints the failures' headlines and the summary line, nothing else", () => {
    const report = failing(3, 10);
    const text = renderConsole(
      report,
      { requests: 9, wallMs: 1000, interrupted: false },
      {
        colour: false,
        width: 100,
        evidenceLimit: 5,
        stepLimit: 5,
        quiet: true,
      },
    );
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 3)).toEqual(
      ['A0', 'B0', 'C0'].map((x) => `✗ FAIL  client-token/same-token-same-params  CreateThing${x}  (MUST)`),
    );
    expect(lines[3]).toMatch(/^FAIL \(3 MUST cells failed\): /);
    expect(parseCli(['--quiet']).quiet).toBe(true);
  });
});
