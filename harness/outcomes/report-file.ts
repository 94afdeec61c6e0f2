// Reading a JSON report back (`diff`, `merge`): parsed and checked against
// specs/report.schema.json, every problem a one-line UsageError naming the file.
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import schema from '../../specs/report.schema.json' with { type: 'json' };
import { UsageError } from '../errors.ts';
import type { Report } from '../types.ts';

let validator: ReturnType<Ajv['compile']> | undefined;

/** FILE read and parsed; a file that cannot be read or is not JSON is a UsageError that `what` (a flag, a command) begins. */
export async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${what}: cannot read ${file} (${(error as { code?: string }).code ?? String(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what}: ${file} is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

export async function readReport(file: string, what: string): Promise<Report> {
  const document = await readJsonFile(file, what);
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
