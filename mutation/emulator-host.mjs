// Worker-thread host of the emulators a mutation analysis runs against: one
// emulator at a time per request, each with the faults and variants asked
// for. Plain JavaScript so that it loads under tsx, vitest or node alike: it
// registers tsx itself, once, so starting the next emulator costs a listen.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { startEmulator } = await import('../emulator/index.ts');
const running = new Map();

parentPort.on('message', async (message) => {
  const { id, kind } = message;
  try {
    if (kind === 'start') {
      const { faults, variants, seed, latency, weather } = message;
      const emulator = await startEmulator({
        port: 0,
        faults,
        variants,
        seed,
        ...(latency ? { latency } : {}),
        ...(weather ? { weather } : {}),
      });
      running.set(id, emulator);
      parentPort.postMessage({ id, url: emulator.url });
    } else if (kind === 'stop') {
      await running.get(message.emulator)?.close();
      running.delete(message.emulator);
      parentPort.postMessage({ id, stopped: true });
    }
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
parentPort.postMessage({ ready: true });
