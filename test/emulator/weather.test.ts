// Weather (issue 11): seeded transient failures of the emulator, tested on
// the emulator directly (raw requests, and the SDK with maxAttempts: 1 so
// that it retries nothing): throttling before acting changes nothing; an
// error after acting keeps what was done, and a retry gets the original.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CreateEnvironmentTemplateCommand, GetEnvironmentTemplateCommand } from '@aws-sdk/client-proton';
import { describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/index.ts';
import { behaviourOf, CONFORMING, VARIANTS } from '../../emulator/policy.ts';
import { CONTRACT_WRITES, DEFAULT_SEED, describeWeather, parseWeather, queuedDelays, weatherProblem } from '../../emulator/weather.ts';
import { CATEGORY_OPERATIONS } from '../../specs/rules.ts';
import { expectApiError, failure, hooksOf, rawCall, SOURCE, useEmulator } from './support.ts';

async function withEmulator<T>(options: EmulatorOptions, use: (emulator: RunningEmulator) => Promise<T>): Promise<T> {
  const emulator = await startEmulator({ port: 0, ...options });
  try {
    return await use(emulator);
  } finally {
    await emulator.close();
  }
}

/** Statuses of `n` sequential ListEnvironmentTemplates. */
async function listStatuses(url: string, n: number, account = '230000000001'): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await rawCall(url, 'ListEnvironmentTemplates', {}, { account })).status);
  return statuses;
}

/** A raw call repeated while it is throttled (the test's own retry; at most 50 tries). */
async function pastThrottling(url: string, operation: string, body: unknown, account: string) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const answer = await rawCall(url, operation, body, { account });
    if (answer.status !== 429) return answer;
  }
  throw new Error(`${operation} throttled 50 times in a row`);
}

describe('the weather option', () => {
  it('throttles about the configured fraction of API requests, reads too (seed 7, 400 requests)', async () => {
    await withEmulator({ weather: { throttle: 0.1 }, seed: 7 }, async ({ url }) => {
      const statuses = await listStatuses(url, 400);
      const throttled = statuses.filter((status) => status === 429).length;
      expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
      expect(throttled / 400).toBeGreaterThan(0.06);
      expect(throttled / 400).toBeLessThan(0.14);
    });
  });

  it('answers about the configured fraction of creates 500 after acting, and keeps every resource (seed 7, 300 creates)', async () => {
    await withEmulator({ weather: { errorAfter: 0.2 }, seed: 7 }, async ({ url }) => {
      const account = '230000000002';
      let failed = 0;
      for (let i = 0; i < 300; i++) {
        const answer = await rawCall(url, 'CreateEnvironmentTemplate', { name: `weather-${i}` }, { account });
        expect([200, 500]).toContain(answer.status);
        if (answer.status === 500) failed += 1;
      }
      expect(failed / 300).toBeGreaterThan(0.13);
      expect(failed / 300).toBeLessThan(0.27);
      expect((await hooksOf(url, account).counts())['environmentTemplates']).toBe(300);
      // Reads are never answered 500 after acting.
      expect((await listStatuses(url, 50, account)).every((status) => status === 200)).toBe(true);
    });
  });

  it('gives one sequence of answers for one seed, another for another seed', async () => {
    const run = (seed: number) =>
      withEmulator({ weather: { throttle: 0.3 }, seed }, async ({ url }) => (await listStatuses(url, 100)).join(','));
    const first = await run(42);
    expect(await run(42)).toBe(first);
    expect(await run(43)).not.toBe(first);
    expect(first).toContain('429');
  });

  it('defaults to a constant seed: two emulators without one agree', async () => {
    const run = () => withEmulator({ weather: { throttle: 0.3 } }, async ({ url }) => (await listStatuses(url, 60)).join(','));
    expect(await run()).toBe(await run());
    expect(DEFAULT_SEED).toBe(24301);
  });

  it('is refused when a rate is out of range or unknown', async () => {
    await expect(startEmulator({ port: 0, weather: { throttle: 1.5 } })).rejects.toThrow(/weather throttle must be a number from 0 to 1/);
    await expect(startEmulator({ port: 0, weather: { errorAfter: -0.1 } })).rejects.toThrow(/errorAfter/);
    await expect(startEmulator({ port: 0, weather: { hail: 0.1 } as never })).rejects.toThrow(/unknown weather "hail"/);
    expect(weatherProblem({ throttle: 0, errorAfter: 1 })).toBeUndefined();
  });
});

describe('throttling before acting', () => {
  const emulator = useEmulator({ weather: { throttle: 1 } });

  it('answers ThrottlingException (429, the model status) with the error type in header and body, and changes nothing', async () => {
    const account = emulator.newAccount();
    const answer = await emulator.raw('CreateEnvironmentTemplate', { name: 'throttled' }, { account });
    expectApiError(answer, 429, 'ThrottlingException');
    const counts = await emulator.hooks(account).counts();
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  });

  it('reaches the SDK as ThrottlingException (maxAttempts 1), even for a request that would not validate', async () => {
    const account = emulator.newAccount();
    const error = await failure(emulator.client(account).send(new CreateEnvironmentTemplateCommand({ name: 'x y z' })));
    expect(error.name).toBe('ThrottlingException');
    expect(error.$metadata?.httpStatusCode).toBe(429);
  });

  it('never throttles the hooks or STS', async () => {
    const account = emulator.newAccount();
    const hooks = emulator.hooks(account);
    for (let i = 0; i < 10; i++) {
      await hooks.call('GET', 'capabilities');
      await hooks.counts();
      await hooks.advance(1);
      await hooks.setDurations({ serviceCreation: 5 });
      await hooks.reset();
    }
    const response = await fetch(emulator.url(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(response.status).toBe(200);
  });
});

describe('errors after acting', () => {
  const emulator = useEmulator({ weather: { errorAfter: 1 } });

  it('creates the resource, answers 500, and a create of the same name keeps it (one resource)', async () => {
    const account = emulator.newAccount();
    const first = await emulator.raw('CreateEnvironmentTemplate', { name: 'kept' }, { account });
    expectApiError(first, 500, 'InternalServerException');
    const got = await emulator.client(account).send(new GetEnvironmentTemplateCommand({ name: 'kept' }));
    expect(got.environmentTemplate?.name).toBe('kept');
    expect((await emulator.raw('CreateEnvironmentTemplate', { name: 'kept' }, { account })).status).toBe(500);
    expect((await emulator.hooks(account).counts())['environmentTemplates']).toBe(1);
  });

  it('deletes what a delete answered 500 for', async () => {
    const account = emulator.newAccount();
    await emulator.raw('CreateEnvironmentTemplate', { name: 'doomed' }, { account });
    expect((await emulator.hooks(account).counts())['environmentTemplates']).toBe(1);
    const deleted = await emulator.raw('DeleteEnvironmentTemplate', { name: 'doomed' }, { account });
    expect(deleted.status).toBe(500);
    expect((await emulator.raw('GetEnvironmentTemplate', { name: 'doomed' }, { account })).status).toBe(404);
    expect((await emulator.hooks(account).counts())['environmentTemplates']).toBe(0);
  });

  it('never touches reads, updates, failed requests or the hooks', async () => {
    const account = emulator.newAccount();
    expect((await emulator.raw('ListEnvironmentTemplates', {}, { account })).status).toBe(200);
    expect((await emulator.raw('GetEnvironmentTemplate', { name: 'absent' }, { account })).status).toBe(404);
    await emulator.raw('CreateEnvironmentTemplate', { name: 'updated' }, { account });
    expect((await emulator.raw('UpdateEnvironmentTemplate', { name: 'updated', description: 'd' }, { account })).status).toBe(200);
    // A create that fails (bad input) is answered with its own error.
    expect((await emulator.raw('CreateEnvironmentTemplate', { name: 'bad name' }, { account })).status).toBe(400);
    expect((await emulator.hooks(account).call('GET', 'counts'))['counts']).toBeDefined();
  });
});

describe('a retry after an error after acting gets the original', () => {
  // Half the creates fail after acting; the test retries each until it succeeds.
  const emulator = useEmulator({ weather: { errorAfter: 0.5 }, seed: 11 });

  it('same client token: the original version (same arn), and one version in all', async () => {
    const account = emulator.newAccount();
    // The template itself may be answered 500: it exists either way.
    await emulator.raw('CreateEnvironmentTemplate', { name: 'tokens' }, { account });
    let failedFirst = 0;
    for (let i = 0; i < 6; i++) {
      const request = { templateName: 'tokens', source: SOURCE, clientToken: `token-${i}` };
      const first = await emulator.raw('CreateEnvironmentTemplateVersion', request, { account });
      let answer = first;
      while (answer.status === 500) answer = await emulator.raw('CreateEnvironmentTemplateVersion', request, { account });
      expect(answer.status).toBe(200);
      if (first.status === 500) failedFirst += 1;
      const version = answer.json['environmentTemplateVersion'] as Record<string, unknown>;
      expect(version['majorVersion']).toBe(String(i + 1));
      expect(version['arn']).toBe(`arn:aws:proton:us-east-1:${account}:environment-template/tokens:${i + 1}.0`);
    }
    expect(failedFirst).toBeGreaterThan(0);
    expect((await emulator.hooks(account).counts())['environmentTemplateVersions']).toBe(6);
  });

  it('same name: the original template (same arn and createdAt)', async () => {
    const account = emulator.newAccount();
    let failedFirst = 0;
    for (let i = 0; i < 6; i++) {
      const first = await emulator.raw('CreateServiceTemplate', { name: `named-${i}` }, { account });
      let answer = first;
      while (answer.status === 500) answer = await emulator.raw('CreateServiceTemplate', { name: `named-${i}` }, { account });
      if (first.status === 500) failedFirst += 1;
      const template = answer.json['serviceTemplate'] as Record<string, unknown>;
      const got = (await emulator.raw('GetServiceTemplate', { name: `named-${i}` }, { account })).json['serviceTemplate'] as Record<
        string,
        unknown
      >;
      expect(template['arn']).toBe(got['arn']);
      expect(template['createdAt']).toBe(got['createdAt']);
    }
    expect(failedFirst).toBeGreaterThan(0);
    expect((await emulator.hooks(account).counts())['serviceTemplates']).toBe(6);
  });
});

describe('weather and the policy', () => {
  it('names exactly the 14 creates and deletes of the contract as writes', () => {
    const categories = ['client-token', 'idempotent-create', 'idempotent-delete', 'async-delete'] as const;
    const operations = categories.flatMap((category) => [...CATEGORY_OPERATIONS[category]]);
    expect([...CONTRACT_WRITES].sort()).toEqual([...new Set(operations)].sort());
    expect(CONTRACT_WRITES.size).toBe(14);
  });

  it('is none by default, and the variants are presets of the option (the option wins, rate by rate)', () => {
    expect(CONFORMING.throttles('ListServices')).toBe(false);
    expect(CONFORMING.failsAfterActing('CreateService')).toBe(false);
    expect(VARIANTS['throttling']?.weather).toEqual({ throttle: 0.1 });
    expect(VARIANTS['errors-after-acting']?.weather).toEqual({ errorAfter: 0.2 });
    expect(behaviourOf([], ['throttling', 'errors-after-acting']).weather).toEqual({ throttle: 0.1, errorAfter: 0.2 });
    expect(behaviourOf([], ['throttling'], { weather: { throttle: 0.5, errorAfter: 0.3 } }).weather).toEqual({
      throttle: 0.5,
      errorAfter: 0.3,
    });
    expect(behaviourOf([], ['throttling'], { weather: { errorAfter: 0.3 } }).weather).toEqual({ throttle: 0.1, errorAfter: 0.3 });
    expect(behaviourOf([]).policy.throttles).toBe(CONFORMING.throttles);
  });

  it('composes with a fault: the fault keeps its decision, the weather adds its own', () => {
    const fault = behaviourOf(['token-case-insensitive']).policy;
    const both = behaviourOf(['token-case-insensitive'], ['throttling', 'errors-after-acting']).policy;
    const facts = { operation: 'CreateEnvironmentTemplateVersion', params: {}, headers: {} };
    expect(both.tokenKey('AbC', facts)).toBe(fault.tokenKey('AbC', facts));
    expect(both.tokenKey('AbC', facts)).not.toBe(CONFORMING.tokenKey('AbC', facts));
    expect(both.throttles).not.toBe(CONFORMING.throttles);
    expect(both.failsAfterActing).not.toBe(CONFORMING.failsAfterActing);
    // Every decision but the weather's is the fault's.
    for (const key of Object.keys(CONFORMING) as (keyof typeof CONFORMING)[]) {
      if (key === 'throttles' || key === 'failsAfterActing' || key === 'tokenKey') continue;
      expect(both[key], key).toBe(fault[key]);
    }
  });

  it('composes with a fault on the wire: a token differing in case still returns the original through the weather', async () => {
    await withEmulator(
      { faults: ['token-case-insensitive'], variants: ['throttling'], weather: { throttle: 0.3 }, seed: 5 },
      async ({ url }) => {
        const account = '230000000003';
        await pastThrottling(url, 'CreateEnvironmentTemplate', { name: 'cased' }, account);
        const request = { templateName: 'cased', source: SOURCE };
        const first = await pastThrottling(url, 'CreateEnvironmentTemplateVersion', { ...request, clientToken: 'abc-token' }, account);
        const second = await pastThrottling(url, 'CreateEnvironmentTemplateVersion', { ...request, clientToken: 'ABC-TOKEN' }, account);
        expect(first.status).toBe(200);
        expect(second.status).toBe(200);
        // The fault: one version, answered twice (the conforming emulator makes 2.0).
        expect((second.json['environmentTemplateVersion'] as Record<string, unknown>)['majorVersion']).toBe('1');
        const statuses = await listStatuses(url, 60, account);
        expect(statuses).toContain(429);
      },
    );
  });
});

describe('a busy target: latency as service time at a few handlers', () => {
  it('queues a request that finds every handler busy behind the first one free (a virtual clock)', () => {
    let now = 0;
    const service = [30, 10, 20, 40, 5];
    const delays = queuedDelays(
      () => service.shift()!,
      2,
      () => now,
    );
    // Three at once: two served at once, the third after the first handler frees (at 10).
    expect([delays(), delays(), delays()]).toEqual([30, 10, 30]);
    now = 25;
    // Handlers free at 30 and 30: the fourth waits 5, then serves 40.
    expect(delays()).toBe(45);
    now = 100;
    expect(delays()).toBe(5);
    // No limit: the service time alone.
    const plain = queuedDelays(
      () => 7,
      undefined,
      () => now,
    );
    expect([plain(), plain(), plain()]).toEqual([7, 7, 7]);
  });

  it('rises with the requests in flight, and a throttle comes after its wait (latency 40 ms, 1 handler)', async () => {
    await withEmulator({ latency: { min: 40, max: 40 }, weather: { handlers: 1, throttle: 1 } }, async ({ url }) => {
      const started = performance.now();
      const took = await Promise.all(
        [0, 1, 2, 3].map(async (i) => {
          const answer = await rawCall(url, 'ListEnvironmentTemplates', {}, { account: `23000000001${i}` });
          expect(answer.status).toBe(429);
          return performance.now() - started;
        }),
      );
      // One at a time: the last of four answered no sooner than 4 x 40 ms after the first was sent.
      expect(Math.max(...took)).toBeGreaterThanOrEqual(155);
      expect(Math.min(...took)).toBeGreaterThanOrEqual(38);
    });
  });
});

describe('--weather', () => {
  it('reads either key or both', () => {
    expect(parseWeather('throttle=0.1,error-after=0.2')).toEqual({ throttle: 0.1, errorAfter: 0.2 });
    expect(parseWeather('error-after=1')).toEqual({ errorAfter: 1 });
    expect(parseWeather(' throttle = 0 ')).toEqual({ throttle: 0 });
    expect(parseWeather('throttle=.5')).toEqual({ throttle: 0.5 });
    expect(describeWeather({ throttle: 0.1, errorAfter: 0.2 })).toBe('throttle 10%, error-after 20%');
    expect(describeWeather({})).toBe('none');
    expect(parseWeather('throttle=0.1,handlers=4')).toEqual({ throttle: 0.1, handlers: 4 });
    expect(describeWeather({ throttle: 0.1, handlers: 4 })).toBe('throttle 10%, 4 handlers');
    expect(weatherProblem({ handlers: 0 })).toMatch(/handlers must be a whole number/);
    expect(weatherProblem({ handlers: 2, throttle: 0.1 })).toBeUndefined();
  });

  it('refuses unknown keys and rates outside [0, 1] with one line naming the flag', () => {
    const bad: [string, RegExp][] = [
      ['', /^--weather: empty/],
      ['hail=0.1', /^--weather: unknown key "hail" \(known: throttle, error-after, handlers\)$/],
      ['handlers=0', /^--weather: handlers must be a whole number from 1 to 10000, not "0"$/],
      ['handlers=1.5', /^--weather: handlers must be a whole number/],
      ['throttle=1.5', /^--weather: throttle must be a number from 0 to 1, not "1.5"$/],
      ['throttle=-0.1', /^--weather: throttle must be a number from 0 to 1/],
      ['throttle', /^--weather: throttle must be a number from 0 to 1, not ""$/],
      ['throttle=0x1', /^--weather: throttle must be a number/],
      ['throttle=0.1=2', /^--weather: throttle must be a number/],
      ['error_after=0.1', /^--weather: unknown key "error_after"/],
    ];
    for (const [text, message] of bad) {
      expect(() => parseWeather(text), text).toThrow(message);
      expect(() => parseWeather(text)).not.toThrow(/\n/);
    }
  });

  it('ends `npm run emulator` with one line and exit code 2 on a bad value', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', '--port', '0', '--weather', 'throttle=0.1,snow=1'], {
      cwd: new URL('../..', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toBe('proton-emulator: --weather: unknown key "snow" (known: throttle, error-after, handlers)\n');
  });
});
