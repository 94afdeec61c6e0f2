// The body of the slow test of --reproducers over the whole fault catalogue (issue 21), shared by its shards
// (test/mutation/reproducers-1.test.ts, reproducers-2.test.ts): vitest runs the shards in parallel, each with
// every other fault of FAULTS. For every fault of a shard, its target rule is run against the emulator with the
// fault, and every failing cell's `.mjs` exits 1 there and 0 against the reference emulator; the first failing
// cell's `.sh` does the same with Debian's AWS CLI v2 (not for the rules of SHELL_BLIND). Faults whose rule has
// no reproducer are listed as todo.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS } from '../../emulator/policy.ts';
import { EmulatorHost } from '../../mutation/emulators.ts';
import { hasReproducer } from '../../reporters/reproducers/build.ts';
import { hasAwsV2, notPassing, runScript, scriptFolder, withEmulator, writeFor } from './reproducers.ts';

/**
 * Rules whose faults the `.sh` cannot show. The sdk-default faults key on the JavaScript SDK's attempt header
 * (amz-sdk-request), which the AWS CLI of Debian does not send (2.9.19: its --debug shows no such header). Their scripts
 * are written, and run by hand. (The race faults are shown: the `.sh` sends a group through `proxy --together N`.)
 * The wire/interleaved-retries faults key on that header too (an original older than its own retry), and the `.sh`
 * sends one client's request where the case had several.
 */
export const SHELL_BLIND: ReadonlySet<string> = new Set(['client-token/sdk-default', 'wire/interleaved-retries']);

/** The faults of shard `shard` (1-based) of `shards`: every `shards`-th fault of FAULTS, in the catalogue's order. */
export function shardFaults(shard: number, shards: number): [string, string][] {
  return Object.entries(FAULTS)
    .filter((_, index) => index % shards === shard - 1)
    .map(([fault, { rule }]) => [fault, rule]);
}

/** One fault: its failing cells' reproducers against the emulator with it, then against the reference. */
async function reproduce(host: EmulatorHost, folder: string, fault: string, rule: string, awsV2: boolean): Promise<void> {
  const dir = join(folder, fault);
  const shell = awsV2 && !SHELL_BLIND.has(rule);
  const index = await withEmulator(host, [fault], async (faulty) => {
    const results = await notPassing(faulty, rule);
    expect(results.length, `${fault} is caught by ${rule}`).toBeGreaterThan(0);
    const written = await writeFor(results, dir);
    expect(written.filter((entry) => entry.skipped !== undefined)).toEqual([]);
    for (const entry of written) {
      const ran = await runScript(dir, entry.node!, faulty.endpoint);
      expect(ran.code, `${entry.node} on ${fault}:\n${ran.stdout}${ran.stderr}`).toBe(1);
    }
    if (shell) {
      const ran = await runScript(dir, written[0]!.shell!, faulty.endpoint);
      expect(ran.code, `${written[0]!.shell} on ${fault}:\n${ran.stdout}${ran.stderr}`).toBe(1);
    }
    return written;
  });
  await withEmulator(host, [], async (reference) => {
    for (const entry of index) {
      const ran = await runScript(dir, entry.node!, reference.endpoint);
      expect(ran.code, `${entry.node} on the reference:\n${ran.stdout}${ran.stderr}`).toBe(0);
    }
    if (shell) {
      const ran = await runScript(dir, index[0]!.shell!, reference.endpoint);
      expect(ran.code, `${index[0]!.shell} on the reference:\n${ran.stdout}${ran.stderr}`).toBe(0);
    }
  });
}

/** The tests of shard `shard` of `shards`, in the file that calls it. */
export function describeCatalogueShard(shard: number, shards: number): void {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const awsV2 = hasAwsV2();
  let host: EmulatorHost;
  const folder = scriptFolder(`reproducers-catalogue-${shard}`);

  beforeAll(async () => {
    host = await EmulatorHost.start();
  });

  afterAll(async () => {
    await host?.close();
    folder.dispose();
  });

  describe(`every fault of the catalogue (shard ${shard} of ${shards}): its failing cells reproduced`, () => {
    for (const [fault, rule] of shardFaults(shard, shards)) {
      if (!hasReproducer(rule)) {
        it.todo(`${fault}: ${rule} has no reproducer yet`);
        continue;
      }
      it(`${fault} (${rule})`, { timeout: 600_000 }, () => reproduce(host, folder.dir, fault, rule, awsV2));
    }
  });
}
