// proton-conformance parity: a candidate's answers against the reference
// emulator's, for the whole API, not only the idempotency rules (issue 22,
// docs/parity.md; the comparison is parity/parity.ts). Prints the
// differences per operation; exit 1 when any is not ignored, 0 otherwise,
// 2 on a usage error, 3 when an endpoint does not answer.
import { writeFile } from 'node:fs/promises';
import { EXIT_INTERRUPTED, EXIT_TERMINATED } from '../harness/engine/engine.ts';
import { UsageError } from '../harness/errors.ts';
import { parseEndpoint } from '../harness/target/endpoint.ts';
import { buildCorpus } from '../parity/corpus.ts';
import { runParity } from '../parity/parity.ts';
import { renderHtml, renderJson, renderText } from '../parity/report.ts';
import { integer, nonEmpty, parseSubcommand } from './args.ts';

export const DEFAULT_PARITY_SEED = 1;

export const PARITY_USAGE = `Usage: proton-conformance parity --reference embedded|URL --candidate URL [options]
       proton-conformance parity --reference embedded|URL --record DIR [--seed S]
       proton-conformance parity --snapshot DIR --candidate URL [options]

Sends a seeded corpus of request sequences (creates, gets, lists with paging,
updates, deletes; valid and invalid inputs, missing resources, conflicts) over
every operation the reference emulator implements to both targets in the same
order, normalises each answer (ids, ARNs' account and region, timestamps,
tokens become references that keep identity) and compares the HTTP status,
the error type (with its namespace) and every member by JSON path.

  --reference embedded|URL  the reference: the emulator in this process, or a
                            URL (an emulator started elsewhere)
  --candidate URL           the target compared with it
  --seed S                  the corpus's seed (default ${DEFAULT_PARITY_SEED}): names, tokens, values
  --ignore JSONPATH         drop the differences at this path and under it;
                            * is any one segment ($.body.*.message,
                            $.body.templates[*].description); repeatable
  --json FILE               write the differences and the corpus size as JSON
  --html FILE               write them as an HTML page
  --record DIR              write the reference's normalised answers, one JSON
                            file per sequence (with the suite version and the
                            date); no candidate
  --snapshot DIR            compare the candidate with a recorded snapshot
                            (its sequences and answers); no reference
  --allow-real-account      compare with (and create, change and delete in) a
                            target that may be a real AWS account: a URL not
                            on loopback that does not answer the hooks
                            protocol; without it, refused (exit 2) before any
                            request but that probe. There, only the run's own
                            resources (named parity<tag>-...) are changed
  --quiet                   no progress lines on stderr
  --help                    this text

Signing: a target with the accounts hook (an emulator in open mode) gets a
key id per sequence; any other is signed with the standard AWS chain's
credentials and region (AWS_PROFILE, AWS_REGION, the environment, ...), as
the main command signs (on loopback without a chain: a local default, and
us-east-1). Credentials are never printed.

Targets with the clock and durations hooks (docs/emulator-hooks.md) have their
clocks moved together; without them, asynchronous steps are polled until both
settle. Throttles and 5xx answers are retried, never a difference.

Exit codes: 0 no difference (or recorded); 1 a difference not ignored;
2 usage error; 3 an endpoint does not answer; 130 interrupted (Ctrl-C),
143 terminated (SIGTERM), with no report written.
`;

const OPTIONS = {
  reference: { type: 'string' },
  candidate: { type: 'string' },
  seed: { type: 'string' },
  ignore: { type: 'string', multiple: true },
  json: { type: 'string' },
  html: { type: 'string' },
  record: { type: 'string' },
  snapshot: { type: 'string' },
  quiet: { type: 'boolean' },
  'allow-real-account': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function referenceOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  return raw.trim() === 'embedded' ? 'embedded' : parseEndpoint(raw, '--reference');
}

async function write(file: string | undefined, text: string): Promise<void> {
  if (file === undefined) return;
  try {
    await writeFile(file, text);
  } catch (error) {
    throw new UsageError(`parity: cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export async function runParityCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseSubcommand('parity', argv, OPTIONS);
  if (values.help) {
    process.stdout.write(PARITY_USAGE);
    return 0;
  }
  const seed = values.seed === undefined ? DEFAULT_PARITY_SEED : integer('--seed', values.seed, 0, 2 ** 32 - 1);
  const reference = referenceOf(values.reference);
  const candidate = values.candidate === undefined ? undefined : parseEndpoint(values.candidate, '--candidate');
  const interrupt = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    signalled = signal;
    interrupt.abort(new Error(`interrupted (${signal})`));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const report = await runParity({
      ...(reference === undefined ? {} : { reference }),
      ...(candidate === undefined ? {} : { candidate }),
      ...(values.record === undefined ? {} : { record: nonEmpty('--record', values.record) }),
      ...(values.snapshot === undefined ? {} : { snapshot: nonEmpty('--snapshot', values.snapshot) }),
      seed,
      allowRealAccount: values['allow-real-account'] === true,
      ignore: values.ignore ?? [],
      corpus: (s) => buildCorpus({ seed: s }),
      signal: interrupt.signal,
      ...(values.quiet ? {} : { progress: (line: string) => void process.stderr.write(`${line}\n`) }),
    });
    process.stdout.write(renderText(report));
    await write(values.json, renderJson(report));
    await write(values.html, renderHtml(report));
    return report.differences.length > 0 ? 1 : 0;
  } catch (error) {
    if (signalled === undefined) throw error;
    // Interrupted: what was sent so far is not a comparison; nothing is written.
    process.stderr.write(`proton-conformance: parity: interrupted (${signalled}); no report written\n`);
    return signalled === 'SIGTERM' ? EXIT_TERMINATED : EXIT_INTERRUPTED;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
