// `proton-conformance verify DIR`: one line, CONFORMANT or NOT CONFORMANT:
// <why>, for a bundle --certify DIR wrote (harness/outcomes/verify.ts); exit
// 0 or 1, 2 on a usage error.
import { UsageError } from '../harness/errors.ts';
import { verificationLine, verifyBundle } from '../harness/outcomes/verify.ts';
import { parseSubcommand } from './args.ts';
import { VERIFY_USAGE } from './usage.ts';

export async function runVerify(argv: readonly string[]): Promise<number> {
  const parsed = parseSubcommand('verify', argv, { help: { type: 'boolean', short: 'h' } }, true);
  if (parsed.values.help) {
    process.stdout.write(VERIFY_USAGE);
    return 0;
  }
  if (parsed.positionals.length !== 1) throw new UsageError('verify: give one bundle: verify DIR (the DIR of --certify DIR)');
  const result = await verifyBundle(parsed.positionals[0]!);
  process.stdout.write(`${verificationLine(result)}\n`);
  return result.conformant ? 0 : 1;
}
