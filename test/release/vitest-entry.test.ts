// The vitest entry point registers one test per cell in this very vitest
// run: client-token/format on its three operations against the embedded
// emulator (each one a test vitest reports), and the shape rule as one more.
import { conformanceSuite } from '../../library/vitest.ts';

await conformanceSuite({
  name: 'proton-conformance via its vitest entry',
  rules: 'client-token/format,shape/*',
  numRuns: 2,
  seed: 3,
  timeoutS: 120,
});
