// Weather (issue 11): the transient failures a real service shows, which the
// contract does not count as violations ("wire/server-error-retry": after a
// 500 or a ThrottlingException, whether the target acted or not, a retry
// with the same token or name leaves exactly the resources predicted).
// Two kinds, each a fraction of requests drawn from a seeded generator:
//
// - throttle: an API request (any operation, reads too) is answered
//   ThrottlingException once its operation is known, before its input is
//   read or checked: nothing is done;
// - error-after: a create or delete of the contract is carried out in full
//   (resource created, client token recorded, deletion started) and then
//   answered InternalServerException instead of its result.
//
// server.ts asks the two decisions of the policy (policy.ts `throttles`,
// `failsAfterActing`); the hooks never see weather.
//
// A third setting makes a slow target (`--latency`) a busy one: `handlers`,
// the requests it serves at once. Each request's latency is then its service
// time at one of the handlers, and a request that finds every handler busy
// queues for the first free one (`queuedDelays`), so that the latency a
// client measures rises with the number of requests in flight, as a loaded
// service's does. A throttle lands after that wait: the target has read the
// request and spent its time on it before refusing it.
import { ALL_OPERATIONS } from '../specs/rules.ts';
import { stream } from './random.ts';

export interface Weather {
  /** Fraction of API requests throttled before acting, 0 to 1. */
  throttle?: number;
  /** Fraction of the contract's creates and deletes answered 500 after acting, 0 to 1. */
  errorAfter?: number;
  /** Requests served at once (with `--latency`, their service time); more queue. Absent: no limit. */
  handlers?: number;
}

/** The seed of the weather when none is given: runs repeat by default. */
export const DEFAULT_SEED = 0x5eed;

/** The creates and deletes of the four categories of docs/CONTRACT.md (specs/rules.ts). */
export const CONTRACT_WRITES: ReadonlySet<string> = new Set(ALL_OPERATIONS);

// The flag's keys, and the option member each sets.
const KEYS: Readonly<Record<string, keyof Weather>> = { throttle: 'throttle', 'error-after': 'errorAfter', handlers: 'handlers' };

/** The most handlers one may ask for. */
const MAX_HANDLERS = 10_000;

// Salts of the two decisions' streams (any two distinct constants).
const THROTTLE_SALT = 0x7417;
const ERROR_AFTER_SALT = 0xe440;

/** The problem with a weather option in one sentence, or undefined when each rate is a number from 0 to 1. */
export function weatherProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'weather must be an object {throttle?, errorAfter?, handlers?}';
  for (const [name, rate] of Object.entries(value)) {
    if (name !== 'throttle' && name !== 'errorAfter' && name !== 'handlers')
      return `unknown weather "${name}" (known: throttle, errorAfter, handlers)`;
    if (rate === undefined) continue;
    if (name === 'handlers') {
      if (!Number.isInteger(rate) || rate < 1 || rate > MAX_HANDLERS)
        return `weather handlers must be a whole number from 1 to ${MAX_HANDLERS}, not ${JSON.stringify(rate)}`;
      continue;
    }
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      return `weather ${name} must be a number from 0 to 1, not ${JSON.stringify(rate)}`;
    }
  }
  return undefined;
}

/** `throttle=0.1,error-after=0.2,handlers=4` (each key optional) as a Weather; throws an Error with one line naming the flag. */
export function parseWeather(text: string): Weather {
  const weather: Weather = {};
  const items = text.split(',').map((item) => item.trim());
  if (items.every((item) => item === ''))
    throw new Error('--weather: empty (expected throttle=R,error-after=R, R from 0 to 1, or handlers=N)');
  for (const item of items) {
    const [key = '', value, extra] = item.split('=').map((part) => part.trim());
    if (!Object.hasOwn(KEYS, key)) throw new Error(`--weather: unknown key "${key}" (known: throttle, error-after, handlers)`);
    if (key === 'handlers') {
      const count = value === undefined || extra !== undefined || !/^\d+$/.test(value) ? NaN : Number(value);
      if (!(count >= 1 && count <= MAX_HANDLERS))
        throw new Error(`--weather: handlers must be a whole number from 1 to ${MAX_HANDLERS}, not "${value ?? ''}"`);
      weather.handlers = count;
      continue;
    }
    const rate = value === undefined || extra !== undefined || !/^(\d+(\.\d*)?|\.\d+)$/.test(value) ? NaN : Number(value);
    if (!(rate >= 0 && rate <= 1)) throw new Error(`--weather: ${key} must be a number from 0 to 1, not "${value ?? ''}"`);
    weather[KEYS[key]!] = rate;
  }
  return weather;
}

/** Whether there is any weather at all. */
export function isClear(weather: Weather): boolean {
  return !(weather.throttle ?? 0) && !(weather.errorAfter ?? 0) && weather.handlers === undefined;
}

/** "throttle 10%, error-after 20%, 4 handlers", or "none". */
export function describeWeather(weather: Weather): string {
  const parts: string[] = [];
  const percent = (rate: number) => `${Math.round(rate * 1000) / 10}%`;
  if (weather.throttle) parts.push(`throttle ${percent(weather.throttle)}`);
  if (weather.errorAfter) parts.push(`error-after ${percent(weather.errorAfter)}`);
  if (weather.handlers !== undefined) parts.push(`${weather.handlers} handler${weather.handlers === 1 ? '' : 's'}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/**
 * The delays of a target with `handlers` handlers whose requests each need
 * `service()` ms of one (a seeded draw, in arrival order): a request that
 * arrives while every handler is busy waits for the first one free (first
 * come, first served), then its own service time. The delay is known on
 * arrival, so that the server waits it with one timer, as it waits a plain
 * latency. Unbounded handlers (undefined): the service time alone.
 */
export function queuedDelays(
  service: () => number,
  handlers: number | undefined,
  now: () => number = () => performance.now(),
): () => number {
  if (handlers === undefined) return service;
  // When each handler is next free (ms on `now`'s clock).
  const freeAt: number[] = new Array<number>(handlers).fill(0);
  return () => {
    const arrived = now();
    let first = 0;
    for (let i = 1; i < handlers; i++) if (freeAt[i]! < freeAt[first]!) first = i;
    const starts = Math.max(arrived, freeAt[first]!);
    freeAt[first] = starts + service();
    return Math.max(0, Math.round(freeAt[first]! - arrived));
  };
}

/** The two decisions of the policy for this weather, each from its own stream of the seed. */
export function weatherDecisions(weather: Weather, seed: number) {
  const throttle = weather.throttle ?? 0;
  const errorAfter = weather.errorAfter ?? 0;
  const nextThrottle = stream(seed, THROTTLE_SALT);
  const nextErrorAfter = stream(seed, ERROR_AFTER_SALT);
  return {
    // A number is drawn for every request the decision is asked about, so that
    // one seed and one sequence of requests give one sequence of answers.
    throttles: (_operation: string) => throttle > 0 && nextThrottle() < throttle,
    failsAfterActing: (operation: string) => errorAfter > 0 && CONTRACT_WRITES.has(operation) && nextErrorAfter() < errorAfter,
  };
}
