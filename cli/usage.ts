// The --help text.
export const USAGE = `Usage: proton-conformance [options]
       proton-conformance sweep [options]   (see proton-conformance sweep --help)
       proton-conformance proxy --target URL [--port N] [--faults SPEC] [--seed S]   (see proton-conformance proxy --help)
       proton-conformance diff OLD.json NEW.json
       proton-conformance merge A.json B.json ... [options]   (see proton-conformance merge --help)
       proton-conformance parity --reference embedded|URL --candidate URL   (see proton-conformance parity --help)
       proton-conformance verify DIR   (see proton-conformance verify --help)

Checks an endpoint against the idempotency contract of the AWS Proton API
(every rule on every operation of its category) and prints a matrix of
verdicts, the evidence of every failure, and a summary.

Target (first that is set):
  --endpoint URL        the target, e.g. http://127.0.0.1:4566 (no path: one
                        is a configuration error, exit 2)
  --endpoint aws        the AWS SDK's default Proton endpoint for the region
                        (https://proton.<region>.amazonaws.com)
  AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL, a profile's endpoint_url
                        as the AWS SDK reads them
  (none)                the embedded reference emulator, on an ephemeral port
  Region and credentials come from the standard AWS chain, judged as the
  AWS CLI judges them: a profile no file holds (AWS_PROFILE), a region that
  is not one, and no region for --endpoint aws or any target that may be a
  real account are exit 2. An emulator's run without a region signs for
  us-east-1, and its header says so.

Real targets (anything not on loopback 127.0.0.0/8, ::1, localhost, unless
it answers the hooks protocol's GET /_conformance/v1/capabilities as an
emulator does; and aws):
  --allow-real-account  required: without it the run stops before any
                        request (exit 2). The run prints the account (STS
                        GetCallerIdentity), region and endpoint first.
  --account ID          the 12-digit account the credentials must act in
                        (exit 2 on a mismatch or when it cannot be told)
  --cleanup-timeout S   seconds the end-of-run cleanup may take (default 300)
  Every delete is checked first by the ownership guard (name prefix
  pc<run id>- and tag proton-conformance:run); after the run (also after
  Ctrl-C or SIGTERM) everything it created is removed. Test-only:
  PROTON_CONFORMANCE_TREAT_AS_REMOTE=1 makes a loopback endpoint count as remote.

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

Rerunning what failed:
  --rerun-failed REPORT.json
                        run only the cells of that JSON report (--json) that
                        did not pass (fail, warn, inconclusive, skipped), with
                        its seed and runs per property; a property cell that
                        printed a replay path replays that shrunk case alone.
                        The summary says which are fixed (pass now) and which
                        still do not pass. Not with --rules, --operations,
                        --path, --shard or --phase; a report of another suite
                        version, or one where every cell passed, is exit 2

Expiry without clock control (a target without the clock hook):
  --phase record        run client-token/expiry's first half: create the
                        originals, retry each right away, keep them, and
                        write --state FILE (no secret in it; refused if FILE
                        exists); prints when verify may run
  --phase verify        at least 8 h after the latest original request
                        ended (exit 2 before then, sending nothing): retry
                        each with the same token and input (a new resource),
                        then remove everything the record run made; endpoint
                        and region come from FILE
  --state FILE          the state file record writes and verify reads
                        (schema specs/expiry-state.schema.json)

Output and execution:
  --json FILE           also write the JSON report (specs/report.schema.json)
  --junit FILE          also write JUnit XML (one testcase per cell, a
                        testsuite per category; for CI servers)
  --html FILE           also write one self-contained HTML page (matrix,
                        filters, every failure with its requests and responses)
  --markdown FILE       also write a Markdown summary (under 1 MiB: past
                        that, failures are listed without their details)
  --reproducers DIR     for every cell that fails or warns, a standalone
                        script pair: DIR/<name>.mjs (Node, only
                        @aws-sdk/client-proton: --endpoint URL) and
                        DIR/<name>.sh (bash, AWS CLI v2: endpoint first);
                        each exits 1 while the target breaks the rule, 0
                        once fixed; DIR/index.json lists them, and the
                        --html and --markdown reports link them
  --summary             append the Markdown summary to $GITHUB_STEP_SUMMARY
                        (when that is set; without --summary nothing is
                        written there: give it to merge, not to the shards)
  --quiet               print only the failures' headlines and the summary
                        line (the reports are written as usual)
  --shard i/n           run the i-th of n disjoint parts of the cells (the
                        same flags give the same parts; join the shards' JSON
                        reports with proton-conformance merge)
  --concurrency N       cells run at once (default 12; 4 for a remote target)
  --cell-timeout S      seconds a cell may take (default 60; 900 for a remote target)
  --wait-for-target D   probe the endpoint until it answers, at most D (60s,
                        2m), then start: a service still starting is waited
                        for; exit 3 only when it has not answered by then
  --budget DURATION     the time a run against a slow target is sized to fit
                        (default 5m; 300, 300s, 5m, 1h): the target's round
                        trip is measured first, and when it is 30 ms or more
                        the runs per property, concurrency and cell timeout
                        are chosen by it (header and report; flags win;
                        docs/slow-targets.md)

Known failures:
  --expect FILE         failures named in FILE (rule, operation, reason,
                        optional link; specs/expectations.schema.json) do
                        not fail the run; an entry whose cell passes is "fixed"
  --strict-expectations with --expect: a fixed entry fails the run (exit 1)
  --write-expectations FILE
                        write FILE naming every failure of this run

A result a reviewer can verify:
  --certify DIR         also write a bundle to DIR (new or empty): report.json,
                        junit.xml, console.log (stdout and stderr, without
                        colour codes or credentials), target.json, versions.json
                        (suite and contract versions), the --expect file as
                        expectations.json, and SHA256SUMS over them; check it
                        with proton-conformance verify DIR
  --target-name NAME    with --certify: the target's name in target.json
  --target-version V    with --certify: the target's version in target.json

A strict gate:
  --fail-on LIST        skipped, inconclusive or both (skipped,inconclusive):
                        cells with those verdicts fail the run (exit 1) unless
                        --expect names them; merge keeps the shards' list
  --require-capabilities LIST
                        hooks the target must offer (clock, durations, reset,
                        counts, accounts): exit 2 before any cell, naming
                        what is missing

A target without a clock (no hooks: a real account, a hosted service):
  --expect-durations D  the durations its asynchronous steps are expected to
                        take: real/N (typical real ones over N; default real)
                        and/or name=ms,...; the run is rehearsed with them
                        first and prints its plan (resources, requests,
                        critical path); every cell runs at once, 10 runs per
                        property unless --num-runs
  --wait-timeout S      seconds one wait on an asynchronous step may last
                        (default 1800); longer: the cell is inconclusive
  --max-live-resources N
                        at most N of the run's resources at once: creates
                        wait for the run's own deletions

Template bundles (a target that reads them from S3, as AWS Proton does):
  --bundle-bucket NAME  upload the suite's template bundles (fixtures/
                        templates) to this bucket once per run, create every
                        template version from them, remove them at the end;
                        S3 is reached with the standard chain (credentials,
                        region, AWS_ENDPOINT_URL_S3 for an S3-compatible one)
  --bundle-prefix P     key prefix in the bucket (default proton-conformance/);
                        the run's keys are P + pc<run id>/...
  Without a bucket, versions name placeholder objects; a remote target is
  asked first (one template version) whether it reads them, and a run that
  needs a bucket stops there (exit 2). --endpoint aws always needs one.
  --help                this text

Exit codes: 0 no MUST rule fails (the summary says when cells were skipped
or inconclusive: not every rule was checked); 1 a MUST rule fails, or a cell
has a verdict --fail-on names; 2 usage or
configuration error; 3 the target is unreachable; 4 internal error (a bug in
proton-conformance: please report it); 130 interrupted (Ctrl-C); 143
terminated (SIGTERM).
`;

export const SWEEP_USAGE = `Usage: proton-conformance sweep [options]

Finds what earlier runs left on a target (resources named pc<run id>-...
and tagged proton-conformance:run=<run id>; a connection by its tag), lists
it, and with --yes removes it: services, environments, environment account
connections, template versions (a template's recommended version last),
templates, waiting for asynchronous deletes within a bound.

  --endpoint URL|aws    the target (else AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL)
  --allow-real-account  required for a remote endpoint (as for a run)
  --account ID          the 12-digit account the credentials must act in
  --run ID              only this run's resources (default: any run's)
  --older-than DURATION only runs at least this old (90m, 2h, 7d, 1h30m), by
                        the run id's time or the resource's createdAt
  --yes                 remove them (default: a dry run that only lists)
  --cleanup-timeout S   seconds the removal may take (default 300)
  --bundle-bucket NAME  also the runs' template bundles left in this bucket
                        (keys under --bundle-prefix + pc<run id>/; nothing else)
  --bundle-prefix P     the runs' key prefix (default proton-conformance/)
  --help                this text

Exit codes: 0 nothing left to remove (or a dry run); 1 something could not
be removed (listed); 2 usage or configuration error; 3 unreachable target.
`;

export const DIFF_USAGE = `Usage: proton-conformance diff OLD.json NEW.json

Compares two JSON reports (--json) cell by cell (rule x operation) and lists
what got worse, what got better, what is new and what is gone. Verdicts rank
pass < skipped < inconclusive < warn < fail.

Exit codes: 0 no regression; 1 a cell got worse, or a new cell fails or
warns; 2 usage error (a file that is not a report).
`;

export const MERGE_USAGE = `Usage: proton-conformance merge A.json B.json ... [options]

Joins the JSON reports of the shards of one run (--shard i/n, every shard
once) into one report and one verdict, printed as a run prints it.

  --json FILE           write the merged JSON report
  --junit FILE          write JUnit XML
  --html FILE           write the HTML report
  --markdown FILE       write Markdown (under 1 MiB)
  --reproducers DIR     write the failing cells' reproducers, as for a run
  --expect FILE         known failures, as for a run
  --strict-expectations with --expect: a fixed entry fails the merge
  --summary             append the Markdown summary to $GITHUB_STEP_SUMMARY
                        (when that is set): the one summary of the shards
  --quiet               print only the failures' headlines and the summary line
  --help                this text

Shards that differ in target, seed, --rules, --operations, runs per
property or suite version, or were run without --seed, are refused (exit 2,
naming the difference and the two files).

Exit codes: 0 no MUST cell fails (or every failure is expected); 1 a MUST
cell fails; 2 usage error (a shard missing or twice, shards of different
runs, a file not a report).
`;

export const VERIFY_USAGE = `Usage: proton-conformance verify DIR

Checks a bundle written by --certify DIR and prints one line: CONFORMANT,
or NOT CONFORMANT: <why>. It checks that
  - SHA256SUMS lists every file of DIR and each matches its SHA-256;
  - the suite version is a release this verifier knows, and its contract
    (the one that release checks) is the one this verifier checks: a
    bundle of an earlier release of the same contract verifies;
  - the report is of a whole, finished run: not narrowed by --rules,
    --operations, --shard, --path or --rerun-failed, not interrupted, its
    summary, target.json and junit.xml agreeing with its results;
  - every MUST cell of the contract (every MUST rule on every operation it
    applies to) was run and passed, or is declared in the bundle's
    expectations.json (the --expect file of the run). A skipped or
    inconclusive MUST cell was not checked: it counts as not passed unless
    declared there. CONFORMANT says how many declared cells it accepted.

Exit codes: 0 CONFORMANT; 1 NOT CONFORMANT; 2 usage error (no such directory).
`;
