// Reading a JSON report back (`diff`, `merge`): parsed and checked against
// specs/report.schema.json, every problem a one-line UsageError naming the file.
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import schema from '../../specs/report.schema.json' with { type: 'json' };
import { UsageError } from '../errors.ts';
import type { Report } from '../types.ts';

let validator: ReturnType<Ajv['compile']> | undefined;

export async function readReport(file: string, what: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${what}: cannot read ${file} (${(error as { code?: string }).code ?? String(error)})`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what}: ${file} is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  validator ??= new Ajv({ allErrors: false, strict: false }).compile(schema);
  if (!validator(document)) {
    const error = validator.errors?.[0];
    throw new UsageError(
      `${what}: ${file} is not a proton-conformance JSON ` +
        `report (${error ? `${error.instancePath || '/'} ${error.message}` : 'schema'}; specs/report.schema.json)`,
    );
  }
  return document as Report;
}
