// Weather in the mutation analysis (issue 11): `--weather NAME[,NAME]` adds
// weather variants to every subject and to the flaky runs, seeded with the
// run's seed, and the reports record it. The suite's own handling of weather
// is the harness's; here the emulators the analysis starts are checked
// directly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../harness/errors.ts';
import { weatherRecord } from '../../mutation/analysis.ts';
import type { Analysis, Flakiness } from '../../mutation/analysis.ts';
import { parseMutationArgs } from '../../mutation/args.ts';
import { EmulatorHost } from '../../mutation/emulators.ts';
import { analysisJson, analysisText, flakinessJson, flakinessText } from '../../mutation/report.ts';
import { allWeatherVariants, isWeatherVariant, variantSubjects, weatherVariants } from '../../mutation/subjects.ts';
import { rawCall } from '../emulator/support.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

describe('--weather', () => {
  it('names weather variants, all of them, or none', () => {
    expect(parseMutationArgs([]).weather).toEqual([]);
    expect(parseMutationArgs(['--weather', 'throttling']).weather).toEqual(['throttling']);
    expect(parseMutationArgs(['--weather', 'throttling,errors-after-acting,throttling']).weather).toEqual([
      'throttling',
      'errors-after-acting',
    ]);
    expect(parseMutationArgs(['--weather', 'all']).weather).toEqual(allWeatherVariants());
    expect(parseMutationArgs(['--weather', 'none']).weather).toEqual([]);
    expect(parseMutationArgs(['--flaky', '--weather', 'throttling'])).toMatchObject({ flaky: 20, weather: ['throttling'] });
  });

  it('refuses a name that is not a weather variant, in one line', () => {
    expect(() => parseMutationArgs(['--weather', 'hail'])).toThrow(UsageError);
    expect(() => parseMutationArgs(['--weather', 'slow-async'])).toThrow(
      "--weather: 'slow-async' is not a weather variant (known: throttling, errors-after-acting)",
    );
    expect(() => weatherVariants(['token-never-expires'])).toThrow(UsageError);
    expect(() => parseMutationArgs(['--weather', ''])).toThrow(UsageError);
  });

  it('runs the weather variants as subjects of their own by default (and --weather adds them to every subject)', () => {
    expect(allWeatherVariants()).toEqual(['throttling', 'errors-after-acting']);
    expect(
      variantSubjects()
        .filter((subject) => isWeatherVariant(subject.name))
        .map((subject) => subject.name),
    ).toEqual(['throttling', 'errors-after-acting']);
    expect(variantSubjects(['throttling']).map((subject) => subject.name)).toEqual(['throttling']);
  });
});

describe('the reports record the weather', () => {
  const weather = weatherRecord(['throttling', 'errors-after-acting']);
  const analysis: Analysis = { seed: 7, numRuns: 10, scope: 'full', weather, faults: [], variants: [], score: 1, seconds: 1 };
  const flakiness: Flakiness = { weather, runs: [{ seed: 7, notPassing: [], seconds: 1 }], flaky: 0, seconds: 1 };

  it('in the JSON', () => {
    expect(weather).toEqual({ variants: ['throttling', 'errors-after-acting'], throttle: 0.1, errorAfter: 0.2 });
    expect(JSON.parse(analysisJson(analysis))['weather']).toEqual(weather);
    expect(JSON.parse(flakinessJson(flakiness))['weather']).toEqual(weather);
    expect(JSON.parse(analysisJson({ ...analysis, weather: weatherRecord([]) }))['weather']).toEqual({ variants: [] });
  });

  it('in the text', () => {
    expect(analysisText(analysis)).toContain('weather throttling, errors-after-acting (throttle 10%, error-after 20%)');
    expect(flakinessText(flakiness)).toContain('weather throttling, errors-after-acting (throttle 10%, error-after 20%)');
    expect(analysisText({ ...analysis, weather: weatherRecord([]) })).not.toContain('weather');
  });
});

describe('the emulators of the analysis', () => {
  let host: EmulatorHost;
  beforeAll(async () => {
    host = await EmulatorHost.start();
  });
  afterAll(async () => {
    await host.close();
  });

  async function statuses(choice: Parameters<EmulatorHost['target']>[0], n: number): Promise<number[]> {
    const target = await host.target(choice);
    try {
      const seen: number[] = [];
      for (let i = 0; i < n; i++) seen.push((await rawCall(target.endpoint, 'ListServices', {}, { account: '260000000001' })).status);
      return seen;
    } finally {
      await target.close();
    }
  }

  it('get the weather, seeded with the run seed: one seed, one sequence', async () => {
    const first = await statuses({ variants: ['throttling'], seed: 3 }, 120);
    expect(first.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(await statuses({ variants: ['throttling'], seed: 3 }, 120)).toEqual(first);
    expect(await statuses({ variants: ['throttling'], seed: 4 }, 120)).not.toEqual(first);
    expect((await statuses({ seed: 3 }, 50)).every((status) => status === 200)).toBe(true);
  });

  it('take a latency and the weather option: a busy target for the bench (30 ms at 1 handler queues 3 requests)', async () => {
    const target = await host.target({
      variants: ['throttling'],
      seed: 3,
      latency: { min: 30, max: 30 },
      weather: { handlers: 1, throttle: 1 },
    });
    try {
      const started = performance.now();
      const answers = await Promise.all([1, 2, 3].map((i) => rawCall(target.endpoint, 'ListServices', {}, { account: `26000000001${i}` })));
      expect(answers.map((answer) => answer.status)).toEqual([429, 429, 429]);
      // One at a time: the last no sooner than 3 x 30 ms after the first was sent.
      expect(performance.now() - started).toBeGreaterThanOrEqual(85);
    } finally {
      await target.close();
    }
  });

  it('keep a fault under the weather', async () => {
    const target = await host.target({ faults: ['delete-retry-not-found'], variants: ['errors-after-acting'], seed: 1 });
    try {
      const account = '260000000002';
      // Deletes of absent templates answer ResourceNotFoundException (the
      // fault), never the weather's 500: a failed delete has not acted.
      for (let i = 0; i < 20; i++) {
        const answer = await rawCall(target.endpoint, 'DeleteServiceTemplate', { name: `absent-${i}` }, { account });
        expect(answer.status).toBe(404);
      }
      let failed = 0;
      for (let i = 0; i < 40; i++) {
        if ((await rawCall(target.endpoint, 'CreateServiceTemplate', { name: `t-${i}` }, { account })).status === 500) failed++;
      }
      expect(failed).toBeGreaterThan(0);
    } finally {
      await target.close();
    }
  });
});
