// Worker-thread entry of the embedded emulator. Plain JavaScript so that it
// loads whatever started the run (tsx, vitest, the bin shim): it registers
// tsx itself, then starts the TypeScript emulator and reports its address.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { startEmulator } = await import('../../emulator/index.ts');
// workerData: harness/target/embedded.ts EmbeddedOptions (durations, hooks), or nothing.
const server = await startEmulator({ ...(workerData ?? {}), port: 0 });
parentPort.on('message', async (message) => {
  if (message === 'close') {
    await server.close();
    parentPort.postMessage({ closed: true });
    parentPort.close();
  }
});
parentPort.postMessage({ url: server.url, port: server.port });
