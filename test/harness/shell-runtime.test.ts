// The `.sh` reproducers' runtime (reporters/reproducers/shell-runtime.ts): how
// it reads what the AWS CLI printed for an error, in both of the CLI's forms
// (with and without the retry count it adds after retrying), run by bash on
// stderr as the CLI writes it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHELL_RUNTIME } from '../../reporters/reproducers/shell-runtime.ts';

/** A function of the runtime, as bash source. */
function shellFunction(name: string): string {
  const match = new RegExp(`^${name}\\(\\) \\{\\n[\\s\\S]*?^\\}$`, 'm').exec(SHELL_RUNTIME);
  if (!match) throw new Error(`${name} is not in the shell runtime`);
  return match[0];
}

/** error_code and error_message of the runtime on a step whose stderr is `stderr`. */
function readError(stderr: string): { code: string; message: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shell-runtime-'));
  try {
    writeFileSync(join(dir, 'k.err'), stderr);
    const script = `${shellFunction('error_code')}\n${shellFunction('error_message')}\nerror_code k; error_message k`;
    const [code = '', message = ''] = execFileSync('bash', ['-c', script], {
      env: { TMP: dir, PATH: process.env['PATH'] },
      encoding: 'utf8',
    }).split('\n');
    return { code, message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the .sh runtime reads the AWS CLI errors', () => {
  it('as the CLI prints an error it did not retry', () => {
    expect(readError('\nAn error occurred (ValidationException) when calling the CreateService operation: bad: input\n')).toEqual({
      code: 'ValidationException',
      message: 'bad: input',
    });
  });

  it('as the CLI prints an error after its retries, without the retry count', () => {
    const stderr =
      '\nAn error occurred (ConflictException) when calling the CreateEnvironmentTemplate operation (reached max retries: 0): ' +
      "The environment template 't' exists\n";
    expect(readError(stderr)).toEqual({ code: 'ConflictException', message: "The environment template 't' exists" });
  });
});
