#!/usr/bin/env node
// `npx proton-conformance` without a build step: register tsx's ESM loader,
// then run the TypeScript CLI (cli/main.ts) in this same process.
import { register } from 'tsx/esm/api';

register();
const { runCliProcess, exitWith } = await import('../cli/main.ts');
exitWith(await runCliProcess(process.argv.slice(2)));
