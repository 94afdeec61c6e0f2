// Progress on stderr while a run goes: on a terminal, one line rewritten in
// place (a counter, the verdicts so far, the cell just done); elsewhere
// silence, then one final line.
import type { RunProgress } from '../harness/runner.ts';
import type { CellResult } from '../harness/results.ts';
import type { Verdict } from '../harness/types.ts';
import { formatMs } from '../harness/wait.ts';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

export interface CliProgress extends RunProgress {
  /** Clears the live line and, off a terminal, prints the final line. */
  finish(requests: number): void;
  /** A message on its own line (the live line is redrawn after it). */
  note(text: string): void;
}

export function createProgress(stream: ProgressStream = process.stderr): CliProgress {
  const live = stream.isTTY === true;
  const counts: Record<Verdict, number> = { pass: 0, fail: 0, warn: 0, inconclusive: 0, skipped: 0 };
  const started = performance.now();
  let total = 0;
  let done = 0;
  let last = '';
  const clear = (): void => {
    if (live && last) stream.write('\r\u001b[2K');
  };
  const draw = (): void => {
    if (!live) return;
    const width = Math.max(40, (stream.columns ?? 80) - 1);
    const line = `[${String(done).padStart(String(total).length)}/${total}] ${counts.pass} pass, ${counts.fail} fail, ${counts.warn} warn ${last}`;
    stream.write(`\r\u001b[2K${line.slice(0, width)}`);
  };
  return {
    start(cells: number) {
      total = cells;
      draw();
    },
    cellDone(result: CellResult, cellsDone: number) {
      done = cellsDone;
      counts[result.verdict]++;
      last = `· ${result.rule} ${result.operation}`;
      draw();
    },
    note(text: string) {
      clear();
      stream.write(`${text}\n`);
      draw();
    },
    finish(requests: number) {
      clear();
      last = '';
      if (!live) stream.write(`proton-conformance: ${done} of ${total} cells run, ${requests} requests, ${formatMs(performance.now() - started)}\n`);
    },
  };
}
