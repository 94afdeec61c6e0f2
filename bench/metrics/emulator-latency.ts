// emulator.latency_ratio: what the emulator adds to a realistic read. The
// same @aws-sdk/client-proton client setup sends GetEnvironmentTemplate to
// the emulator and to a bare node:http server that answers the bytes the
// emulator answered, both on loopback in this process; blocks of the two
// alternate (and swap which goes first) so that drift on a shared machine
// falls on both sides.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { CreateEnvironmentTemplateCommand, GetEnvironmentTemplateCommand, type ProtonClient } from '@aws-sdk/client-proton';
import { startEmulator } from '../../emulator/index.ts';
import { benchClient } from '../client.ts';
import { ratioAtMost, type Measurement, type Metric } from '../metric.ts';
import { median, quantile } from '../stats.ts';

const TEMPLATE = 'bench-latency-template';
const TARGET_RATIO = 1.5;

const client = (endpoint: string): ProtonClient => benchClient(endpoint, 'AKIDBENCHLATENCY');

interface RecordedAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The emulator's answer to the measured request, byte for byte. */
async function recordAnswer(endpoint: string): Promise<RecordedAnswer> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'AwsProton20200720.GetEnvironmentTemplate',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDBENCHLATENCY/20250101/us-east-1/proton/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify({ name: TEMPLATE }),
  });
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) throw new Error(`emulator answered ${response.status}: ${body.toString()}`);
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'x-amzn-requestid']) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: response.status, headers, body };
}

/** A node:http server that drains each request and answers the recorded bytes. */
async function bareServer(answer: RecordedAnswer): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function timeBlock(target: ProtonClient, count: number, into: number[]): Promise<void> {
  const command = new GetEnvironmentTemplateCommand({ name: TEMPLATE });
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const out = await target.send(command);
    into.push(performance.now() - start);
    if (out.environmentTemplate?.name !== TEMPLATE) throw new Error('unexpected GetEnvironmentTemplate answer');
  }
}

const metric: Metric = {
  name: 'emulator.latency',
  description: 'median GetEnvironmentTemplate latency through @aws-sdk/client-proton: emulator vs bare node:http (same bytes)',
  async measure({ quick, log }) {
    const samples = quick ? 300 : 2000;
    const warmup = quick ? 100 : 400;
    const block = 100;

    const emulator = await startEmulator({ port: 0 });
    const emulatorClient = client(emulator.url);
    let bare: Awaited<ReturnType<typeof bareServer>> | undefined;
    try {
      await emulatorClient.send(
        new CreateEnvironmentTemplateCommand({ name: TEMPLATE, displayName: 'Bench', description: 'latency bench' }),
      );
      bare = await bareServer(await recordAnswer(emulator.url));
      const bareClient = client(bare.url);

      const emulated: number[] = [];
      const baseline: number[] = [];
      await timeBlock(emulatorClient, warmup, []);
      await timeBlock(bareClient, warmup, []);
      for (let round = 0; emulated.length < samples; round++) {
        const order: [ProtonClient, number[]][] = [
          [emulatorClient, emulated],
          [bareClient, baseline],
        ];
        if (round % 2 === 1) order.reverse();
        for (const [target, into] of order) await timeBlock(target, Math.min(block, samples - into.length), into);
      }
      bareClient.destroy();
      log(`[bench] ${emulated.length} + ${baseline.length} samples, alternating blocks of ${block}, ${warmup} warm-up each`);

      const ratio = median(emulated) / median(baseline);
      const ms = (name: string, value: number): Measurement => ({ name, value: Number(value.toFixed(4)), unit: 'ms' });
      return [
        ratioAtMost('emulator.latency_ratio', ratio, TARGET_RATIO, 4),
        ms('emulator.latency_median_ms', median(emulated)),
        ms('emulator.latency_p90_ms', quantile(emulated, 0.9)),
        ms('emulator.baseline_latency_median_ms', median(baseline)),
        ms('emulator.baseline_latency_p90_ms', quantile(baseline, 0.9)),
      ];
    } finally {
      emulatorClient.destroy();
      await bare?.close();
      await emulator.close();
    }
  },
};

export default metric;
