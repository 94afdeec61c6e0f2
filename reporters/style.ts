// Verdict symbols and colours. Colour only when the stream is a TTY and
// NO_COLOR is unset (https://no-color.org); the symbols read without colour.
import type { Verdict } from '../harness/types.ts';

export const SYMBOL: Record<Verdict, string> = {
  pass: '✓',
  fail: '✗',
  warn: '!',
  inconclusive: '?',
  skipped: '-',
};

export const NOT_APPLICABLE = '.';

export type Paint = (text: string) => string;

export interface Palette {
  verdict(verdict: Verdict, text: string): string;
  bold: Paint;
  dim: Paint;
}

const ANSI =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;
const COLOUR: Record<Verdict, Paint> = {
  pass: ANSI(32, 39),
  fail: ANSI(31, 39),
  warn: ANSI(33, 39),
  inconclusive: ANSI(35, 39),
  skipped: ANSI(36, 39),
};

export const plain: Palette = { verdict: (_v, text) => text, bold: (t) => t, dim: (t) => t };
export const coloured: Palette = { verdict: (v, text) => COLOUR[v](text), bold: ANSI(1, 22), dim: ANSI(2, 22) };

export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb';
}

/** Length as shown on a terminal (ANSI escapes do not count). */
export function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what an ANSI escape starts with
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)));
}
