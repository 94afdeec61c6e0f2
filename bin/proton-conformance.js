#!/usr/bin/env node
// `npx proton-conformance` without a build step: register tsx's ESM loader,
// then run the TypeScript CLI (cli/main.ts) in this same process.
import { register } from 'tsx/esm/api';

register();
const { runCli, exitWith } = await import('../cli/main.ts');
exitWith(await runCli(process.argv.slice(2)));
