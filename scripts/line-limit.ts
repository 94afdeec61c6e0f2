// The line limit (issue 18): no line of a tracked .ts, .mjs or .js file is
// over LINE_LIMIT characters. Biome formats the tree at that width, but its
// formatter leaves string literals, template literals and comments whole, and
// it has no rule for a line's length, so this checks what it cannot:
//
//   npm run lint      (biome check . && tsx scripts/line-limit.ts)
//
// It prints `file:line: N characters` for each line over the limit and exits 1.
// test/line-limit.test.ts checks longLines().
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The widest a line may be, in characters; biome.json's formatter.lineWidth. */
export const LINE_LIMIT = 140;

/** The files checked, as git ls-files matches them. */
const PATTERNS = ['*.ts', '*.mjs', '*.js'];

export interface LongLine {
  /** 1-based. */
  line: number;
  /** In characters (code points), the line's end excluded. */
  length: number;
}

/** The lines of a text over the limit, in order. */
export function longLines(text: string, limit: number = LINE_LIMIT): LongLine[] {
  const found: LongLine[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const length = [...line].length;
    if (length > limit) found.push({ line: index + 1, length });
  });
  return found;
}

function trackedFiles(root: string): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--', ...PATTERNS], { cwd: root, encoding: 'utf8' });
  return listed.split('\0').filter((file) => file !== '');
}

function main(): void {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const files = trackedFiles(root);
  let count = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(resolve(root, file), 'utf8');
    } catch (error) {
      // Tracked but deleted in the work tree: nothing to check.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const { line, length } of longLines(text)) {
      console.log(`${file}:${line}: ${length} characters`);
      count += 1;
    }
  }
  if (count > 0) {
    console.log(`line-limit: ${count} line(s) over ${LINE_LIMIT} characters`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
