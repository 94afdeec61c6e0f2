#!/usr/bin/env node
// The installed command (package.json "bin"): the compiled CLI, no
// TypeScript tooling at run time. In a checkout, bin/proton-conformance.js
// runs the TypeScript sources through tsx instead.
import { exitWith, runCliProcess } from './main.ts';

exitWith(await runCliProcess(process.argv.slice(2)));
