import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_MODEL,
  DEFAULT_OUT,
  DEFAULT_SDK_SCHEMAS,
  SCHEMA_FILES,
  SENSITIVE_KEYWORD as GENERATED_SENSITIVE_KEYWORD,
  TYPE_KEYWORD as GENERATED_TYPE_KEYWORD,
  generate,
  parseSdkSchemas,
} from '../scripts/generate-schemas.ts';
import type { BotoModel, SdkAggregate } from '../scripts/generate-schemas.ts';
import {
  SENSITIVE_KEYWORD,
  TYPE_KEYWORD,
  errorStatus,
  formatValidationMessage,
  idempotencyTokenMember,
  operationErrors,
  operationNames,
  validateError,
  validateInput,
  validateOutput,
} from '../specs/model.ts';
import type { ModelViolation } from '../specs/model.ts';

const root = resolve(import.meta.dirname, '..');
const modelText = readFileSync(DEFAULT_MODEL, 'utf8');
const sdkText = readFileSync(DEFAULT_SDK_SCHEMAS, 'utf8');
const model = JSON.parse(modelText) as BotoModel;
const sdk = parseSdkSchemas(sdkText);

interface Definition {
  'x-aws-type': string;
  'x-aws-sensitive'?: boolean;
  properties?: Record<string, { $ref: string }>;
  required?: string[];
  pattern?: string;
}
const readJson = <T>(file: string): T => JSON.parse(readFileSync(join(DEFAULT_OUT, file), 'utf8')) as T;
const inputDefs = readJson<{ definitions: Record<string, Definition> }>('input.schema.json').definitions;
const outputDefs = readJson<{ definitions: Record<string, Definition> }>('output.schema.json').definitions;
const operationsIndex = readJson<{
  operations: Record<string, { input: string; output: string; errors: string[]; idempotent: boolean; idempotencyToken: string | null }>;
}>('operations.json').operations;
const errorsIndex = readJson<{ errors: Record<string, { httpStatus: number; fault: string }> }>('errors.json').errors;

/** Every generated definition of a shape (one per document it appears in). */
function definitionsOf(shape: string): Definition[] {
  return [inputDefs[shape], outputDefs[shape]].filter((d): d is Definition => d !== undefined);
}

const pick = (vs: readonly ModelViolation[]) => vs.map((v) => ({ path: v.path, constraint: v.constraint }));

describe('generation', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'proton-schemas-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('the committed specs/schemas/ is what the script generates today', () => {
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/generate-schemas.ts', '--out', tmp], { cwd: root, stdio: 'pipe' });
    expect(readdirSync(tmp).sort()).toEqual([...SCHEMA_FILES]);
    expect(readdirSync(DEFAULT_OUT).sort()).toEqual([...SCHEMA_FILES]);
    for (const file of SCHEMA_FILES) {
      expect(readFileSync(join(DEFAULT_OUT, file), 'utf8'), `${file} is stale: run npm run generate:schemas`).toBe(
        readFileSync(join(tmp, file), 'utf8'),
      );
    }
  });

  it('is deterministic: the order of the model file does not matter', () => {
    const reverse = <T>(record: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(record).reverse());
    const shuffled: BotoModel = {
      ...model,
      operations: reverse(
        Object.fromEntries(Object.entries(model.operations).map(([n, op]) => [n, { ...op, errors: [...(op.errors ?? [])].reverse() }])),
      ),
      shapes: reverse(
        Object.fromEntries(
          Object.entries(model.shapes).map(([n, s]) => [
            n,
            s.members ? { ...s, members: reverse(s.members), required: [...(s.required ?? [])].reverse() } : s,
          ]),
        ),
      ),
    };
    const once = generate(modelText, sdkText);
    expect(generate(modelText, sdkText)).toEqual(once);
    expect(generate(JSON.stringify(shuffled), sdkText)).toEqual(once);
  });

  it('fails loudly on a pattern that only compiles without the u flag', () => {
    const bad: BotoModel = {
      metadata: {},
      operations: { Op: { name: 'Op', input: { shape: 'OpInput' }, errors: [] } },
      // `[\w-a]` is a class escape used as a range bound: legal without `u`, a SyntaxError with it.
      shapes: { OpInput: { type: 'structure', members: { s: { shape: 'S' } } }, S: { type: 'string', pattern: '^[\\w-a]$' } },
    };
    expect(() => /^[\w-a]$/).not.toThrow();
    expect(() => generate(JSON.stringify(bad), sdkText)).toThrow(/pattern of S does not compile with the u flag/);
  });

  it('fails loudly on a member trait it does not handle', () => {
    const renamed: BotoModel = {
      metadata: {},
      operations: { Op: { name: 'Op', input: { shape: 'OpInput' }, errors: [] } },
      shapes: { OpInput: { type: 'structure', members: { s: { shape: 'S', locationName: 'x' } as never } }, S: { type: 'string' } },
    };
    expect(() => generate(JSON.stringify(renamed), sdkText)).toThrow(/unsupported member trait locationName on OpInput.s/);
  });

  it('every model pattern compiles with the u flag, as ajv compiles it', () => {
    const patterns = Object.entries({ ...inputDefs, ...outputDefs }).filter(([, d]) => d.pattern !== undefined);
    expect(patterns.length).toBe(14);
    for (const [, d] of patterns) expect(() => new RegExp(d.pattern!, 'u')).not.toThrow();
  });

  it('every operation has compiling input and output validators', () => {
    expect(operationNames).toHaveLength(87);
    for (const op of operationNames) {
      expect(() => validateInput(op, {})).not.toThrow();
      expect(() => validateOutput(op, {})).not.toThrow();
    }
  });

  it('the loader and the generator name the annotation keywords alike', () => {
    expect(SENSITIVE_KEYWORD).toBe(GENERATED_SENSITIVE_KEYWORD);
    expect(TYPE_KEYWORD).toBe(GENERATED_TYPE_KEYWORD);
  });
});

describe('the generated schemas agree with the installed SDK', () => {
  // botocore gives a member's own constraints a shape of their own; the SDK
  // keeps the Smithy target. These are the only known differences today:
  // model member target -> SDK member target, same members and traits.
  const BOTOCORE_SYNTHETIC_SHAPES: Record<string, { holder: string; member: string; sdkTarget: string }> = {
    NotifyResourceDeploymentStatusChangeInputOutputsList: {
      holder: 'NotifyResourceDeploymentStatusChangeInput',
      member: 'outputs',
      sdkTarget: 'OutputsList',
    },
    NotifyResourceDeploymentStatusChangeInputStatusMessageString: {
      holder: 'NotifyResourceDeploymentStatusChangeInput',
      member: 'statusMessage',
      sdkTarget: 'StatusMessage',
    },
  };

  const sdkTargetName = (target: string): string | undefined => /\(\) => (\w+?)\$?\b/.exec(target)?.[1];

  it('has the same operations, with the same input, output and idempotent trait', () => {
    expect(Object.keys(operationsIndex).sort()).toEqual([...sdk.operations.keys()].sort());
    for (const op of sdk.operations.values()) {
      const generated = operationsIndex[op.name]!;
      expect({ op: op.name, input: generated.input, output: generated.output, idempotent: generated.idempotent }).toEqual({
        op: op.name,
        input: op.input,
        output: op.output,
        idempotent: op.idempotent,
      });
    }
  });

  it('has every SDK structure, union and error with the same members, required members and sensitivity', () => {
    expect(sdk.aggregates.size).toBeGreaterThan(200);
    for (const aggregate of sdk.aggregates.values()) {
      const defs = definitionsOf(aggregate.name);
      expect(defs.length, `${aggregate.name} is missing from the generated schemas`).toBeGreaterThan(0);
      for (const def of defs) {
        expect(def['x-aws-type']).toBe(aggregate.kind === 'union' ? 'union' : 'structure');
        expect({ shape: aggregate.name, members: Object.keys(def.properties ?? {}).sort() }).toEqual({
          shape: aggregate.name,
          members: aggregate.members.map((m) => m.name).sort(),
        });
        expect({ shape: aggregate.name, required: [...(def.required ?? [])].sort() }).toEqual({
          shape: aggregate.name,
          required: aggregate.members
            .slice(0, aggregate.requiredCount)
            .map((m) => m.name)
            .sort(),
        });
        expect({ shape: aggregate.name, sensitive: def['x-aws-sensitive'] === true }).toEqual({
          shape: aggregate.name,
          sensitive: aggregate.sensitive,
        });
      }
    }
  });

  it('has no structure the SDK lacks', () => {
    const generated = new Set(
      Object.entries({ ...inputDefs, ...outputDefs })
        .filter(([, d]) => d['x-aws-type'] === 'structure' || d['x-aws-type'] === 'union')
        .map(([n]) => n),
    );
    expect([...generated].filter((n) => !sdk.aggregates.has(n))).toEqual([]);
  });

  it('points each member at the same shape, apart from the known botocore synthetic shapes', () => {
    const SDK_SCALAR: Record<string, number> = { string: 0, integer: 1, long: 1, boolean: 2, timestamp: 4 };
    const differences: string[] = [];
    for (const aggregate of sdk.aggregates.values()) {
      const shape = model.shapes[aggregate.name]!;
      for (const member of aggregate.members) {
        const modelTarget = shape.members![member.name]!.shape;
        const sdkTarget = sdkTargetName(member.target);
        const raw = member.target.startsWith('[') ? member.target.slice(1).split(',')[0]!.trim() : member.target;
        if (sdkTarget !== undefined) {
          if (sdkTarget !== modelTarget) differences.push(`${aggregate.name}.${member.name}: model ${modelTarget}, SDK ${sdkTarget}`);
        } else if (raw.startsWith('64')) {
          // a list of simple values, written inline
          expect(model.shapes[modelTarget]!.type, `${aggregate.name}.${member.name}`).toBe('list');
        } else {
          expect(Number(raw), `${aggregate.name}.${member.name}`).toBe(SDK_SCALAR[model.shapes[modelTarget]!.type]);
        }
      }
    }
    expect(differences.sort()).toEqual(
      Object.entries(BOTOCORE_SYNTHETIC_SHAPES)
        .map(([synthetic, { holder, member, sdkTarget }]) => `${holder}.${member}: model ${synthetic}, SDK ${sdkTarget}`)
        .sort(),
    );
  });

  it('names the same lists and sensitive scalars, apart from the known botocore synthetic shapes', () => {
    const modelLists = Object.keys(model.shapes).filter((n) => model.shapes[n]!.type === 'list');
    expect(modelLists.filter((n) => !sdk.lists.has(n))).toEqual(
      Object.keys(BOTOCORE_SYNTHETIC_SHAPES).filter((n) => model.shapes[n]!.type === 'list'),
    );
    expect([...sdk.lists].filter((n) => model.shapes[n]?.type !== 'list')).toEqual([]);
    const modelSensitiveScalars = Object.keys(model.shapes).filter(
      (n) => model.shapes[n]!.sensitive && model.shapes[n]!.type !== 'structure',
    );
    expect(modelSensitiveScalars.filter((n) => !sdk.simple.get(n)?.sensitive)).toEqual(
      Object.keys(BOTOCORE_SYNTHETIC_SHAPES).filter((n) => model.shapes[n]!.type === 'string'),
    );
    for (const [name, { sensitive }] of sdk.simple) {
      for (const def of definitionsOf(name)) expect({ name, sensitive: def['x-aws-sensitive'] === true }).toEqual({ name, sensitive });
    }
    // the synthetic shapes carry the traits of the SDK's target
    expect(model.shapes.NotifyResourceDeploymentStatusChangeInputStatusMessageString!.sensitive).toBe(true);
    expect(sdk.simple.get('StatusMessage')?.sensitive).toBe(true);
  });

  it('marks the same idempotency token members', () => {
    const sdkTokens = new Map<string, string>();
    for (const op of sdk.operations.values()) {
      const token = (sdk.aggregates.get(op.input) as SdkAggregate).members.find((m) => m.idempotencyToken);
      if (token) sdkTokens.set(op.name, token.name);
    }
    const generated = new Map(
      Object.entries(operationsIndex)
        .filter(([, e]) => e.idempotencyToken !== null)
        .map(([op, e]) => [op, e.idempotencyToken!]),
    );
    expect(generated).toEqual(sdkTokens);
    expect(generated.size).toBe(7);
  });

  it('has every SDK error with its HTTP status and fault', () => {
    const sdkErrors = [...sdk.aggregates.values()].filter((a) => a.kind === 'error');
    expect(Object.keys(errorsIndex).sort()).toEqual(sdkErrors.map((a) => a.name).sort());
    for (const e of sdkErrors) expect({ name: e.name, ...errorsIndex[e.name] }).toMatchObject({ name: e.name, ...e.errorTraits });
  });
});

describe('validateInput', () => {
  const validVersion = {
    templateName: 'my-template_1',
    source: { s3: { bucket: 'my.bucket-1', key: 'templates/env.tar.gz' } },
    majorVersion: '1',
    description: 'first version',
    clientToken: 'token-1',
    tags: [{ key: 'team', value: 'platform' }],
  };

  it('accepts a valid request, and a null optional member as absent', () => {
    expect(validateInput('CreateEnvironmentTemplateVersion', validVersion)).toEqual([]);
    expect(validateInput('CreateEnvironmentTemplateVersion', { ...validVersion, description: null, tags: [] })).toEqual([]);
    expect(validateInput('ListEnvironmentTemplates', undefined)).toEqual([]);
    expect(validateInput('CreateEnvironmentTemplate', { name: 'a', provisioning: 'CUSTOMER_MANAGED', displayName: 'A' })).toEqual([]);
  });

  it('required: a missing or null member, at any depth', () => {
    expect(validateInput('CreateEnvironmentTemplate', { name: null })).toEqual([
      {
        path: 'name',
        constraint: 'required',
        message: "Value null at 'name' failed to satisfy constraint: Member must not be null",
      },
    ]);
    expect(pick(validateInput('CreateEnvironmentTemplateVersion', { ...validVersion, source: { s3: { bucket: 'abc' } } }))).toEqual([
      { path: 'source.s3.key', constraint: 'required' },
    ]);
    expect(validateInput('CreateEnvironmentTemplateVersion', { ...validVersion, tags: [{ key: 'a', value: 'b' }, { key: 'k' }] })).toEqual([
      {
        path: 'tags.2.member.value',
        constraint: 'required',
        message: "Value null at 'tags.2.member.value' failed to satisfy constraint: Member must not be null",
      },
    ]);
    expect(
      pick(validateInput('UntagResource', { resourceArn: 'arn:aws:proton:us-east-1:123456789012:service/s', tagKeys: ['a', null] })),
    ).toEqual([{ path: 'tagKeys.2.member', constraint: 'required' }]);
  });

  it('length: strings and lists, both bounds', () => {
    const token = 'x'.repeat(65);
    expect(validateInput('CreateEnvironmentTemplateVersion', { ...validVersion, clientToken: token })).toEqual([
      {
        path: 'clientToken',
        constraint: 'length',
        message: `Value '${token}' at 'clientToken' failed to satisfy constraint: Member must have length less than or equal to 64`,
      },
    ]);
    expect(validateInput('CreateEnvironmentTemplateVersion', { ...validVersion, source: { s3: { bucket: 'abc', key: '' } } })).toEqual([
      {
        path: 'source.s3.key',
        constraint: 'length',
        message: "Value '' at 'source.s3.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
      },
    ]);
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(pick(validateInput('CreateEnvironmentTemplateVersion', { ...validVersion, tags }))).toEqual([
      { path: 'tags', constraint: 'length' },
    ]);
    expect(
      validateInput('UntagResource', { resourceArn: 'arn:aws:proton:us-east-1:123456789012:service/s', tagKeys: Array(51).fill('a') })[0]!
        .message,
    ).toBe(
      `Value '[${Array(51).fill('a').join(', ')}]' at 'tagKeys' failed to satisfy constraint: Member must have length less than ` +
        'or equal to 50',
    );
  });

  it('leaves out the values of sensitive members', () => {
    expect(validateInput('CreateEnvironmentTemplateVersion', { ...validVersion, description: 'd'.repeat(501) })).toEqual([
      {
        path: 'description',
        constraint: 'length',
        message: "Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 500",
      },
    ]);
    expect(validateInput('CreateEnvironmentTemplate', { name: 'a', displayName: '' })[0]!.message).toBe(
      "Value at 'displayName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    // Output is a sensitive structure: its members' values are sensitive too.
    expect(
      validateInput('NotifyResourceDeploymentStatusChange', {
        resourceArn: 'arn:aws:proton:us-east-1:123456789012:environment/e',
        outputs: [{ key: '', valueString: 'v' }],
      }),
    ).toEqual([
      {
        path: 'outputs.1.member.key',
        constraint: 'length',
        message: "Value at 'outputs.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
      },
    ]);
  });

  it('pattern: with the model pattern in the message, including `\\-` inside a class', () => {
    expect(validateInput('CreateEnvironmentTemplateVersion', { ...validVersion, templateName: 'bad name' })).toEqual([
      {
        path: 'templateName',
        constraint: 'pattern',
        message:
          "Value 'bad name' at 'templateName' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
          '^[0-9A-Za-z]+[0-9A-Za-z_\\-]*$',
      },
    ]);
    expect(validateInput('CreateEnvironmentTemplate', { name: 'a-b_c9' })).toEqual([]);
    expect(pick(validateInput('CreateEnvironmentTemplate', { name: '-ab' }))).toEqual([{ path: 'name', constraint: 'pattern' }]);
    expect(pick(validateInput('CreateEnvironmentTemplate', { name: 'a.b' }))).toEqual([{ path: 'name', constraint: 'pattern' }]);
    // S3Bucket `[a-z0-9-\.]`: dash and dot allowed inside, underscore not
    const bucket = (b: string) =>
      pick(validateInput('CreateEnvironmentTemplateVersion', { ...validVersion, source: { s3: { bucket: b, key: 'k' } } }));
    expect(bucket('my.bucket-1')).toEqual([]);
    expect(bucket('my_bucket')).toEqual([{ path: 'source.s3.bucket', constraint: 'pattern' }]);
  });

  it('enum', () => {
    expect(validateInput('CreateEnvironmentTemplate', { name: 'a', provisioning: 'X' })).toEqual([
      {
        path: 'provisioning',
        constraint: 'enum',
        message: "Value 'X' at 'provisioning' failed to satisfy constraint: Member must satisfy enum value set: [CUSTOMER_MANAGED]",
      },
    ]);
    expect(validateInput('ListServiceTemplateVersions', { templateName: 'a', majorVersion: '1', maxResults: 1 })).toEqual([]);
  });

  it('range: integers outside their bounds', () => {
    expect(validateInput('ListEnvironmentTemplates', { maxResults: 0 })).toEqual([
      {
        path: 'maxResults',
        constraint: 'range',
        message: "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
      },
    ]);
    expect(validateInput('ListEnvironmentTemplates', { maxResults: 101 })[0]!.message).toBe(
      "Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
    expect(validateInput('ListEnvironmentTemplates', { maxResults: 100 })).toEqual([]);
  });

  it('type: reported once per value, not once per broken constraint', () => {
    expect(validateInput('ListEnvironmentTemplates', { maxResults: '10' })).toEqual([
      {
        path: 'maxResults',
        constraint: 'type',
        message: "Value '10' at 'maxResults' failed to satisfy constraint: Member must be an integer",
      },
    ]);
    expect(pick(validateInput('ListEnvironmentTemplates', { maxResults: 1.5 }))).toEqual([{ path: 'maxResults', constraint: 'type' }]);
    expect(pick(validateInput('CreateEnvironmentTemplate', { name: 'a', provisioning: 3 }))).toEqual([
      { path: 'provisioning', constraint: 'type' },
    ]);
    expect(pick(validateInput('CreateEnvironmentTemplateVersion', { ...validVersion, tags: { key: 'a', value: 'b' } }))).toEqual([
      { path: 'tags', constraint: 'type' },
    ]);
    expect(pick(validateInput('CreateEnvironmentTemplate', 'name'))).toEqual([{ path: '', constraint: 'type' }]);
  });

  it('unknown-member: requests carry only model members, at any depth', () => {
    expect(validateInput('CreateEnvironmentTemplate', { name: 'a', Name: 'b' })).toEqual([
      {
        path: 'Name',
        constraint: 'unknown-member',
        message: "Value 'b' at 'Name' failed to satisfy constraint: Member is not a member of CreateEnvironmentTemplateInput",
      },
    ]);
    expect(
      pick(
        validateInput('CreateEnvironmentTemplateVersion', { ...validVersion, source: { s3: { bucket: 'abc', key: 'k', region: 'x' } } }),
      ),
    ).toEqual([{ path: 'source.s3.region', constraint: 'unknown-member' }]);
  });

  it('unknown-member: names of Object.prototype are members like any other', () => {
    // Found by the fuzz test: inherited keys must neither throw nor slip through.
    for (const name of ['constructor', 'toString', 'hasOwnProperty']) {
      expect(pick(validateInput('CreateEnvironmentTemplate', { name: 'a', [name]: 'x' }))).toEqual([
        { path: name, constraint: 'unknown-member' },
      ]);
    }
    const withProto = JSON.parse('{"name": "a", "__proto__": {"x": 1}}') as unknown;
    expect(pick(validateInput('CreateEnvironmentTemplate', withProto))).toEqual([{ path: '__proto__', constraint: 'unknown-member' }]);
  });

  it('a huge off-pattern string costs its length check only, not a quadratic pattern test', () => {
    // Found by the fuzz test: 100,000 characters blocked the emulator for seconds.
    const started = performance.now();
    const violations = validateInput('CreateEnvironmentTemplate', { name: `${'a'.repeat(100_000)}!` });
    expect(pick(violations)).toEqual([{ path: 'name', constraint: 'length' }]);
    // Generous bound: the quadratic test takes tens of seconds here.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('union: exactly one member set', () => {
    expect(validateInput('CreateEnvironmentTemplateVersion', { ...validVersion, source: {} })).toEqual([
      {
        path: 'source',
        constraint: 'union',
        message: "Value '{}' at 'source' failed to satisfy constraint: Member must have exactly one union member set",
      },
    ]);
  });

  it('reports several violations in path order', () => {
    const violations = validateInput('CreateEnvironmentTemplate', { name: 'bad name', provisioning: 'X', encryptionKey: 'k' });
    expect(violations.map((v) => v.path)).toEqual(['encryptionKey', 'name', 'provisioning']);
  });

  it('throws on an operation the model does not have', () => {
    expect(() => validateInput('CreateWidget', {})).toThrow(/unknown Proton operation: CreateWidget/);
    expect(() => validateInput('toString', {})).toThrow(/unknown Proton operation/);
    expect(() => validateOutput('CreateWidget', {})).toThrow(/unknown Proton operation/);
  });
});

describe('validateOutput', () => {
  const version = {
    templateName: 'env',
    majorVersion: '1',
    minorVersion: '0',
    status: 'REGISTRATION_IN_PROGRESS',
    arn: 'arn:aws:proton:us-east-1:123456789012:environment-template/env:1.0',
    createdAt: 1700000000.123,
    lastModifiedAt: 1700000000,
  };

  it('accepts valid responses, fractional epoch seconds and empty delete responses', () => {
    expect(validateOutput('CreateEnvironmentTemplateVersion', { environmentTemplateVersion: version })).toEqual([]);
    expect(validateOutput('DeleteEnvironmentTemplate', {})).toEqual([]);
    expect(
      validateOutput('ListEnvironmentTemplates', {
        templates: [{ arn: 'arn:x', name: 'env', createdAt: 1, lastModifiedAt: 2, provisioning: 'CUSTOMER_MANAGED' }],
      }),
    ).toEqual([]);
  });

  it('tolerates members the model does not define, at any depth', () => {
    expect(
      validateOutput('CreateEnvironmentTemplateVersion', {
        environmentTemplateVersion: { ...version, newField: { a: 1 } },
        requestId: 'r',
      }),
    ).toEqual([]);
  });

  it('catches missing required members, wrong types and bad enums', () => {
    const { status: _status, ...withoutStatus } = version;
    expect(pick(validateOutput('CreateEnvironmentTemplateVersion', { environmentTemplateVersion: withoutStatus }))).toEqual([
      { path: 'environmentTemplateVersion.status', constraint: 'required' },
    ]);
    expect(
      validateOutput('CreateEnvironmentTemplateVersion', { environmentTemplateVersion: { ...version, createdAt: '2024-01-01T00:00:00Z' } }),
    ).toEqual([
      {
        path: 'environmentTemplateVersion.createdAt',
        constraint: 'type',
        message:
          "Value '2024-01-01T00:00:00Z' at 'environmentTemplateVersion.createdAt' failed to satisfy constraint: Member must be a " +
          'timestamp in epoch seconds (a number)',
      },
    ]);
    expect(
      pick(validateOutput('CreateEnvironmentTemplateVersion', { environmentTemplateVersion: { ...version, status: 'DONE' } })),
    ).toEqual([{ path: 'environmentTemplateVersion.status', constraint: 'enum' }]);
    expect(pick(validateOutput('ListEnvironmentTemplates', {}))).toEqual([{ path: 'templates', constraint: 'required' }]);
  });

  it('checks unions in responses', () => {
    const deployment = {
      id: '0b4d5a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
      arn: 'arn:x',
      targetArn: 'arn:aws:proton:us-east-1:123456789012:environment/env',
      targetResourceCreatedAt: 1,
      targetResourceType: 'ENVIRONMENT',
      environmentName: 'env',
      deploymentStatus: 'SUCCEEDED',
      createdAt: 1,
      lastModifiedAt: 2,
    };
    const state = { environment: { templateName: 't', templateMajorVersion: '1', templateMinorVersion: '0' } };
    expect(validateOutput('GetDeployment', { deployment: { ...deployment, initialState: state } })).toEqual([]);
    expect(
      pick(validateOutput('GetDeployment', { deployment: { ...deployment, initialState: { ...state, component: { serviceName: 's' } } } })),
    ).toEqual([{ path: 'deployment.initialState', constraint: 'union' }]);
  });
});

describe('errors', () => {
  const EXPECTED: Record<string, number> = {
    AccessDeniedException: 403,
    ConflictException: 409,
    InternalServerException: 500,
    ResourceNotFoundException: 404,
    ServiceQuotaExceededException: 402,
    ThrottlingException: 429,
    ValidationException: 400,
  };

  it('errorStatus gives the model status of every error, bare or as __type', () => {
    for (const [name, status] of Object.entries(EXPECTED)) expect(errorStatus(name)).toBe(status);
    expect(errorStatus('com.amazonaws.proton#ConflictException')).toBe(409);
    expect(errorStatus('ConflictException:http://internal.amazon.com/coral/com.amazon.coral.validate/')).toBe(409);
    expect(errorStatus('UnknownOperationException')).toBeUndefined();
    expect(errorStatus('constructor')).toBeUndefined();
    expect(errorsIndex.InternalServerException!.fault).toBe('server');
    expect(errorsIndex.ValidationException!.fault).toBe('client');
  });

  it('validateError accepts a well-formed error, with `message` or `Message`', () => {
    expect(validateError('ConflictException', 409, { message: 'busy' })).toEqual([]);
    expect(
      validateError('com.amazonaws.proton#ValidationException', 400, {
        __type: 'com.amazonaws.proton#ValidationException',
        Message: 'bad',
      }),
    ).toEqual([]);
  });

  it('validateError flags a wrong status code', () => {
    expect(validateError('ConflictException', 400, { message: 'busy' })).toEqual([
      { path: '', constraint: 'http-status', message: "HTTP status 400 does not match the model's 409 for ConflictException" },
    ]);
  });

  it('validateError flags an unknown type, a mismatching __type and a malformed body', () => {
    expect(pick(validateError('IdempotentParameterMismatchException', 400, { message: 'x' }))).toEqual([
      { path: '', constraint: 'unknown-error' },
    ]);
    expect(pick(validateError('ConflictException', 409, { __type: 'ValidationException', message: 'x' }))).toEqual([
      { path: '__type', constraint: 'error-type' },
    ]);
    expect(pick(validateError('ResourceNotFoundException', 404, {}))).toEqual([{ path: 'message', constraint: 'required' }]);
    // ErrorMessage is sensitive: its value stays out of the message
    expect(validateError('ResourceNotFoundException', 404, { message: 42 })).toEqual([
      { path: 'message', constraint: 'type', message: "Value at 'message' failed to satisfy constraint: Member must be a string" },
    ]);
  });

  it('operationErrors lists the model errors of an operation', () => {
    expect(operationErrors('CreateEnvironmentTemplateVersion')).toEqual(Object.keys(EXPECTED).sort());
    expect(operationErrors('GetEnvironmentTemplate')).not.toContain('ServiceQuotaExceededException');
    expect(() => operationErrors('Nope')).toThrow(/unknown Proton operation/);
  });
});

describe('operations', () => {
  it('idempotencyTokenMember names clientToken for exactly the seven token operations', () => {
    const withToken = operationNames.filter((op) => idempotencyTokenMember(op) !== undefined);
    expect(withToken).toEqual([
      'CreateComponent',
      'CreateEnvironmentAccountConnection',
      'CreateEnvironmentTemplateVersion',
      'CreateServiceInstance',
      'CreateServiceTemplateVersion',
      'UpdateComponent',
      'UpdateServiceInstance',
    ]);
    for (const op of withToken) expect(idempotencyTokenMember(op)).toBe('clientToken');
    expect(idempotencyTokenMember('CreateEnvironmentTemplate')).toBeUndefined();
  });

  it('operations.json records the idempotent trait', () => {
    expect(operationsIndex.DeleteEnvironment!.idempotent).toBe(true);
    expect(operationsIndex.UpdateEnvironment!.idempotent).toBe(false);
    expect(Object.values(operationsIndex).filter((e) => e.idempotent)).toHaveLength(29);
  });
});

describe('formatValidationMessage', () => {
  const v = (message: string): ModelViolation => ({ path: 'p', constraint: 'length', message });

  it('wraps one or several messages as a ValidationException does', () => {
    expect(formatValidationMessage([v('m1')])).toBe('1 validation error detected: m1');
    expect(formatValidationMessage([v('m1'), v('m2')])).toBe('2 validation errors detected: m1; m2');
    expect(formatValidationMessage(validateInput('CreateEnvironmentTemplate', { name: null }))).toBe(
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
  });

  it('refuses an empty list', () => {
    expect(() => formatValidationMessage([])).toThrow(RangeError);
  });
});
