// `--latency MIN-MAX` (emulator/flags.ts parseLatency, startEmulator's
// latency option): every request, the hooks' too, waits a seeded delay from
// [min, max] ms before it is handled.
import { describe, expect, it } from 'vitest';
import { parseLatency } from '../../emulator/flags.ts';
import { startEmulator } from '../../emulator/index.ts';
import { rawCall } from './support.ts';

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

describe('--latency', () => {
  it('parses MIN-MAX and N, and refuses anything else with one line', () => {
    expect(parseLatency('0-100')).toEqual({ min: 0, max: 100 });
    expect(parseLatency(' 20 - 60 ')).toEqual({ min: 20, max: 60 });
    expect(parseLatency('15')).toEqual({ min: 15, max: 15 });
    for (const bad of ['', '100-0', '-5', '1.5-2', 'a-b', '0-600001'])
      expect(() => parseLatency(bad)).toThrow(/^--latency: expected MIN-MAX/);
  });

  it('makes every request, API and hooks, wait at least MIN ms', async () => {
    const emulator = await startEmulator({ port: 0, latency: { min: 40, max: 60 } });
    try {
      for (let i = 0; i < 3; i++) {
        expect(await timed(() => rawCall(emulator.url, 'ListServices', {}))).toBeGreaterThanOrEqual(39);
        expect(await timed(() => fetch(`${emulator.url}/_conformance/v1/counts`).then((r) => r.text()))).toBeGreaterThanOrEqual(39);
      }
    } finally {
      await emulator.close();
    }
  });

  it('refuses a latency that is not whole milliseconds with min <= max', async () => {
    await expect(startEmulator({ port: 0, latency: { min: 10, max: 5 } })).rejects.toThrow(/latency must be whole milliseconds/);
    await expect(startEmulator({ port: 0, latency: { min: -1, max: 5 } })).rejects.toThrow(/latency must be whole milliseconds/);
  });
});
