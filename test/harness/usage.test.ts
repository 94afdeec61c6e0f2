// The main command's flags are written in two places: the parser's table
// (cli/args.ts OPTIONS) and the help text (cli/usage.ts USAGE, from which
// docs/cli.md is generated). This keeps the two in step, both ways.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPTIONS } from '../../cli/args.ts';
import { USAGE } from '../../cli/usage.ts';

/** The flags a help text documents: the `--name` that starts an option line (after its two-space indent). */
function documentedFlags(text: string): string[] {
  const flags = new Set<string>();
  for (const line of text.split('\n')) {
    const flag = /^ {2}(--[a-z][a-z-]*)/.exec(line)?.[1];
    if (flag) flags.add(flag);
  }
  return [...flags].sort();
}

describe('the main command flags', () => {
  const parsed = Object.keys(OPTIONS)
    .map((name) => `--${name}`)
    .sort();

  it('every flag the parser takes is documented in the help text', () => {
    const documented = new Set(documentedFlags(USAGE));
    expect(parsed.filter((flag) => !documented.has(flag))).toEqual([]);
  });

  it('every flag the help text documents is one the parser takes', () => {
    const taken = new Set(parsed);
    expect(documentedFlags(USAGE).filter((flag) => !taken.has(flag))).toEqual([]);
  });

  it("every flag the README's table names is one the parser takes", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.split('\n').filter((line) => line.startsWith('| `--'));
    const named = new Set(table.flatMap((line) => [...line.split('|')[1]!.matchAll(/`(--[a-z][a-z-]*)/g)].map((m) => m[1]!)));
    expect(named.size).toBeGreaterThan(5);
    expect([...named].filter((flag) => !(parsed as string[]).includes(flag))).toEqual([]);
  });

  it('reads the flag that starts an option line, not one in a description', () => {
    const text = 'Target:\n  --endpoint URL   the target\n  --json FILE      see --junit\n      --not-this (a continuation)\n';
    expect(documentedFlags(text)).toEqual(['--endpoint', '--json']);
  });
});
