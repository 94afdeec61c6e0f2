// An internal error of the suite itself (a bug, not the target's fault nor the
// user's) has an exit code of its own, 4, and one line that asks for a report;
// and the --path a commands property prints (its replay path after '@') parses.
import { afterEach, expect, it, vi } from 'vitest';

vi.mock('../../suites/catalog.ts', () => ({
  loadCatalog: async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'rules')");
  },
}));

const { EXIT_INTERNAL, runCli } = await import('../../cli/main.ts');
const { parseCli } = await import('../../cli/args.ts');

afterEach(() => {
  vi.restoreAllMocks();
});

it('exits 4 on an internal error, with one line naming it a bug to report', async () => {
  const written: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  const code = await runCli(['--rules', 'client-token/format']);
  expect(EXIT_INTERNAL).toBe(4);
  expect(code).toBe(4);
  const text = written.join('');
  expect(text.trimEnd().split('\n')).toHaveLength(1);
  expect(text).toMatch(
    /^proton-conformance: internal error: TypeError: Cannot read properties of undefined .*a bug in proton-conformance, please report it/,
  );
});

it('accepts a printed --path with a commands replay path, and nothing else after the digits', () => {
  expect(parseCli(['--seed', '7', '--path', '2:0:1@AAA:F']).path).toBe('2:0:1@AAA:F');
  expect(() => parseCli(['--seed', '7', '--path', '2:0:1@x y'])).toThrow(/is not a fast-check path/);
  expect(() => parseCli(['--seed', '7', '--path', 'abc'])).toThrow(/is not a fast-check path/);
});
