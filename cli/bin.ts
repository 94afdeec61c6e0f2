#!/usr/bin/env node
// The installed command (package.json "bin"): the compiled CLI, no
// TypeScript tooling at run time. In a checkout, bin/proton-conformance.js
// runs the TypeScript sources through tsx instead.
import { exitWith, runCli } from './main.ts';

exitWith(await runCli(process.argv.slice(2)));
