// The --help text.
export const USAGE = `Usage: proton-conformance [options]

Checks an endpoint against the idempotency contract of the AWS Proton API
(every rule on every operation of its category) and prints a matrix of
verdicts, the evidence of every failure, and a summary.

Target (first that is set):
  --endpoint URL        the target, e.g. http://127.0.0.1:4566
  AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL, a profile's endpoint_url
                        as the AWS SDK reads them
  (none)                the embedded reference emulator, on an ephemeral port
  Region and credentials come from the standard AWS chain.

Selection:
  --rules PATTERN       rule ids to run: comma-separated globs or substrings
                        (client-token/*, async-delete/retry-in-progress)
  --operations LIST     comma-separated operation names (CreateEnvironment,...)

Properties:
  --num-runs N          runs per property (default 100)
  --seed S              fast-check seed (default random; printed, so a run
                        can be repeated exactly)
  --path P              with --seed, one rule and one operation: replay the
                        single property case P (printed with each failure)

Output and execution:
  --json FILE           also write the JSON report (specs/report.schema.json)
  --concurrency N       cells run at once (default 12; 4 for a remote target)
  --cell-timeout S      seconds a cell may take (default 60; 900 for a remote target)
  --help                this text

Exit codes: 0 no MUST rule fails (the summary says when cells were skipped
or inconclusive: not every rule was checked); 1 a MUST rule fails; 2 usage or
configuration error; 3 the target is unreachable; 4 internal error (a bug in
proton-conformance: please report it); 130 interrupted.
`;
