// The values of `npm run emulator` flags that carry more than a number:
// --hooks, --durations, --weather, --seed. Each bad value is an Error whose
// message is one line naming the flag and what it accepts (cli.ts prints it
// and exits 2).
import { DURATION_NAMES, realDurations, type Durations } from './durations.ts';
import { CAPABILITIES } from './hooks.ts';
import type { RunningEmulator } from './index.ts';
import { DEFAULT_SEED, describeWeather, parseWeather } from './weather.ts';

/** `none`, `all`, or a comma-separated subset of the capabilities. */
export function parseHooks(text: string): string[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const known = `known: ${CAPABILITIES.join(', ')}; or all, none`;
  if (names.length === 0) throw new Error(`--hooks: empty (${known})`);
  if (names.length === 1 && names[0] === 'none') return [];
  if (names.length === 1 && names[0] === 'all') return [...CAPABILITIES];
  for (const name of names) {
    if (!(CAPABILITIES as readonly string[]).includes(name)) throw new Error(`--hooks: unknown hook "${name}" (${known})`);
  }
  return [...new Set(names)];
}

/**
 * `real/N` (every transition at a real account's typical duration divided by
 * N, a positive number; `real` is real/1) and/or `name=ms` items, comma-separated,
 * later items over earlier ones.
 */
export function parseDurations(text: string): Partial<Durations> {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new Error('--durations: empty (expected real/N or name=ms, comma-separated)');
  let durations: Partial<Durations> = {};
  for (const item of items) {
    const real = /^real(?:\/(.*))?$/.exec(item);
    if (real !== null) {
      const divisor = real[1] === undefined ? 1 : decimal(real[1]);
      if (!(divisor > 0) || !Number.isFinite(divisor)) {
        throw new Error(`--durations: N of real/N must be a positive number, not "${real[1]}"`);
      }
      durations = { ...durations, ...realDurations(divisor) };
      continue;
    }
    const [name = '', value, extra] = item.split('=').map((part) => part.trim());
    if (!(DURATION_NAMES as string[]).includes(name)) {
      throw new Error(`--durations: unknown item "${item}" (expected real/N, or name=ms with name one of ${DURATION_NAMES.join(', ')})`);
    }
    const ms = value === undefined || extra !== undefined ? NaN : decimal(value);
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`--durations: ${name} must be milliseconds >= 0, not "${value ?? ''}"`);
    durations = { ...durations, [name]: ms };
  }
  return durations;
}

export { parseWeather };

/** `--auth`: open (the default) or strict. */
export function parseAuthMode(text: string): 'open' | 'strict' {
  const mode = text.trim();
  if (mode !== 'open' && mode !== 'strict') throw new Error(`--auth must be open or strict, not "${text}"`);
  return mode;
}

/** An integer from 0 to 2^32 - 1. */
export function parseSeed(text: string): number {
  const seed = Number(text);
  if (!/^\d+$/.test(text.trim()) || seed > 2 ** 32 - 1)
    throw new Error(`--seed must be an integer from 0 to ${2 ** 32 - 1}, not "${text}"`);
  return seed;
}

/** Latency per request (ms, real): each request waits a seeded draw from [min, max] before it is handled. */
export interface Latency {
  min: number;
  max: number;
}

/** `--latency MIN-MAX` (milliseconds, integers, MIN <= MAX), or one number N for N-N. */
export function parseLatency(text: string): Latency {
  const found = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text);
  const min = found === null ? NaN : Number(found[1]);
  const max = found === null ? NaN : Number(found[2] ?? found[1]);
  if (!(min <= max) || max > 600_000) {
    throw new Error(`--latency: expected MIN-MAX in milliseconds (integers, MIN <= MAX <= 600000), like 0-100, not "${text}"`);
  }
  return { min, max };
}

/** A plain decimal number (no hex, no exponent, no sign), or NaN. */
function decimal(text: string): number {
  return /^(\d+(\.\d*)?|\.\d+)$/.test(text.trim()) ? Number(text) : NaN;
}

/** What is on, for the startup line: "hooks: none; durations: real/100; weather: throttle 10% (seed 24301)". */
export function settingsLine(
  emulator: Pick<RunningEmulator, 'url' | 'hooks' | 'weather'> & Partial<Pick<RunningEmulator, 'auth'>>,
  chosen: {
    faults: readonly string[];
    variants: readonly string[];
    durations?: string | undefined;
    seed?: number | undefined;
    latency?: Latency | undefined;
  },
): string {
  const hooks =
    emulator.hooks.length === 0
      ? 'none'
      : `${emulator.hooks.length === CAPABILITIES.length ? 'all' : emulator.hooks.join(', ')} at ${emulator.url}/_conformance/v1/`;
  const parts = [`hooks: ${hooks}`];
  if (chosen.faults.length > 0) parts.push(`faults: ${chosen.faults.join(', ')}`);
  if (chosen.variants.length > 0) parts.push(`variants: ${chosen.variants.join(', ')}`);
  parts.push(`durations: ${chosen.durations ?? 'default'}`);
  const weather = describeWeather(emulator.weather);
  parts.push(weather === 'none' ? 'weather: none' : `weather: ${weather} (seed ${chosen.seed ?? DEFAULT_SEED})`);
  if (chosen.latency !== undefined)
    parts.push(`latency: ${chosen.latency.min}-${chosen.latency.max} ms (seed ${chosen.seed ?? DEFAULT_SEED})`);
  // Open mode says nothing (as before); strict says how many credentials, never which.
  if (emulator.auth?.mode === 'strict')
    parts.push(`auth strict (${emulator.auth.credentials} credential${emulator.auth.credentials === 1 ? '' : 's'})`);
  return parts.join('; ');
}
