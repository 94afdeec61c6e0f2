// The `.sh` emitter (issue 21): a reproducer's steps as bash and AWS CLI v2
// commands (`aws proton ... --endpoint-url`), one block per step. Answers are
// read with the CLI's own `--query` and `--output text` (no jq); the hooks,
// when the case needs them, with curl. Its shared functions are in
// shell-runtime.ts.
import { MISMATCH_MARKER } from '../../specs/mismatch.ts';
import { DELETION_ORDER, RESOURCES } from '../../specs/resources.ts';
import { headerLines, removals } from './node.ts';
import { AUTH_FAILURES } from '../../harness/target/probe.ts';
import { SHELL_RUNTIME } from './shell-runtime.ts';
import { SHELL_WIRE_RUNTIME, wireShellData } from './shell-wire-runtime.ts';
import { type CallStep, type Expect, RUN_MARK, type Reproducer, type Step } from './steps.ts';

/** 'CreateEnvironmentTemplateVersion' -> 'create-environment-template-version'. */
export function kebab(operation: string): string {
  return operation.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** A bash single-quoted word. */
export function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** What a step's answer is read into: columns of one `--output text` line. */
interface Columns {
  query: string;
  names: string[];
}

/** The values later steps send back from this step's answer (their `$ref` paths). */
function refsOf(steps: Step[]): Map<number, string[][]> {
  const refs = new Map<number, string[][]>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      const ref = (value as { $ref?: [number, ...string[]] }).$ref;
      if (ref) {
        const [step, ...path] = ref;
        const list = refs.get(step) ?? [];
        if (!list.some((known) => known.join('.') === path.join('.'))) list.push(path);
        refs.set(step, list);
      } else Object.values(value).forEach(walk);
    }
  };
  for (const step of steps) if (step.kind === 'call') walk(step.input);
  return refs;
}

function jmesPath(path: string[]): string {
  return path.map((part, index) => (/^\d+$/.test(part) ? `[${part}]` : `${index === 0 ? '' : '.'}${part}`)).join('');
}

const REMOVAL_FIELDS = ['name', 'templateName', 'majorVersion', 'minorVersion', 'id'];

function columnsOf(step: CallStep, refs: string[][] | undefined, listKey: string | undefined): Columns {
  if (step.count) {
    return { query: `length(${listKey ?? 'items'}[?contains(to_string(@), '@RUN@')])`, names: ['count'] };
  }
  const member = 'values(@)[0]';
  const names = ['arn', 'createdAt', 'status', 'deploymentStatus', ...REMOVAL_FIELDS];
  const parts = names.map((name) => `${member}.${name}`);
  for (const path of refs ?? []) {
    names.push(`ref:${path.join('.')}`);
    parts.push(jmesPath(path));
  }
  return { query: `[${parts.join(', ')}]`, names };
}

/** The input as JSON text with markers the script replaces: @RUN@, @T<n>:<like>@ (tokens), @R<k>:<path>@ (refs). */
function template(value: unknown, markers: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => template(item, markers));
  if (value === null || typeof value !== 'object') return value;
  const token = value as { $token?: number; like?: string };
  if (token.$token !== undefined) {
    const marker = `@T${markers.size}@`;
    markers.set(marker, `token ${token.$token} ${quote(token.like ?? '')}`);
    return marker;
  }
  const ref = (value as { $ref?: [number, ...string[]] }).$ref;
  if (ref) {
    const [step, ...path] = ref;
    const marker = `@T${markers.size}@`;
    markers.set(marker, `answer ${step} ${quote(`ref:${path.join('.')}`)}`);
    return marker;
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, template(item, markers)]));
}

/** The bash test of an expectation, as arguments of the runtime's `judge`. */
function judgeArgs(expect: Expect): string {
  const parts: string[] = [];
  if (expect.ok) parts.push('ok');
  if (expect.error) parts.push(`error=${expect.error.join(',')}`);
  if (expect.marker) parts.push('marker');
  if (expect.notError) parts.push(`noterror=${expect.notError.join(',')}`);
  if (expect.sameAs !== undefined) parts.push(`same=${expect.sameAs}`);
  if (expect.sameCreatedAt) parts.push('samecreated');
  if (expect.newThan !== undefined) parts.push(`new=${expect.newThan}`);
  if (expect.notOriginal !== undefined) parts.push(`notoriginal=${expect.notOriginal}`);
  if (expect.emptyOrSameAs !== undefined) parts.push(`emptyorsame=${expect.emptyOrSameAs}`);
  if (expect.empty) parts.push('empty');
  if (expect.named) parts.push('named');
  if (expect.status) parts.push(`status=${expect.status}`);
  if (expect.countDelta) parts.push(`count=${expect.countDelta.of}:${expect.countDelta.delta}`);
  if (expect.oneResource) parts.push('one');
  if (expect.orMismatch) parts.push('ormismatch');
  if (expect.precondition) parts.push('precondition');
  return parts.map(quote).join(' ');
}

function listKeyOf(step: CallStep): string | undefined {
  const spec = Object.values(RESOURCES).find((resource) => resource.list.operation === step.operation);
  return spec?.list.items;
}

/** How a call goes: straight to the endpoint, through the lossy proxy, or, in a group, through the group's proxy (GROUP_EP). */
function routeOf(step: CallStep, background: boolean): string {
  if (background) return `CALL_EP=$GROUP_EP ${step.lose ? 'CALL_ATTEMPTS=2 ' : ''}`;
  // A lost response: through `proton-conformance proxy --faults drop@first`, the CLI's own retry allowed.
  return step.lose ? 'CALL_EP=$(lossy_proxy) CALL_ATTEMPTS=2 ' : '';
}

function callBlock(reproducer: Reproducer, index: number, refs: Map<number, string[][]>, background: boolean): string[] {
  const step = reproducer.steps[index] as CallStep;
  const markers = new Map<string, string>();
  const json = JSON.stringify(template(step.input, markers));
  const columns = columnsOf(step, refs.get(index), listKeyOf(step));
  const lines = [`input=${quote(json)}`];
  for (const [marker, source] of markers) lines.push(`input=$(put "$input" ${quote(marker)} "$(${source})")`);
  const answer = `${quote(columns.query)} ${quote(columns.names.join(' '))}`;
  const call = `${routeOf(step, background)}${step.wire ? 'wire_call' : 'call'} ${index} ${kebab(step.operation)} "$input" ${answer}`;
  lines.push(background ? `${call} &` : call);
  return lines;
}

function stepBlock(reproducer: Reproducer, index: number, refs: Map<number, string[][]>): { lines: string[]; next: number } {
  const step = reproducer.steps[index]!;
  if (step.kind === 'advance')
    return { lines: [`hook_advance ${index} ${step.ms ?? 0} ${step.since ?? ''} ${step.sinceMs ?? ''}`.trimEnd()], next: index + 1 };
  if (step.kind !== 'call') return { lines: [`hook_durations ${index} ${quote(JSON.stringify(step.durations ?? {}))}`], next: index + 1 };
  let end = index;
  const group = step.group;
  while (group !== undefined && (reproducer.steps[end + 1] as CallStep | undefined)?.group === group) end++;
  const lines: string[] = [];
  if (end > index) {
    // Requests sent at once: through a proxy that holds them until all have come, then forwards them together.
    const lose = reproducer.steps.slice(index, end + 1).some((at) => at.kind === 'call' && at.lose);
    lines.push(`GROUP_EP=$(together_proxy ${index} ${end - index + 1}${lose ? ' drop@first' : ''}) || exit 2`);
  }
  for (let at = index; at <= end; at++) lines.push(...callBlock(reproducer, at, refs, end > index));
  // Requests that did not meet (a group's wait ran out) prove nothing either way: the case is inconclusive, unless broken.
  if (end > index) lines.push('wait', `together_met ${index}`);
  if (step.clock) lines.push(`clock_at ${index}`);
  for (let at = index; at <= end; at++) {
    const { expect, operation } = reproducer.steps[at] as CallStep;
    if (expect?.wire) lines.push(`wire_judge ${at} ${operation} ${quote(expect.why)}`);
    else if (expect) lines.push(`judge ${at} ${operation} ${quote(expect.why)} ${judgeArgs(expect)}`);
  }
  lines.push('stop_if_unmet');
  return { lines, next: end + 1 };
}

export function shellScript(reproducer: Reproducer): string {
  const header = headerLines(reproducer, `bash ${reproducer.name}.sh ENDPOINT_URL`).map((line) => `# ${line}`.trimEnd());
  header.push(
    '# It needs bash and the AWS CLI v2 (AWS_CLI=/path/to/aws to choose one)' +
      (reproducer.hooks.length > 0 ? ', and curl for the hooks.' : '.'),
  );
  if (reproducer.steps.some((step) => step.kind === 'call' && step.group !== undefined)) {
    header.push(
      '# Requests sent at once go through `proton-conformance proxy --together N`, which holds them until all N have come',
      '# and then forwards them together (PROTON_CONFORMANCE names the command to run, e.g. "npx proton-conformance").',
    );
  }
  const refs = refsOf(reproducer.steps);
  const groups = new Set(reproducer.steps.flatMap((step) => (step.kind === 'call' && step.group !== undefined ? [step.group] : [])));
  const body: string[] = [];
  for (let index = 0; index < reproducer.steps.length; ) {
    const block = stepBlock(reproducer, index, refs);
    body.push(...block.lines);
    index = block.next;
  }
  const removal = removals();
  const removalLines = Object.entries(removal).map(
    ([member, spec]) => `REMOVAL_${member}=${quote(`${kebab(spec.operation)} ${spec.fields.join(' ')}`)}`,
  );
  const groupLines = [...groups].map(
    (group) =>
      `GROUP_${group}=${quote(
        reproducer.steps.flatMap((step, index) => (step.kind === 'call' && step.group === group ? [String(index)] : [])).join(' '),
      )}`,
  );
  return [
    '#!/usr/bin/env bash',
    ...header,
    'set -u',
    `RULE=${quote(reproducer.rule)}`,
    `OPERATION=${quote(reproducer.operation)}`,
    `RUN_LENGTH=${reproducer.runId.length || 10}`,
    `RUN_MARK=${quote(RUN_MARK)}`,
    `MARKER=${quote(MISMATCH_MARKER)}`,
    `TOKENS=(${reproducer.tokens.map(quote).join(' ')})`,
    `HOOKS=${quote(reproducer.hooks.join(' '))}`,
    `DELETION_ORDER=${quote(DELETION_ORDER.map((kind) => RESOURCES[kind].member).join(' '))}`,
    `AUTH_FAILURES=${quote([...AUTH_FAILURES].join(' '))}`,
    ...removalLines,
    ...groupLines,
    ...wireShellData(reproducer.steps),
    SHELL_RUNTIME,
    ...(wireShellData(reproducer.steps).length > 0 ? [SHELL_WIRE_RUNTIME] : []),
    ...body,
    'finish',
    '',
  ].join('\n');
}
