// The ownership guard against the emulator (as a real account would be
// guarded): a delete goes out only for a resource with the run's name prefix
// and tag; an absent one only with the prefix; a connection by its tag. A
// refused delete is never sent, makes its cell inconclusive and is listed in
// the report. And every create path the suite has keeps the run's tag.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../harness/run/catalog.ts';
import { createProtonClient } from '../../harness/client/client.ts';
import { createPool } from '../../harness/target/http.ts';
import { TAG_RUN } from '../../harness/safety/names.ts';
import { RunOwnership, createReader, guardDelete, ownershipProblem, runIdOfName } from '../../harness/safety/ownership.ts';
import { Recorder } from '../../harness/client/recorder.ts';
import { runConformance } from '../../harness/run/runner.ts';
import { selectCells } from '../../harness/run/select.ts';
import type { Capability } from '../../harness/types.ts';
import { attempt, send } from '../../specs/commands.ts';
import * as model from '../../specs/model.ts';
import { OPERATIONS, withRunTags } from '../../specs/operations/index.ts';
import type { CreateOperationSpec, Fixture, Input } from '../../specs/types.ts';
import { change } from '../../suites/lib/expectations.ts';
import { testRule } from '../support/catalog.ts';
import { REGION, directClient, fakeCredentials, plantEnvironmentTemplate, runTag, startRemote } from './real-target-helpers.ts';
import type { Remote } from './real-target-helpers.ts';

const RUN = 'abcdef1234';
const OTHER = 'zzzzzz9999';
const credentials = fakeCredentials('ownership');
let remote: Remote;
let connectionId: string;
let untaggedConnectionId: string;

beforeAll(async () => {
  remote = await startRemote();
  const client = directClient(remote.emulator, credentials);
  await send(client, 'CreateEnvironmentTemplate', { name: `pc${RUN}-0-mine-1`, tags: runTag(RUN) });
  await send(client, 'CreateEnvironmentTemplate', { name: `pc${RUN}-0-untagged-1` });
  await send(client, 'CreateEnvironmentTemplate', { name: `pc${RUN}-0-othertag-1`, tags: runTag(OTHER) });
  await send(client, 'CreateEnvironmentTemplate', { name: 'someone-elses', tags: runTag(RUN) });
  await plantEnvironmentTemplate(client, `pc${RUN}-0-versions-1`, runTag(RUN));
  const made = await send(client, 'CreateEnvironmentAccountConnection', {
    managementAccountId: '210987654321',
    environmentName: 'any-name',
    roleArn: 'arn:aws:iam::123456789012:role/c',
    tags: runTag(RUN),
  });
  connectionId = (made.environmentAccountConnection as { id: string }).id;
  const untagged = await send(client, 'CreateEnvironmentAccountConnection', {
    managementAccountId: '210987654321',
    environmentName: `pc${RUN}-0-conn-1`,
    roleArn: 'arn:aws:iam::123456789012:role/c',
  });
  untaggedConnectionId = (untagged.environmentAccountConnection as { id: string }).id;
  client.destroy();
});

afterAll(async () => {
  await remote.close();
});

const reader = () => createReader({ endpoint: remote.emulator.url, region: REGION, credentials });

describe('ownershipProblem', () => {
  it('lets the run delete what carries its prefix and tag, and nothing else', async () => {
    const options = { reader: reader(), runs: RUN };
    const problem = (operation: string, input: Record<string, unknown>) => ownershipProblem(options, operation, input);
    expect(await problem('DeleteEnvironmentTemplate', { name: `pc${RUN}-0-mine-1` })).toBeUndefined();
    expect(await problem('DeleteEnvironmentTemplate', { name: `pc${RUN}-0-untagged-1` })).toBe(`it lacks the tag ${TAG_RUN}`);
    expect(await problem('DeleteEnvironmentTemplate', { name: `pc${RUN}-0-othertag-1` })).toMatch(/does not match the run in its name/);
    expect(await problem('DeleteEnvironmentTemplate', { name: 'someone-elses' })).toMatch(
      /does not start with this run's prefix pcabcdef1234-/,
    );
    expect(await problem('DeleteEnvironmentTemplate', { name: `pc${OTHER}-0-x-1` })).toMatch(/does not start with this run's prefix/);
    // Template versions: the template's name and the version's own tag.
    expect(
      await problem('DeleteEnvironmentTemplateVersion', { templateName: `pc${RUN}-0-versions-1`, majorVersion: '1', minorVersion: '0' }),
    ).toBeUndefined();
    // Absent: allowed with the prefix (an idempotent delete of nothing), refused without.
    expect(await problem('DeleteEnvironment', { name: `pc${RUN}-3-absent-1` })).toBeUndefined();
    expect(await problem('DeleteEnvironment', { name: 'absent-and-not-ours' })).toMatch(/does not start with/);
    expect(
      await problem('DeleteEnvironmentTemplateVersion', { templateName: `pc${RUN}-0-versions-1`, majorVersion: '1', minorVersion: '999' }),
    ).toBeUndefined();
    // Connections: the tag decides; an absent one removes nothing (its id is the service's, never reused): allowed.
    expect(await problem('DeleteEnvironmentAccountConnection', { id: connectionId })).toBeUndefined();
    expect(await problem('DeleteEnvironmentAccountConnection', { id: untaggedConnectionId })).toBe(`it lacks the tag ${TAG_RUN}`);
    expect(await problem('DeleteEnvironmentAccountConnection', { id: '00000000-0000-4000-8000-00000000dead' })).toBeUndefined();
    // A sweep of any run: the name's run and the tag must agree.
    const any = { reader: reader(), runs: (id: string) => /^[0-9a-z]{10}$/.test(id) };
    expect(await ownershipProblem(any, 'DeleteEnvironmentTemplate', { name: `pc${RUN}-0-mine-1` })).toBeUndefined();
    expect(await ownershipProblem(any, 'DeleteEnvironmentTemplate', { name: `pc${RUN}-0-othertag-1` })).toMatch(/does not match/);
    options.reader.destroy();
    any.reader.destroy();
  });

  it('reads the run id of a name as names.ts makes it', () => {
    expect(runIdOfName('pcabcdef1234-3-hint-1')).toBe('abcdef1234');
    expect(runIdOfName('pcabcdef1234')).toBe('abcdef1234');
    expect(runIdOfName('pcabcdef12345-1')).toBeUndefined();
    expect(runIdOfName('xpcabcdef1234-1')).toBeUndefined();
    expect(runIdOfName(undefined)).toBeUndefined();
  });
});

describe('the guarded client', () => {
  it('never sends a refused delete: InconclusiveCheck, the resource stays', async () => {
    const refused: unknown[] = [];
    const read = reader();
    const client = createProtonClient({
      endpoint: remote.emulator.url,
      region: REGION,
      credentials,
      pool: createPool(),
      sink: new Recorder(10, []),
      ownership: { reader: read, runs: RUN, onRefuse: (r) => refused.push(r) },
    });
    // Thrown through attempt (specs/commands.ts): the harness's word, not the target's answer.
    await expect(attempt(client, 'DeleteEnvironmentTemplate', { name: 'someone-elses' })).rejects.toMatchObject({
      name: 'InconclusiveCheck',
    });
    expect(refused).toEqual([
      expect.objectContaining({ operation: 'DeleteEnvironmentTemplate', resource: 'environment template someone-elses' }),
    ]);
    expect((await attempt(read, 'GetEnvironmentTemplate', { name: 'someone-elses' })).ok).toBe(true);
    await expect(
      guardDelete({ reader: read, runs: RUN }, 'DeleteEnvironmentTemplate', { name: `pc${RUN}-0-untagged-1` }),
    ).rejects.toMatchObject({
      name: 'InconclusiveCheck',
      reason: expect.stringMatching(
        /refused DeleteEnvironmentTemplate of environment template pcabcdef1234-0-untagged-1: it lacks the tag/,
      ),
    });
    client.destroy();
    read.destroy();
  });

  it('a refused delete makes the cell inconclusive and is listed in refusedDeletes of the report', async () => {
    const rules = [testRule('t/deletes-foreign', { category: 'idempotent-delete', operations: ['DeleteEnvironmentTemplate'] })];
    const catalog: Catalog<string> = {
      rules,
      checks: {
        // A check that (wrongly) deletes a resource that is not the run's, and would call that a pass.
        't/deletes-foreign': async (ctx) => {
          await attempt(ctx.client, 'DeleteEnvironmentTemplate', { name: `pc${RUN}-0-othertag-1` });
          return { verdict: 'pass', reason: 'deleted' };
        },
      },
      operation: (name) => name,
    };
    const pool = createPool();
    const ownership = new RunOwnership(RUN);
    const { report } = await runConformance({
      catalog,
      selection: selectCells(rules),
      target: {
        endpoint: remote.proxy.url,
        embedded: false,
        region: REGION,
        capabilities: new Set<Capability>(),
        accounts: false,
        credentials,
        pool,
      },
      shapeModel: model,
      runId: RUN,
      seed: 1,
      numRuns: 1,
      concurrency: 1,
      cellTimeoutMs: 10_000,
      ownership,
    });
    await pool.close();
    expect(report.results[0]).toMatchObject({
      verdict: 'inconclusive',
      reason: expect.stringMatching(
        new RegExp(
          /^the ownership guard refused DeleteEnvironmentTemplate of environment template pcabcdef1234-0-othertag-1/.source +
            /: its tag proton-conformance:run=zzzzzz9999/.source,
        ),
      ),
    });
    expect((report as unknown as { refusedDeletes: unknown[] }).refusedDeletes).toEqual([
      expect.objectContaining({ operation: 'DeleteEnvironmentTemplate', cell: 't/deletes-foreign DeleteEnvironmentTemplate' }),
    ]);
    const read = reader();
    expect((await attempt(read, 'GetEnvironmentTemplate', { name: `pc${RUN}-0-othertag-1` })).ok).toBe(true);
    read.destroy();
  });
});

describe('every create path keeps the run tag', () => {
  const runTags = [
    { key: TAG_RUN, value: RUN },
    { key: 'proton-conformance:cell', value: 'r o' },
  ];
  // Every fixture value a create's input or alternatives name (the bundle
  // sources are not names: left out, they are the placeholders).
  const notNames = new Set(['sources', 'sourcesUploaded']);
  const fx: Fixture = new Proxy(
    {},
    { get: (_t, key) => (typeof key === 'string' && !notNames.has(key) ? `pc${RUN}-0-${key}-1` : undefined) },
  ) as Fixture;
  const hasRunTag = (input: Input): boolean =>
    Array.isArray(input.tags) && (input.tags as Array<{ key: string; value: string }>).some((t) => t.key === TAG_RUN && t.value === RUN);
  const creates = Object.values(OPERATIONS).filter((spec): spec is CreateOperationSpec => spec.kind === 'create');

  it.each(creates.map((spec) => [spec.operation, spec] as const))(
    '%s: base input, each changed parameter and random inputs',
    (_name, spec) => {
      const base = withRunTags(spec.input(fx, `pc${RUN}-0-x-1`), runTags);
      expect(hasRunTag(base)).toBe(true);
      for (const parameter of spec.parameters) {
        expect(hasRunTag(change(fx, base, [parameter])), `${spec.operation} with ${parameter.name} changed`).toBe(true);
      }
      expect(hasRunTag(change(fx, base, spec.parameters)), `${spec.operation} with every parameter changed`).toBe(true);
      for (const generated of fc.sample(spec.arbitrary(fx, `pc${RUN}-0-x-1`), { numRuns: 50, seed: 7 })) {
        const sent = withRunTags(generated, runTags);
        expect(hasRunTag(sent)).toBe(true);
        for (const parameter of spec.parameters) expect(hasRunTag(change(fx, sent, [parameter]))).toBe(true);
      }
    },
  );
});
