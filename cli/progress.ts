// Progress on stderr while a run goes. On a terminal: one line rewritten in
// place (cells done of total, failures so far, elapsed, time left, the cell
// just done). Elsewhere (a pipe, a CI log): a plain line every few seconds,
// then one final line. Cells are counted as everywhere else: run, cut short
// by an interrupt, not run.
import type { RunProgress } from '../harness/run/runner.ts';
import type { CellResult } from '../harness/run/results.ts';
import { formatMs } from '../harness/run/wait.ts';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

export interface ProgressOptions {
  /** Milliseconds between plain lines off a terminal (default 5 s). */
  intervalMs?: number;
  /** The clock (tests). */
  now?: () => number;
  /** Redraw the live line (or print a plain one) on a timer too, not only when a cell ends (default true). */
  timer?: boolean;
}

export interface CliProgress extends RunProgress {
  /** Clears the live line and prints the final line. */
  finish(requests: number): void;
  /** A message on its own line (the live line is redrawn after it). */
  note(text: string): void;
}

export function createProgress(stream: ProgressStream = process.stderr, options: ProgressOptions = {}): CliProgress {
  const live = stream.isTTY === true;
  const now = options.now ?? (() => performance.now());
  const intervalMs = options.intervalMs ?? 5_000;
  const started = now();
  let total = 0;
  let done = 0;
  let interrupted = 0;
  let failing = 0;
  let last = '';
  let lastPlain = started;
  let timer: NodeJS.Timeout | undefined;
  const seconds = (ms: number): string => `${(Math.round(ms / 100) / 10).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const counts = (): string => {
    const elapsed = now() - started;
    // Time left from the pace so far (cells differ, so it is a rough guide).
    const left = done > 0 && done < total ? `, about ${seconds((elapsed / done) * (total - done))} left` : '';
    return `${done} of ${total} cell${total === 1 ? '' : 's'} run, ${failing} failing, ${seconds(elapsed)} elapsed${left}`;
  };
  const clear = (): void => {
    if (live) stream.write('\r\u001b[2K');
  };
  const draw = (): void => {
    if (live) {
      const width = Math.max(40, (stream.columns ?? 80) - 1);
      stream.write(`\r\u001b[2K${`${counts()}${last}`.slice(0, width)}`);
    } else if (now() - lastPlain >= intervalMs && done < total) {
      lastPlain = now();
      stream.write(`proton-conformance: ${counts()}\n`);
    }
  };
  return {
    start(cells: number) {
      total = cells;
      draw();
      if (options.timer !== false) {
        timer = setInterval(draw, live ? 1_000 : intervalMs);
        timer.unref();
      }
    },
    cellDone(result: CellResult) {
      if (result.interrupted === true) interrupted++;
      else done++;
      if (result.verdict === 'fail') failing++;
      last = ` · ${result.rule} ${result.operation}`;
      draw();
    },
    note(text: string) {
      clear();
      stream.write(`${text}\n`);
      draw();
    },
    finish(requests: number) {
      if (timer) clearInterval(timer);
      clear();
      const cut =
        interrupted > 0 || done + interrupted < total ? `, ${interrupted} interrupted, ${total - done - interrupted} not run` : '';
      stream.write(
        `proton-conformance: ${done} of ${total} cell${total === 1 ? '' : 's'} run${cut}, ` +
          `${requests} requests, ${formatMs(now() - started)}\n`,
      );
    },
  };
}
