import { configDefaults, defineConfig } from 'vitest/config';

// Two tiers (issue 16), as two vitest projects over test/**/*.test.ts:
//   fast  `npm test` (with the typecheck): every test that runs in-process and
//         decides in seconds, and one smoke test of the CLI as a process.
//   slow  `npm run test:slow`: what spawns the CLI for each case, waits in real
//         time, or needs a tool from outside Node (openssl, Chromium, the AWS
//         CLI, npm pack). `.ci/run` runs both.
// A test file runs in exactly one tier: the slow one lists its files, the fast
// one takes every other (test/tiers.test.ts checks the partition). A new test
// file is fast until it is listed here.
export const SLOW_TESTS: readonly string[] = [
  // 20 interrupted runs of the CLI (Ctrl-C and SIGTERM at random moments).
  'test/harness/interrupts.test.ts',
  // 10k requests of fuzz against the emulator as a process.
  'test/fuzz/emulator.fuzz.test.ts',
  // npm pack and install into a fresh folder.
  'test/release/package.test.ts',
  // Headless Chromium on the HTML report, and the CLI's gate exit codes.
  'test/release/gate.test.ts',
  // Three shards and a merge, each a CLI process.
  'test/release/shards.test.ts',
  // The CI examples' own commands (shards, merge, explorer), each a CLI process, against the emulator as a remote host.
  'test/release/examples.test.ts',
  // The whole suite against 27 faults at once, then a merge: the Markdown summary's size, --summary, --quiet.
  'test/release/ci-summary.test.ts',
  // Strict authentication and real bundles from s3rver, end to end, in real time.
  'test/harness/real-bundles.test.ts',
  // The wire proxy towards https targets (certificates made with openssl).
  'test/harness/proxy-tls.test.ts',
  'test/harness/wire-https.test.ts',
  // Every fault of the catalogue: its failing cells' reproducers, each a Node process (and a shell one with the AWS CLI),
  // in two shards that run in parallel (every other fault each; the body is test/support/reproducers-catalogue.ts).
  'test/mutation/reproducers-1.test.ts',
  'test/mutation/reproducers-2.test.ts',
  // A wire fault's reproducers against emulators that verify SigV4: the CLI and each script as processes.
  'test/harness/reproducers-strict.test.ts',
  // The AWS CLI as an independent client.
  'test/interop/*.test.ts',
  // The CLI as a process, case by case (test/harness/cli-smoke.test.ts is the fast tier's one).
  'test/harness/cli.test.ts',
  'test/harness/cli-internal.test.ts',
  'test/harness/first-mistakes.test.ts',
  'test/harness/report-contents.test.ts',
  'test/harness/interlock.test.ts',
  'test/harness/sweep.test.ts',
  'test/harness/sweep-bundles.test.ts',
  'test/suites/expiry-phases.test.ts',
  // The default run against an emulator with 0-100 ms of latency, in real time.
  'test/harness/latency-target.test.ts',
  // proton-conformance parity as a process, against emulators as processes.
  'test/parity/cli.test.ts',
  // Parity's snapshot, variant and weather cases over the whole corpus (the fast tier has them over a subset).
  'test/parity/whole-corpus.test.ts',
];

export default defineConfig({
  test: {
    // Conformance and interop runs talk to real servers on loopback; the
    // default 5 s is too short for a full run on a shared 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: more workers only make them fight over CPU.
    maxWorkers: 2,
    // The SDK warns on every client that Node 20 loses support in 2027; the
    // project declares its engines in package.json, the warning is noise here.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      { extends: true, test: { name: 'fast', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...SLOW_TESTS] } },
      { extends: true, test: { name: 'slow', include: [...SLOW_TESTS] } },
    ],
  },
});
