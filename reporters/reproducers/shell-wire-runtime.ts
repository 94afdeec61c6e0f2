// The part of a `.sh` reproducer that a wire case needs (issue 21; wire.ts):
// the rounds (the script runs itself once per round, fresh names and tokens
// each), `proton-conformance proxy --faults KIND@first` in front of the
// endpoint, the AWS CLI's retries, the late retries, and the judging of every
// answer: the CLI's, and the target's to each faulted delivery as the proxy's
// line for it reports them. Written into the script after SHELL_RUNTIME
// (shell.ts), whose `call`, `col`, `error_code` and `describe` it uses.
import { quote } from './shell.ts';
import type { Step } from './steps.ts';

export const SHELL_WIRE_RUNTIME = String.raw`
# A wire case runs once per round, each a run of this script with fresh names and tokens, until one breaks the rule.
if [[ -z ${'$'}{WIRE_ROUND:-} ]] && (( WIRE_ROUNDS > 1 )); then
  completed=0
  for (( round = 1; round <= WIRE_ROUNDS; round++ )); do
    echo "round $round of $WIRE_ROUNDS"
    WIRE_ROUND=$round bash "$0" "$EP"
    rc=$?
    (( rc == 1 )) && exit 1
    (( rc == 0 )) && completed=1
  done
  (( completed == 1 )) && exit 0
  exit 2
fi
WIRE_AT=$(( (${'$'}{WIRE_ROUND:-1} - 1) % ${'$'}{#WIRE_FAULTS[@]} ))
WIRE_FAULT=${'$'}{WIRE_FAULTS[WIRE_AT]}
WIRE_MODE=${'$'}{WIRE_MODES[WIRE_AT]}
[[ -n $WIRE_FAULT ]] && echo "wire fault: $WIRE_FAULT on the first delivery, then the $WIRE_MODE retry"

# A target that fails on its own after acting (server-error-retry): a create, update or delete the case builds on is sent
# with the CLI's retries, and a resend after the target's own 5xx or throttle that then fails breaks the rule too.
if [[ -n $WIRE_COUNTER ]]; then
  eval "original_$(declare -f call)"
  call() {
    local attempts=${'$'}{CALL_ATTEMPTS:-}
    [[ -z $attempts && $2 =~ ^(create|update|delete)- ]] && attempts=3
    CALL_ATTEMPTS=$attempts original_call "$@"
  }
  eval "original_$(declare -f judge)"
  judge() {
    local k=$1 arg
    local -a args=()
    if [[ $(cat "$TMP/$k.rc") != 0 ]] && ! wire_weather "$k" && grep -q -E 'reached max retries: [1-9]' "$TMP/$k.err"; then
      for arg in "$@"; do [[ $arg == precondition ]] || args+=("$arg"); done
      echo "  (step $(( k + 1 )): the resend after the target's own 5xx or throttle failed)"
      original_judge "${'$'}{args[@]}"
    else
      original_judge "$@"
    fi
  }
fi

# Whether step K's answer is weather: no answer, a 5xx, a throttle.
wire_weather() {
  local code
  [[ $(cat "$TMP/$1.rc") == 0 ]] && return 1
  code=$(error_code "$1")
  [[ -z $code || $code == Throttling* || $code == InternalServer* || $code == ServiceUnavailable* ]] && return 0
  grep -q -E '\(50[0-9]\)|\(429\)' "$TMP/$1.err"
}

# Sends step K's request as the case's client does, then again (explicit) while the answer is weather, at most five times.
wire_send() {
  local k=$1 attempts=1 retry
  [[ $WIRE_MODE != explicit ]] && attempts=3
  CALL_ATTEMPTS=$attempts call "$@"
  [[ $WIRE_MODE == harness ]] && return 0
  for (( retry = 1; retry <= 5; retry++ )); do
    wire_weather "$k" || return 0
    CALL_ATTEMPTS=1 call "$@"
  done
}

# The proxy's line for the faulted delivery, once the delivery is over (a late original goes last): polled, at most 6 s.
wire_line() {
  local i
  for (( i = 0; i < 60; i++ )); do
    grep -m 1 'proton-conformance proxy: #' "$TMP/wire.err" 2> /dev/null && return 0
    sleep 0.1
  done
}

# Step K: OP with INPUT through the proxy, the client's retries, then the late retries; answers in $TMP/K*, the line.
wire_call() {
  local k=$1 op=$2 input=$3 query=$4 names=$5 CALL_EP=$EP
  if [[ -n $WIRE_FAULT ]]; then
    in_group "$TMP/wire.pid" ${'$'}{PROTON_CONFORMANCE:-proton-conformance} proxy --target "$EP" --faults "$WIRE_FAULT@first" \
      > "$TMP/wire.out" 2> "$TMP/wire.err"
    local i=0
    while [[ ! -s $TMP/wire.out ]] && (( i++ < 300 )); do sleep 0.1; done
    [[ -s $TMP/wire.out ]] || { echo "the proxy did not start: $(cat "$TMP/wire.err")" >&2; exit 2; }
    CALL_EP=$(head -n 1 "$TMP/wire.out")
  fi
  CALL_EP=$CALL_EP wire_send "$k" "$op" "$input" "$query" "$names"
  if [[ -n $WIRE_LATE ]]; then
    # Once the original's processing has ended (a forward the proxy aborted: a few settle times), then after the backoff.
    [[ -n $WIRE_FAULT ]] && wire_line > /dev/null
    grep -q 'no answer' "$TMP/wire.err" 2> /dev/null && sleep "$WIRE_SETTLE"
    CALL_EP=$CALL_EP WIRE_MODE=explicit wire_send "${'$'}{k}_settled" "$op" "$input" "$query" "$names"
    sleep "$WIRE_BACKOFF"
    CALL_EP=$CALL_EP WIRE_MODE=explicit wire_send "${'$'}{k}_backoff" "$op" "$input" "$query" "$names"
  fi
  if [[ -n $WIRE_FAULT ]]; then
    wire_line > "$TMP/wire.line"
    stop_group "$TMP/wire.pid"
  fi
  echo "$(col "$k" arn)" > "$TMP/wire.arn"
}

# Why one answer misses the case (nothing when it meets it): SOURCE, then ok ARN | error CODE | empty | weather.
wire_miss() {
  local source=$1 kind=$2 value=${'$'}{3:-}
  case $kind in
    weather) return ;;
    empty) [[ $WIRE_KIND == create ]] && echo "$source succeeded without the resource" ;;
    ok)
      if [[ $WIRE_KIND == create ]]; then
        [[ -s $TMP/wire.named ]] && ! grep -q -x -F "$value" "$TMP/wire.named" && echo "$source names another resource ($value)"
        echo "$value" >> "$TMP/wire.named"
      fi ;;
    error)
      if [[ $value == ValidationException ]]; then echo "$source called an identical request invalid: $value"
      elif [[ -z $WIRE_REFUSALS ]]; then echo "$source was to succeed: $value"
      fi ;;
  esac
}

# One CLI answer (step K) as wire_miss takes it.
wire_answer() {
  local k=$1 source=$2
  [[ -f $TMP/$k.rc ]] || return 0
  if wire_weather "$k"; then wire_miss "$source" weather
  elif [[ $(cat "$TMP/$k.rc") != 0 ]]; then wire_miss "$source" error "$(error_code "$k")"
  elif [[ $(col "$k" arn) == None ]]; then wire_miss "$source" empty
  else wire_miss "$source" ok "$(col "$k" arn | sed 's/.*[:/]//')"
  fi
}

# Step K judged: every answer a success naming one resource (a create) or empty or naming it (a delete), or weather.
wire_judge() {
  local k=$1 op=$2 why=$3 problems='' found part answers
  : > "$TMP/wire.named"
  local got='' count=0
  for part in "$k:the client" "${'$'}{k}_settled:the retry once the original's processing had ended" \
    "${'$'}{k}_backoff:the retry after the backoff"; do
    [[ -f $TMP/${'$'}{part%%:*}.rc ]] || continue
    got+=$'\n'"    ${'$'}{part#*:}: $(describe "${'$'}{part%%:*}")"
    count=$(( count + 1 ))
    found=$(wire_answer "${'$'}{part%%:*}" "${'$'}{part#*:}")
    [[ -n $found ]] && problems+="${'$'}{problems:+; }$found"
  done
  if [[ -s $TMP/wire.line ]]; then
    got+=$'\n'"    the proxy: $(sed 's/^proton-conformance proxy: //' "$TMP/wire.line")"
    answers=$(sed -n 's/.*; target: \(.*\); the client .*/\1/p' "$TMP/wire.line")
    local IFS=$'\n' answer source="the target's answer to the faulted delivery"
    for answer in $(printf '%s\n' "$answers" | sed 's/, \([A-Z]\)/\n\1/g'); do
      found=''
      case $answer in
        'no answer'*|'not forwarded'*) ;;
        'HTTP 2'*' naming '*) found=$(wire_miss "$source" ok "$(printf '%s' "${'$'}{answer#* naming }" | sed 's/ (.*//; s/.*[:/]//')") ;;
        'HTTP 2'*) found=$(wire_miss "$source" empty) ;;
        'HTTP 5'*|*'(HTTP 5'*|*'(HTTP 429)'*|Throttling*) found='' ;;
        *) found=$(wire_miss "$source" error "${'$'}{answer%% (*}") ;;
      esac
      [[ -n $found ]] && problems+="${'$'}{problems:+; }$found"
    done
  fi
  if [[ -n $problems ]]; then echo "step $(( k + 1 )) $op BROKEN"; else echo "step $(( k + 1 )) $op as expected"; fi
  echo "  expected: $why"
  echo "  got:      $count answers of the client's, and what the proxy saw:$got"
  if [[ -n $problems ]]; then
    echo "  broken:   $problems"
    BROKEN=$(( BROKEN + 1 ))
  fi
}
`;

/** The wire case's data, as the lines of a `.sh` before its runtime (none when the reproducer has no wire step). */
export function wireShellData(steps: readonly Step[]): string[] {
  const all = steps.flatMap((step) => (step.kind === 'call' ? (step.wire ?? []) : []));
  const [first] = all;
  if (!first) return [];
  // The cases in turn, each as many times as its rounds (one run of the script each).
  const most = Math.max(...all.map((c) => c.rounds));
  const cases = Array.from({ length: most }, (_, round) => all.filter((c) => c.rounds > round)).flat();
  // The .sh puts the fault of the first delivery only (`KIND@first`), and sends one client's request.
  const faults = cases.map((c) => c.schedule.find((rule) => rule.n === 1)?.fault ?? '');
  const late = first.late;
  return [
    `WIRE_FAULTS=(${faults.map(quote).join(' ')})`,
    `WIRE_MODES=(${cases.map((c) => quote(c.modes[0] ?? 'sdk')).join(' ')})`,
    `WIRE_ROUNDS=${cases.length}`,
    `WIRE_KIND=${first.kind}`,
    `WIRE_REFUSALS=${first.refusals ? '1' : "''"}`,
    `WIRE_COUNTER=${first.counter ? '1' : "''"}`,
    `WIRE_LATE=${late ? '1' : "''"}`,
    `WIRE_SETTLE=${late ? ((late.settleFloorMs * late.settleReads) / 1000).toFixed(3) : '0'}`,
    `WIRE_BACKOFF=${late ? (late.backoffMs / 1000).toFixed(3) : '0'}`,
  ];
}
