// One AWS CLI talking to one emulator account: `aws proton ...` with the
// endpoint and JSON output filled in, plus the emulator hooks of that account
// (docs/emulator-hooks.md, through the harness's client) to move its clock.
import { Pool } from 'undici';
import { expect } from 'vitest';
import { createHooks } from '../../harness/target/hooks.ts';
import type { Hooks } from '../../harness/types.ts';
import { cliSandbox, runCli } from './aws-cli.ts';
import type { AwsCli, CliResult, CliSandbox } from './aws-cli.ts';

/** What a CLI exits with when the service answered an error. */
function serviceErrorExitCode(cli: AwsCli): number {
  return cli.major === 2 ? 254 : 255;
}

export class CliSession {
  private readonly sandbox: CliSandbox;
  private readonly pool: Pool;
  readonly hooks: Hooks;

  constructor(
    readonly cli: AwsCli,
    /** Access key id: picks the emulator account (12 digits: the account id itself). */
    readonly account: string,
    readonly endpoint: string,
  ) {
    this.sandbox = cliSandbox(account);
    this.pool = new Pool(endpoint);
    this.hooks = createHooks({ endpoint, pool: this.pool, capabilities: new Set(['clock', 'durations', 'counts']), account });
  }

  async dispose(): Promise<void> {
    this.sandbox.dispose();
    await this.pool.close();
  }

  run(args: readonly string[]): Promise<CliResult> {
    return runCli(this.cli.path, ['proton', ...args, '--endpoint-url', this.endpoint, '--output', 'json'], this.sandbox.env);
  }

  /** Runs a call that must succeed; its stdout parsed (an empty output is `{}`). */
  async ok<T>(args: readonly string[]): Promise<T> {
    const result = await this.run(args);
    if (result.code !== 0) {
      throw new Error(`aws proton ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
    }
    return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as T;
  }

  /**
   * Runs a call that must fail with `errorType`: the CLI's exit code for a
   * service error, and botocore's message naming the parsed error code.
   */
  async fails(args: readonly string[], operation: string, errorType: string): Promise<string> {
    const result = await this.run(args);
    expect(result.code, result.stderr).toBe(serviceErrorExitCode(this.cli));
    // With a retry limit set, botocore adds "(reached max retries: N)" before the colon.
    const pattern = /An error occurred \((\w+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?: (.+)/;
    const match = pattern.exec(result.stderr);
    expect(match, result.stderr).not.toBeNull();
    expect(match?.[1]).toBe(errorType);
    expect(match?.[2]).toBe(operation);
    return match?.[3] ?? '';
  }

  /** Jumps the account's clock past the named transition. */
  async passDuration(name: string): Promise<void> {
    const ms = (await this.hooks.getDurations())[name];
    expect(ms, `duration ${name}`).toBeTypeOf('number');
    await this.hooks.advance((ms ?? 0) + 1);
  }
}
