// The `.mjs` emitter (issue 21): a reproducer's steps as a Node script that
// needs only @aws-sdk/client-proton (and node: builtins).
import { MISMATCH_MARKER } from '../../specs/mismatch.ts';
import { DELETION_ORDER, RESOURCES } from '../../specs/resources.ts';
import { AUTH_FAILURES } from '../../harness/target/probe.ts';
import { NODE_RUNTIME } from './node-runtime.ts';
import { NODE_WIRE_RUNTIME } from './node-wire-runtime.ts';
import { RUN_MARK, type Reproducer } from './steps.ts';

/** How each kind is removed: its Delete and the fields of the created resource that name it (specs/resources.ts). */
export function removals(): Record<string, { operation: string; fields: string[] }> {
  const sample: Record<string, string> = { name: 'n', templateName: 't', majorVersion: '1', minorVersion: '0', id: 'i' };
  return Object.fromEntries(
    Object.values(RESOURCES).map((spec) => [
      spec.member,
      { operation: spec.remove.operation, fields: Object.keys(spec.remove.input(sample)) },
    ]),
  );
}

/** The comment block both scripts open with: what the case is, what it needs. */
export function headerLines(reproducer: Reproducer, usage: string): string[] {
  const lines = [
    `Reproducer of ${reproducer.rule} on ${reproducer.operation} (${reproducer.verdict} when the suite ran it).`,
    `The suite's reason: ${reproducer.reason.replace(/\s+/g, ' ').slice(0, 600)}`,
    '',
    `Usage: ${usage}`,
    'Credentials and region come from the standard AWS chain. Each execution uses fresh names and tokens,',
    'creates what the case needs, removes what it made, and prints what each judged step was expected to',
    'answer and what came back. Exit 1: the target breaks the rule; 0: it keeps it; 2: the case could not be run.',
  ];
  if (reproducer.hooks.length > 0) {
    lines.push(
      `It uses the conformance hooks (${reproducer.hooks.join(', ')}; docs/emulator-hooks.md) as the suite did:`,
      'the target must offer them. Changed durations are put back at the end.',
    );
  }
  for (const note of reproducer.notes) lines.push(note);
  return lines;
}

export function nodeScript(reproducer: Reproducer): string {
  const data = {
    rule: reproducer.rule,
    operation: reproducer.operation,
    runId: reproducer.runId,
    runMark: RUN_MARK,
    marker: MISMATCH_MARKER,
    tokens: reproducer.tokens,
    hooks: reproducer.hooks,
    removals: removals(),
    deletionOrder: DELETION_ORDER.map((kind) => RESOURCES[kind].member),
    steps: reproducer.steps,
    authFailures: [...AUTH_FAILURES],
  };
  const header = headerLines(reproducer, `node ${reproducer.name}.mjs --endpoint URL`)
    .map((line) => `// ${line}`.trimEnd())
    .join('\n');
  return [
    '#!/usr/bin/env node',
    header,
    "import * as proton from '@aws-sdk/client-proton';",
    "import { randomInt } from 'node:crypto';",
    "import http from 'node:http';",
    "import https from 'node:https';",
    "import { parseArgs } from 'node:util';",
    '',
    `const CASE = ${JSON.stringify(data, null, 1)};`,
    ...(reproducer.steps.some((step) => step.kind === 'call' && step.wire) ? [NODE_WIRE_RUNTIME] : []),
    NODE_RUNTIME,
  ].join('\n');
}
