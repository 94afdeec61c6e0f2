// The fault catalogue (issue 4): every fault a documented deviation from one
// MUST rule of docs/CONTRACT.md. README.md here lists them; `npm run
// mutation` checks that the suite catches each with the rule it targets.
import type { Fault } from '../policy.ts';
import { asyncDeleteFaults } from './async-delete.ts';
import { clientTokenFaults } from './client-token.ts';
import { idempotentCreateFaults } from './idempotent-create.ts';
import { idempotentDeleteFaults } from './idempotent-delete.ts';
import { wireFaults } from './wire.ts';

export const FAULT_CATALOGUE: Readonly<Record<string, Fault>> = Object.freeze({
  ...clientTokenFaults,
  ...idempotentCreateFaults,
  ...idempotentDeleteFaults,
  ...asyncDeleteFaults,
  ...wireFaults,
});
