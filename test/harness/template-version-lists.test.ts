// Template versions listed as the API reference documents List*TemplateVersions
// (without majorVersion: the major versions only) and as the reference emulator
// answers it (every version): the List input of a version ref names its major,
// listEvery lists a template's versions major by major, and the sweep and a
// check's cleanup leave no minor version behind on the `lists-major-versions`
// variant.
import { ProtonClient } from '@aws-sdk/client-proton';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import type { CheckContext } from '../../harness/run/context.ts';
import { sweep } from '../../harness/safety/sweep.ts';
import { send } from '../../specs/commands.ts';
import { listEvery } from '../../specs/lists.ts';
import { RESOURCES } from '../../specs/resources.ts';
import type { Input, Resource } from '../../specs/types.ts';
import { remove } from '../../suites/lib/world.ts';

const REGION = 'us-east-1';
const VERSIONS = ['1.0', '1.1', '1.2', '2.0', '2.1'];
const versions = RESOURCES.environmentTemplateVersion;

/** A target's answer to a List*TemplateVersions input, either way it may read one without majorVersion. */
function fakeTarget(all: readonly string[], majorsOnly: boolean): (input: Input) => Promise<Resource[]> {
  return async (input) => {
    const items = all.map((key) => {
      const [majorVersion, minorVersion] = key.split('.');
      return { templateName: input['templateName'], majorVersion, minorVersion } as Resource;
    });
    if (input['majorVersion'] !== undefined) return items.filter((item) => item['majorVersion'] === input['majorVersion']);
    // The highest minor of each major stands for it.
    return majorsOnly ? items.filter((item, i) => items[i + 1]?.['majorVersion'] !== item['majorVersion']) : items;
  };
}

const keys = (items: readonly Resource[]) => items.map((item) => `${item['majorVersion']}.${item['minorVersion']}`).sort();

describe('the List of template versions', () => {
  it("names the version's major when the ref does, and only the template when it does not", () => {
    for (const spec of [RESOURCES.environmentTemplateVersion, RESOURCES.serviceTemplateVersion]) {
      expect(spec.list.input({ templateName: 't', majorVersion: '2', minorVersion: '1', arn: 'a' })).toEqual({
        templateName: 't',
        majorVersion: '2',
      });
      expect(spec.list.input({ templateName: 't' })).toEqual({ templateName: 't' });
      expect(spec.list.narrowedBy).toBe('majorVersion');
    }
  });

  it('lists every version of a template, whether the target lists the majors or every version without majorVersion', async () => {
    for (const majorsOnly of [false, true]) {
      const sent: Input[] = [];
      const target = fakeTarget(VERSIONS, majorsOnly);
      const listed = await listEvery(versions, { templateName: 't' }, (input) => {
        sent.push(input);
        return target(input);
      });
      expect(keys(listed), `majors only: ${majorsOnly}`).toEqual(VERSIONS);
      expect(sent).toEqual([{ templateName: 't' }, { templateName: 't', majorVersion: '1' }, { templateName: 't', majorVersion: '2' }]);
    }
    // A version ref's scope is one major, listed once.
    const one = await listEvery(versions, { templateName: 't', majorVersion: '1', minorVersion: '2' }, fakeTarget(VERSIONS, true));
    expect(keys(one)).toEqual(['1.0', '1.1', '1.2']);
  });
});

describe('removal on a target that lists only the major versions (lists-major-versions)', () => {
  let emulator: RunningEmulator;
  let client: ProtonClient;
  const credentials = { accessKeyId: 'AKIDLISTSMAJORS', secretAccessKey: 'secret' };

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, variants: ['lists-major-versions'], durations: { templateVersionRegistration: 0 } });
    client = new ProtonClient({ endpoint: emulator.url, region: REGION, credentials, ignoreConfiguredEndpointUrls: true });
  });

  afterAll(async () => {
    client.destroy();
    await emulator.close();
  });

  /** An environment template with VERSIONS, tagged as run `runId`'s; 2.1 published (recommended). */
  async function plant(name: string, runId: string): Promise<void> {
    const tags = [{ key: 'proton-conformance:run', value: runId }];
    await send(client, 'CreateEnvironmentTemplate', { name, tags });
    for (const key of VERSIONS) {
      const [major, minor] = key.split('.');
      await send(client, 'CreateEnvironmentTemplateVersion', {
        templateName: name,
        ...(minor === '0' ? {} : { majorVersion: major }),
        source: { s3: { bucket: 'conformance-bundles', key: `${name}/${key}.tar.gz` } },
        tags,
      });
    }
    await send(client, 'UpdateEnvironmentTemplateVersion', {
      templateName: name,
      majorVersion: '2',
      minorVersion: '1',
      status: 'PUBLISHED',
    });
    const listed = await send(client, 'ListEnvironmentTemplateVersions', { templateName: name });
    // The variant at work: one summary per major.
    expect((listed['templateVersions'] as Resource[]).map((v) => `${v['majorVersion']}.${v['minorVersion']}`)).toEqual(['1.2', '2.1']);
  }

  async function versionCount(): Promise<number> {
    const response = await fetch(`${emulator.url}/_conformance/v1/counts`, {
      headers: { 'x-conformance-account': credentials.accessKeyId },
    });
    return ((await response.json()) as { counts: Record<string, number> }).counts['environmentTemplateVersions'] ?? 0;
  }

  it('the sweep removes every minor version and the template', async () => {
    const runId = `${Date.now().toString(36).slice(-6)}swp1`;
    await plant(`pc${runId}-0-et`, runId);
    expect(await versionCount()).toBe(VERSIONS.length);
    const { findings, removal } = await sweep(
      { endpoint: emulator.url, region: REGION, credentials },
      {
        runs: runId,
        pollMs: 10,
        timeoutMs: 10_000,
      },
    );
    expect(findings.found.map((f) => f.label).filter((label) => label.includes('version'))).toHaveLength(VERSIONS.length);
    expect(removal?.left).toEqual([]);
    expect(await versionCount()).toBe(0);
  });

  it("a check's cleanup removes a template with all its versions", async () => {
    const name = 'pcabcdefswp2-1-et-1';
    await plant(name, 'abcdefswp2');
    const steps: string[] = [];
    const ctx = {
      client,
      signal: undefined,
      uniqueName: (hint: string) => `pcabcdefswp2-1-${hint}-1`,
      step: (text: string) => steps.push(text),
    } as unknown as CheckContext;
    await remove(ctx, RESOURCES.environmentTemplate, { name });
    expect(await versionCount()).toBe(0);
    const gone = await send(client, 'ListEnvironmentTemplates', {});
    expect((gone['templates'] as Resource[]).map((t) => t['name'])).not.toContain(name);
  });
});
