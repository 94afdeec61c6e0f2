import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Conformance and interop runs talk to real servers on loopback; the
    // default 5 s is too short for a full run on a shared 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: more workers only make them fight over CPU.
    maxWorkers: 2,
    // The SDK warns on every client that Node 20 loses support in 2027; the
    // project declares its engines in package.json, the warning is noise here.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
