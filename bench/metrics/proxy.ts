// proxy.latency_ratio: what the wire proxy (harness/wire/proxy.ts) adds to a
// request when it injects nothing. The same @aws-sdk/client-proton client
// setup sends GetEnvironmentTemplate and CreateEnvironmentTemplate (a create
// is what the proxy looks at: the schedule is consulted, no fault drawn) to
// the embedded emulator (in its worker thread) directly and through a proxy
// with an empty schedule on the client's thread, as a run's wire checks have
// them (CheckContext.throughProxy), all on loopback, each client on one
// kept-alive connection (and the proxy on one to the emulator); blocks of the
// two alternate (and swap which goes first) so that drift on a shared machine
// falls on both sides. The ratio of the medians, in the same run.
//
// Both sides are warmed with WARMUP requests each before the first sample,
// so that the samples are of JIT-compiled code on both (the SDK's and the
// proxy's): with 20, the first blocks were still cold on both sides, which
// spread the figure (four paired runs: 1.11 to 1.31 with 20, 1.20 to 1.22
// with 200; the direct median 1.2 to 2.0 ms against 1.03 to 1.12 ms).
//
// Where the time goes (CPU profile, no fault scheduled): on top of a direct
// request, the proxied one makes two more loopback writes and reads on the
// client's thread (the client's to the proxy, the proxy's answer to it; about
// 0.05 to 0.07 ms each write on the two-core machine), the proxy's own
// JavaScript (about 0.05 ms: reading the request and the answer, the delivery
// it keeps) and the garbage it leaves. A bare TCP relay reads 0.99 to 1.09
// here; node:http as the listening side cost about 0.1 ms a request more and
// undici as the forwarding side 0.15 to 0.2 ms, which is why the proxy speaks
// HTTP/1.1 itself (harness/wire/http1.ts).
import { performance } from 'node:perf_hooks';
import { CreateEnvironmentTemplateCommand, GetEnvironmentTemplateCommand, type ProtonClient } from '@aws-sdk/client-proton';
import { startEmbedded } from '../../harness/target/embedded.ts';
import { startProxy } from '../../harness/wire/proxy.ts';
import { benchClient } from '../client.ts';
import { ratioAtMost, type Measurement, type Metric } from '../metric.ts';
import { median } from '../stats.ts';

const TEMPLATE = 'bench-proxy-template';
const TARGET_RATIO = 1.3;
/** Requests of each side before the first sample (quick: fewer). */
const WARMUP = 200;

const client = (endpoint: string): ProtonClient => benchClient(endpoint, 'AKIDBENCHPROXY');

const metric: Metric = {
  name: 'proxy',
  description: 'median SDK request latency through the wire proxy (no faults) over the direct one, same run',
  async measure({ quick, log }) {
    process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
    const emulator = await startEmbedded('worker');
    const proxy = await startProxy({ target: emulator.url, faults: [] });
    const direct = client(emulator.url);
    const proxied = client(proxy.url);
    const blocks = quick ? 10 : 40;
    const perBlock = 20;
    const samples = { direct: [] as number[], proxied: [] as number[] };
    let created = 0;
    const one = async (sdk: ProtonClient): Promise<number> => {
      const started = performance.now();
      // Every fourth request a create (the proxy consults its schedule for it), else a read.
      if (created % 4 === 0) await sdk.send(new CreateEnvironmentTemplateCommand({ name: `bench-proxy-${created}` }));
      else await sdk.send(new GetEnvironmentTemplateCommand({ name: TEMPLATE }));
      created++;
      return performance.now() - started;
    };
    try {
      await direct.send(new CreateEnvironmentTemplateCommand({ name: TEMPLATE }));
      // Warm both paths (connections, the SDK's middleware, the JIT).
      for (let i = 0; i < (quick ? WARMUP / 4 : WARMUP); i++) {
        await one(direct);
        await one(proxied);
      }
      for (let block = 0; block < blocks; block++) {
        const order = block % 2 === 0 ? (['direct', 'proxied'] as const) : (['proxied', 'direct'] as const);
        for (const side of order) {
          const sdk = side === 'direct' ? direct : proxied;
          for (let i = 0; i < perBlock; i++) samples[side].push(await one(sdk));
        }
      }
    } finally {
      direct.destroy();
      proxied.destroy();
      await proxy.close();
      await emulator.close();
    }
    const directMs = median(samples.direct);
    const proxiedMs = median(samples.proxied);
    const ratio = proxiedMs / directMs;
    log(
      `proxy: median ${directMs.toFixed(3)} ms direct, ${proxiedMs.toFixed(3)} ms through the proxy ` +
        `(${samples.direct.length} requests each)`,
    );
    return [
      ratioAtMost('proxy.latency_ratio', ratio, TARGET_RATIO),
      { name: 'proxy.direct_ms', value: Number(directMs.toFixed(3)), unit: 'ms' },
      { name: 'proxy.proxied_ms', value: Number(proxiedMs.toFixed(3)), unit: 'ms' },
    ] satisfies Measurement[];
  },
};

export default metric;
