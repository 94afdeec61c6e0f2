// proton-conformance proxy: the wire proxy (harness/wire/proxy.ts) on its own, so
// that the AWS CLI, another SDK or any client can be put between faults and
// a target. It prints its URL, then one line per faulted request on stderr,
// and runs until Ctrl-C (or SIGTERM).
import { UsageError } from '../harness/errors.ts';
import { faultSpec, parseFaults, startProxy, summarizeAnswer } from '../harness/wire/proxy.ts';
import type { Delivery, ProxyOptions } from '../harness/wire/proxy.ts';
import { WIRE_FAULTS, WIRE_FAULT_KINDS } from '../specs/wire.ts';
import { parseSubcommand } from './args.ts';

function faultLine(kind: (typeof WIRE_FAULT_KINDS)[number]): string {
  const fault = WIRE_FAULTS[kind];
  return `  ${kind.padEnd(16)} ${fault.description}${fault.defaultMs !== undefined ? ` (MS default ${fault.defaultMs})` : ''}`;
}

/** How long --together waits by default for the last of its group: N AWS CLI processes started at once on a busy machine. */
export const PROXY_TOGETHER_MS = 30_000;

export const PROXY_USAGE = `Usage: proton-conformance proxy --target URL [--port N] [--faults SPEC] [--seed S] [--together N[:MS]]

A fault-injecting HTTP proxy in front of a target (an emulator, a compatible
service): requests are forwarded byte for byte (the Host header too, so a
request signed for the proxy's address still verifies), and the faults of a
seeded schedule are applied to the contract's creates and deletes (reads,
hooks and STS always pass). Prints its URL; Ctrl-C stops it.

  --target URL     the target's origin (http://host:port, or https:// for TLS
                   towards it; clients reach the proxy in plain HTTP)
  --port N         port to listen on (default: any free port), on 127.0.0.1
  --faults SPEC    comma-separated KIND[:MS][@WHEN] (default: none)
                   WHEN: first (the first delivery of each distinct request:
                   its retries pass), N (the Nth create or delete), a rate
                   (0.25 or 25%, drawn from --seed); absent: every one
  --seed S         seed of the schedule's rates (default 0): a run replays
  --together N[:MS]
                   hold the next N creates or deletes until all N have come,
                   then forward them to the target at once, so that requests
                   sent at once by separate processes meet there; at most MS
                   (default ${PROXY_TOGETHER_MS}) after the first, then those held go
                   anyway (a line on stderr says so, even with --quiet).
                   Later requests pass
  --quiet          no line per faulted request

Faults:
${WIRE_FAULT_KINDS.map(faultLine).join('\n')}

Example: a lost response for every first create or delete, the AWS CLI behind it:
  proton-conformance proxy --target http://127.0.0.1:4580 --port 4581 --faults drop@first
  aws proton create-environment-template --name t --endpoint-url http://127.0.0.1:4581

Example: three identical creates from three AWS CLI processes, at the target at once:
  proton-conformance proxy --target http://127.0.0.1:4580 --port 4581 --together 3 &
  for i in 1 2 3; do aws proton create-environment-template --name t --endpoint-url http://127.0.0.1:4581 & done
`;

export interface ProxyCliOptions {
  help: boolean;
  target?: string;
  port?: number;
  faults: string;
  seed: number;
  quiet: boolean;
  /** --together N: the group's size. */
  together?: number;
  /** --together N:MS: the bound of the group's wait. */
  togetherMs?: number;
}

const OPTIONS = {
  target: { type: 'string' },
  port: { type: 'string' },
  faults: { type: 'string' },
  seed: { type: 'string' },
  quiet: { type: 'boolean' },
  together: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseProxy(argv: readonly string[]): ProxyCliOptions {
  const { values } = parseSubcommand('proxy', argv, OPTIONS);
  const options: ProxyCliOptions = { help: values.help === true, faults: values.faults ?? '', seed: 0, quiet: values.quiet === true };
  if (options.help) return options;
  if (values.target === undefined)
    throw new UsageError('proxy: --target URL is required (the target to forward to, e.g. http://127.0.0.1:4580)');
  let target: URL;
  try {
    target = new URL(values.target);
  } catch {
    throw new UsageError(`proxy: --target '${values.target}' is not a URL (e.g. http://127.0.0.1:4580)`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    throw new UsageError(`proxy: --target '${values.target}' is not an http:// or https:// URL`);
  options.target = target.origin;
  if (values.port !== undefined) {
    if (!/^\d+$/.test(values.port) || Number(values.port) > 65_535)
      throw new UsageError(`proxy: --port '${values.port}' is not a port number (0 to 65535)`);
    options.port = Number(values.port);
  }
  if (values.seed !== undefined) {
    if (!/^-?\d+$/.test(values.seed)) throw new UsageError(`proxy: --seed '${values.seed}' is not an integer`);
    options.seed = Number(values.seed) | 0;
  }
  try {
    parseFaults(options.faults);
  } catch (error) {
    throw new UsageError(`proxy: --faults: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (values.together !== undefined) {
    const together = /^(\d+)(?::(\d+))?$/.exec(values.together);
    if (!together || Number(together[1]) < 2 || Number(together[1]) > 1000 || (together[2] !== undefined && Number(together[2]) < 1))
      throw new UsageError(`proxy: --together '${values.together}' is not N[:MS] (N from 2 to 1000 requests, MS at least 1)`);
    options.together = Number(together[1]);
    options.togetherMs = together[2] !== undefined ? Number(together[2]) : PROXY_TOGETHER_MS;
  }
  return options;
}

/**
 * The line on stderr when a --together group is let go before it filled (printed even with --quiet: the requests did
 * not meet at the target; the `.sh` reproducers look for it, reporters/reproducers/shell-runtime.ts).
 */
export function groupExpiredLine(came: number, of: number, ms: number): string {
  return `proton-conformance proxy: together: only ${came} of ${of} requests came within ${ms} ms; those held went on without the rest\n`;
}

/** What the proxy is started with, from its flags (`onDelivery`: a line per faulted request unless --quiet). */
export function proxyStartOptions(options: ProxyCliOptions, onDelivery?: (delivery: Delivery) => void): ProxyOptions {
  return {
    target: options.target!,
    ...(options.port !== undefined ? { port: options.port } : {}),
    faults: parseFaults(options.faults),
    seed: options.seed,
    ...(options.together !== undefined
      ? {
          together: options.together,
          togetherMs: options.togetherMs ?? PROXY_TOGETHER_MS,
          onGroupExpired: (came: number, of: number, ms: number) => void process.stderr.write(groupExpiredLine(came, of, ms)),
        }
      : {}),
    ...(options.quiet || onDelivery === undefined ? {} : { onDelivery }),
  };
}

function deliveryLine(delivery: Delivery): string {
  const answers = delivery.answers
    .map((answer) => ('error' in answer ? `no answer (${answer.error})` : summarizeAnswer(answer)))
    .join(', ');
  const shown = delivery.shown === 'closed' ? 'the client saw its connection closed' : `the client got HTTP ${String(delivery.shown)}`;
  return (
    `proton-conformance proxy: #${delivery.n} ${delivery.operation} attempt ${delivery.attempt}: ${delivery.fault}; ` +
    `target: ${answers || 'not forwarded'}; ${shown}\n`
  );
}

/** Runs `proton-conformance proxy`; resolves with the exit code once stopped (Ctrl-C: 130, SIGTERM: 143). */
export async function runProxy(argv: readonly string[]): Promise<number> {
  const options = parseProxy(argv);
  if (options.help) {
    process.stdout.write(PROXY_USAGE);
    return 0;
  }
  const start = proxyStartOptions(options, (delivery) => void (delivery.fault && process.stderr.write(deliveryLine(delivery))));
  let proxy;
  try {
    proxy = await startProxy(start);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(
      `proxy: cannot listen on 127.0.0.1:${options.port ?? 0} (${code ?? (error instanceof Error ? error.message : String(error))})`,
    );
  }
  process.stdout.write(`${proxy.url}\n`);
  const together = start.together !== undefined ? `, the next ${start.together} together (at most ${start.togetherMs} ms)` : '';
  process.stderr.write(
    `proton-conformance proxy: ${proxy.url} -> ${options.target}, faults ${faultSpec(parseFaults(options.faults))}, ` +
      `seed ${options.seed}${together}; Ctrl-C stops it\n`,
  );
  const signal = await new Promise<'SIGINT' | 'SIGTERM'>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  await proxy.close();
  process.stderr.write(`proton-conformance proxy: stopped after ${proxy.deliveries.length} requests\n`);
  return signal === 'SIGINT' ? 130 : 143;
}
