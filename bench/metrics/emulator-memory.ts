// emulator.heap_per_1000_resources: how much the emulator's heap grows per
// 1,000 resources it keeps (environment templates with a description and
// tags, created through the SDK), after a warm-up in another account so that
// code, caches and the client itself are already allocated.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CreateEnvironmentTemplateCommand, ProtonClient } from '@aws-sdk/client-proton';
import { startEmulator } from '../../emulator/index.ts';
import type { Metric } from '../metric.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function createTemplates(endpoint: string, account: string, count: number): Promise<void> {
  const client = new ProtonClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: account, secretAccessKey: 'bench-dummy-secret' },
    maxAttempts: 1,
  });
  const parallel = 16;
  try {
    for (let start = 0; start < count; start += parallel) {
      await Promise.all(
        Array.from({ length: Math.min(parallel, count - start) }, (_, i) =>
          client.send(
            new CreateEnvironmentTemplateCommand({
              name: `bench-memory-${start + i}`,
              displayName: `Bench memory ${start + i}`,
              description: 'A template kept by the emulator for the memory figure.',
              tags: [{ key: 'bench', value: 'memory' }],
            }),
          ),
        ),
      );
    }
  } finally {
    client.destroy();
  }
}

const metric: Metric = {
  name: 'emulator.heap',
  description: 'emulator heap growth per 1,000 environment templates kept',
  async measure({ quick }) {
    const count = quick ? 500 : 2000;
    const emulator = await startEmulator({ port: 0 });
    try {
      await createTemplates(emulator.url, '100000000001', 300);
      const before = heapAfterGc();
      await createTemplates(emulator.url, '100000000002', count);
      const after = heapAfterGc();
      const perThousand = (((after - before) / count) * 1000) / 1024;
      return [{ name: 'emulator.heap_per_1000_resources', value: Number(perThousand.toFixed(1)), unit: 'KiB' }];
    } finally {
      await emulator.close();
    }
  },
};

export default metric;
