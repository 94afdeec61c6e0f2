// The part every `.sh` reproducer shares (issue 21): fresh names and tokens,
// one AWS CLI call per step (its answer read with --query into columns),
// the hooks through curl, the judging of each step, the removal of what it
// made (trap), and the exit code. Written into each script after its data.

export const SHELL_RUNTIME = String.raw`
shopt -u patsub_replacement 2>/dev/null || true
EP=${'$'}{1:-}
if [[ -z $EP || $EP == -h || $EP == --help ]]; then
  echo "usage: bash $0 ENDPOINT_URL   (credentials and region: the standard AWS chain; AWS_CLI picks the aws v2 binary)" >&2
  exit 2
fi
EP=${'$'}{EP%/}
AWS=${'$'}{AWS_CLI:-aws}
if ! "$AWS" --version 2>&1 | grep -q '^aws-cli/2'; then
  echo "this script needs the AWS CLI v2 ($AWS is $("$AWS" --version 2>&1 | head -n 1)); set AWS_CLI to its path" >&2
  exit 2
fi
export AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard AWS_PAGER=''
TMP=$(mktemp -d)
RUN=''
while (( ${'$'}{#RUN} < RUN_LENGTH )); do
  chars=0123456789abcdefghijklmnopqrstuvwxyz
  RUN+=${'$'}{chars:RANDOM%36:1}
done
BROKEN=0
UNMET=0
SAVED_DURATIONS=''
HOOK_KEY=''

# Replaces every FROM in TEXT with TO, literally.
replace_all() {
  local text=$1 from=$2 to=$3 out=''
  while [[ $text == *"$from"* ]]; do
    out+=${'$'}{text%%"$from"*}$to
    text=${'$'}{text#*"$from"}
  done
  printf '%s' "$out$text"
}

json_escape() {
  local text
  text=$(replace_all "$1" '\' '\\')
  replace_all "$text" '"' '\"'
}

# A fresh token of the same length and kinds of character (a UUID keeps its version and variant).
fresh_like() {
  local token=$1 out='' c i uuid=0
  [[ $token =~ ^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$ ]] && uuid=1
  for (( i = 0; i < ${'$'}{#token}; i++ )); do
    c=${'$'}{token:i:1}
    if (( uuid == 1 && (i == 14 || i == 19) )); then out+=$c
    elif [[ $c == [0-9] ]]; then out+=$(( RANDOM % 10 ))
    elif [[ $c == [a-f] ]]; then local s=abcdef; out+=${'$'}{s:RANDOM%6:1}
    elif [[ $c == [A-F] ]]; then local s=ABCDEF; out+=${'$'}{s:RANDOM%6:1}
    elif [[ $c == [a-z] ]]; then local s=ghijklmnopqrstuvwxyz; out+=${'$'}{s:RANDOM%20:1}
    elif [[ $c == [A-Z] ]]; then local s=GHIJKLMNOPQRSTUVWXYZ; out+=${'$'}{s:RANDOM%20:1}
    else out+=$c
    fi
  done
  printf '%s' "$out"
}

FRESH=()
for t in "${'$'}{TOKENS[@]}"; do FRESH+=("$(fresh_like "$t")"); done

# The n-th fresh token in the letter case of LIKE, JSON-escaped.
token() {
  local fresh=${'$'}{FRESH[$1]} like=$2 out='' c m i
  for (( i = 0; i < ${'$'}{#fresh}; i++ )); do
    c=${'$'}{fresh:i:1}; m=${'$'}{like:i:1}
    if [[ $m == [A-Z] ]]; then out+=${'$'}{c^^}
    elif [[ $m == [a-z] ]]; then out+=${'$'}{c,,}
    else out+=$c
    fi
  done
  json_escape "$out"
}

# Column NAME of step K's answer.
col() {
  local k=$1 name=$2 i
  local -a names values
  [[ -f $TMP/$k.names ]] || return 0
  read -r -a names < "$TMP/$k.names"
  IFS=$'\t' read -r -a values < "$TMP/$k.out"
  for i in "${'$'}{!names[@]}"; do
    if [[ ${'$'}{names[i]} == "$name" ]]; then printf '%s' "${'$'}{values[i]:-None}"; return 0; fi
  done
}

answer() {
  local value
  value=$(col "$1" "$2")
  if [[ -z $value || $value == None ]]; then echo "step $(( $1 + 1 )) answered no ${'$'}{2#ref:}" >&2; exit 2; fi
  json_escape "$value"
}

put() {
  replace_all "$1" "$2" "$3"
}

# 'environment-template-version' -> 'environmentTemplateVersion'.
camel() {
  local out='' part first=1
  local IFS=-
  for part in $1; do
    if (( first == 1 )); then out+=$part; first=0; else out+=${'$'}{part^}; fi
  done
  printf '%s' "$out"
}

# Sends step K: aws proton OP with INPUT; its answer's columns (QUERY, NAMES) go to $TMP/K.*.
call() {
  local k=$1 op=$2 input query names
  input=$(replace_all "$3" "$RUN_MARK" "$RUN")
  query=$(replace_all "$4" "$RUN_MARK" "$RUN")
  names=$5
  printf '%s\n' "$names" > "$TMP/$k.names"
  AWS_MAX_ATTEMPTS=${'$'}{CALL_ATTEMPTS:-1} "$AWS" proton "$op" --endpoint-url "${'$'}{CALL_EP:-$EP}" --cli-input-json "$input" \
    --query "$query" --output text > "$TMP/$k.out" 2> "$TMP/$k.err"
  echo $? > "$TMP/$k.rc"
  if [[ $op == create-* && $(cat "$TMP/$k.rc") == 0 ]]; then
    local member removal
    member=$(camel "${'$'}{op#create-}")
    removal=REMOVAL_$member
    [[ -n ${'$'}{!removal:-} ]] && echo "$member $k" >> "$TMP/made"
  fi
}

# Runs COMMAND... in the background in a process group of its own where setsid exists, its pid in PIDFILE: stopping the
# group stops what the command started too (PROTON_CONFORMANCE="npx proton-conformance" runs the proxy as npx's child).
in_group() {
  local pidfile=$1; shift
  if command -v setsid > /dev/null 2>&1; then setsid "$@" & else "$@" & fi
  echo $! > "$pidfile"
}

# Stops what in_group started (its group; the process alone where there was no setsid).
stop_group() {
  local pid
  pid=$(cat "$1" 2> /dev/null) || return 0
  [[ -n $pid ]] || return 0
  kill -- "-$pid" 2> /dev/null || kill "$pid" 2> /dev/null
  return 0
}

# Starts proton-conformance proxy in front of the endpoint with ARGS, as $TMP/NAME.* (stopped on exit); polls for its URL.
start_proxy() {
  local name=$1; shift
  in_group "$TMP/$name.pid" ${'$'}{PROTON_CONFORMANCE:-proton-conformance} proxy --target "$EP" --quiet "$@" \
    > "$TMP/$name.out" 2> "$TMP/$name.err"
  local i
  for (( i = 0; i < 300; i++ )); do
    if [[ -s $TMP/$name.out ]]; then head -n 1 "$TMP/$name.out" > "$TMP/$name.url"; break; fi
    sleep 0.1
  done
  [[ -s $TMP/$name.url ]] || { echo "the proxy did not start: $(cat "$TMP/$name.err")" >&2; exit 2; }
}

# The URL of a proxy in front of the endpoint that loses the first response to each distinct request (started once).
lossy_proxy() {
  [[ -s $TMP/proxy.url ]] || start_proxy proxy --faults drop@first
  cat "$TMP/proxy.url"
}

# The URL of a proxy for the N requests sent at once from step K: it holds them until all N have come, then forwards
# them together, so that they meet at the target as in the suite's run (FAULTS, e.g. drop@first, when one is lost).
together_proxy() {
  start_proxy "proxy-$1" --together "$2" ${'$'}{3:+--faults "$3"}
  cat "$TMP/proxy-$1.url"
}

# Whether the requests sent at once from step K met: the proxy says so (together: only ...) when its wait ran out first.
together_met() {
  local expired
  expired=$(grep -m 1 'together: only ' "$TMP/proxy-$1.err")
  if [[ -n $expired ]]; then
    echo "steps from $(( $1 + 1 )) did not meet at the target: ${'$'}{expired#*together: }"
    UNMET=$(( UNMET + 1 ))
  fi
}

hook() {
  local method=$1 path=$2 body=${'$'}{3:-}
  if [[ -z $HOOK_KEY ]]; then
    HOOK_KEY=$("$AWS" configure export-credentials --format env-no-export 2>/dev/null | sed -n 's/^AWS_ACCESS_KEY_ID=//p')
  fi
  local key=$HOOK_KEY
  local -a data=()
  [[ -n $body ]] && data=(--data "$body")
  curl -sS -f -X "$method" "$EP/_conformance/v1/$path" -H "x-conformance-account: $key" \
    -H 'content-type: application/json' "${'$'}{data[@]}"
}

clock_now() {
  hook GET clock | sed -n 's/.*"epochMs": *\([0-9]*\).*/\1/p'
}

# The target's clock once step K is answered (a later jump is measured from it).
clock_at() {
  clock_now > "$TMP/$1.clock" || { echo 'the clock hook failed' >&2; exit 2; }
}

# Moves the clock by MS, or, measured from step SINCE, by what is left of SINCE_MS.
hook_advance() {
  local ms=$2
  if [[ -n ${'$'}{3:-} && -s $TMP/$3.clock ]]; then
    local now
    now=$(clock_now)
    ms=$(( $4 - (now - $(cat "$TMP/$3.clock")) ))
    (( ms < 0 )) && ms=0
  fi
  echo "step $(( $1 + 1 )): the clock hook moves the target's clock by $ms ms"
  hook POST clock/advance "{\"ms\": $ms}" > /dev/null || { echo 'the clock hook failed' >&2; exit 2; }
}

hook_durations() {
  echo "step $(( $1 + 1 )): the durations hook sets $2"
  hook PUT durations "{\"durations\": $2}" > /dev/null || { echo 'the durations hook failed' >&2; exit 2; }
}

error_code() {
  sed -n 's/.*An error occurred (\([A-Za-z.]*\)).*/\1/p' "$TMP/$1.err" | head -n 1
}

error_message() {
  # The AWS CLI's form: "An error occurred (Code) when calling the Op operation[ (reached max retries: N)]: message".
  local prefix='.*An error occurred \([A-Za-z.]+\)( when calling the [A-Za-z]+ operation)?( \(reached max retries: [0-9]+\))?: '
  sed -nE "s/$prefix//p" "$TMP/$1.err" | head -n 1
}

describe() {
  local k=$1
  if [[ $(cat "$TMP/$k.rc") != 0 ]]; then
    local code
    code=$(error_code "$k")
    if [[ -n $code ]]; then echo "$code: $(error_message "$k")"; else echo "no answer: $(tr '\n' ' ' < "$TMP/$k.err")"; fi
    return
  fi
  local count
  count=$(col "$k" count)
  if [[ -n $count ]]; then echo "$count of this execution's resources listed"; return; fi
  local arn
  arn=$(col "$k" arn)
  if [[ $arn == None ]]; then echo 'success, empty'; return; fi
  local status
  status=$(col "$k" status)
  [[ $status == None ]] && status=$(col "$k" deploymentStatus)
  echo "success naming $arn, createdAt $(col "$k" createdAt)$([[ $status != None ]] && echo ", status $status")"
}

folded() {
  local text=${'$'}{1,,}
  text=${'$'}{text// /}; text=${'$'}{text//_/}; text=${'$'}{text//-/}
  printf '%s' "$text"
}

# Why step K's answer misses its expectation (nothing when it meets it).
miss() {
  local k=$1; shift
  local rc code arn mismatch=0 arg
  rc=$(cat "$TMP/$k.rc")
  code=$(error_code "$k")
  arn=$(col "$k" arn)
  if [[ $rc != 0 && $code == ValidationException && $(folded "$(error_message "$k")") == *"$(folded "$MARKER")"* ]]; then mismatch=1; fi
  local -A want=()
  for arg in "$@"; do want[${'$'}{arg%%=*}]=${'$'}{arg#*=}; done
  if [[ -n ${'$'}{want[error]:-} ]]; then
    [[ $rc == 0 ]] && { echo 'it succeeded'; return; }
    [[ ",${'$'}{want[error]}," == *",$code,"* ]] || { echo 'another error'; return; }
    [[ -n ${'$'}{want[marker]:-} && $mismatch == 0 ]] && { echo 'the message does not name the idempotent parameter mismatch'; return; }
    return
  fi
  if [[ -n ${'$'}{want[noterror]:-} && $rc != 0 && ",${'$'}{want[noterror]}," == *",$code,"* ]]; then echo "a $code"; return; fi
  if [[ -n ${'$'}{want[ok]:-} && $rc != 0 ]]; then
    [[ -n ${'$'}{want[ormismatch]:-} && $mismatch == 1 ]] && return
    echo 'it failed'; return
  fi
  [[ $rc != 0 ]] && return
  local created
  created=$(col "$k" createdAt)
  if [[ -n ${'$'}{want[same]:-} ]]; then
    local j=${'$'}{want[same]}
    [[ $arn != None && $arn == "$(col "$j" arn)" ]] || { echo 'another resource'; return; }
    [[ -n ${'$'}{want[samecreated]:-} && $created != "$(col "$j" createdAt)" ]] && { echo 'another createdAt'; return; }
  fi
  if [[ -n ${'$'}{want[new]:-} ]]; then
    [[ $arn == None || $arn == "$(col "${'$'}{want[new]}" arn)" ]] && { echo 'not a new resource'; return; }
  fi
  if [[ -n ${'$'}{want[notoriginal]:-} ]]; then
    local j=${'$'}{want[notoriginal]}
    [[ $arn == None ]] && { echo 'no resource'; return; }
    [[ $arn == "$(col "$j" arn)" && $created == "$(col "$j" createdAt)" ]] && { echo 'the original'; return; }
  fi
  if [[ -n ${'$'}{want[emptyorsame]:-} && $arn != None && $arn != "$(col "${'$'}{want[emptyorsame]}" arn)" ]]; then
    echo 'another resource'; return
  fi
  [[ -n ${'$'}{want[empty]:-} && $arn != None ]] && { echo 'a resource in the response'; return; }
  [[ -n ${'$'}{want[named]:-} && $arn == None ]] && { echo 'no resource in the response'; return; }
  local wanted=${'$'}{want[status]:-}
  if [[ -n $wanted && $(col "$k" status) != "$wanted" && $(col "$k" deploymentStatus) != "$wanted" ]]; then
    echo 'another status'; return
  fi
  if [[ -n ${'$'}{want[count]:-} ]]; then
    local of=${'$'}{want[count]%%:*} delta=${'$'}{want[count]#*:} before now
    before=$(col "$of" count); now=$(col "$k" count)
    [[ -z $before || $before == None ]] && { echo 'the count before could not be taken'; return; }
    (( now == before + delta )) || { echo "the count went from $before to $now"; return; }
  fi
  if [[ -n ${'$'}{want[one]:-} ]]; then
    local group member arns=()
    for group in ${'$'}{!GROUP_*}; do
      [[ " ${'$'}{!group} " == *" $k "* ]] || continue
      for member in ${'$'}{!group}; do
        [[ $(cat "$TMP/$member.rc") == 0 ]] && arns+=("$(col "$member" arn)")
      done
    done
    local distinct
    distinct=$(printf '%s\n' "${'$'}{arns[@]}" | sort -u | wc -l)
    (( distinct <= 1 )) || { echo "the successes name $distinct resources"; return; }
  fi
}

judge() {
  local k=$1 op=$2 why=$3; shift 3
  local why_not precondition=0 arg
  for arg in "$@"; do [[ $arg == precondition ]] && precondition=1; done
  why_not=$(miss "$k" "$@")
  if [[ -n $why_not ]]; then echo "step $(( k + 1 )) $op BROKEN"; else echo "step $(( k + 1 )) $op as expected"; fi
  echo "  expected: $why"
  echo "  got:      $(describe "$k")${'$'}{why_not:+ ($why_not)}"
  if [[ -n $why_not ]]; then
    if (( precondition == 1 )); then UNMET=$(( UNMET + 1 )); else BROKEN=$(( BROKEN + 1 )); fi
  fi
}

cleanup() {
  local pid
  for pid in "$TMP"/*.pid; do [[ -s $pid ]] && stop_group "$pid"; done
  if [[ -n $SAVED_DURATIONS ]]; then
    hook PUT durations "$(printf '%s' "$SAVED_DURATIONS" | sed -E 's/:[0-9.]+/:0/g')" > /dev/null 2>&1 || true
  fi
  local pending=() member k pass still
  for member in $DELETION_ORDER; do
    [[ -f $TMP/made ]] || break
    while read -r m k; do [[ $m == "$member" ]] && pending=("$m:$k" "${'$'}{pending[@]}"); done < "$TMP/made"
  done
  for (( pass = 0; pass < 20 && ${'$'}{#pending[@]} > 0; pass++ )); do
    still=()
    local item
    for item in "${'$'}{pending[@]}"; do
      member=${'$'}{item%%:*}; k=${'$'}{item#*:}
      local removal=REMOVAL_$member spec input='{' field first=1 op
      spec=${'$'}{!removal}
      op=${'$'}{spec%% *}
      for field in ${'$'}{spec#* }; do
        (( first == 1 )) || input+=','
        first=0
        input+="\"$field\": \"$(json_escape "$(col "$k" "$field")")\""
      done
      input+='}'
      if ! "$AWS" proton "$op" --endpoint-url "$EP" --cli-input-json "$input" > /dev/null 2> "$TMP/cleanup.err"; then
        grep -q ResourceNotFoundException "$TMP/cleanup.err" || still+=("$item")
      fi
    done
    (( ${'$'}{#still[@]} == ${'$'}{#pending[@]} )) && sleep 0.25
    pending=("${'$'}{still[@]}")
  done
  (( ${'$'}{#pending[@]} == 0 )) || echo "could not remove: ${'$'}{pending[*]}" >&2
  if [[ -n $SAVED_DURATIONS ]]; then hook PUT durations "$SAVED_DURATIONS" > /dev/null 2>&1 || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# The first error code of an answer that refused the credentials or the signature (none: empty).
auth_refused() {
  local code
  for code in $(sed -n 's/.*An error occurred (\([A-Za-z.]*\)).*/\1/p' "$TMP"/*.err 2> /dev/null | sort -u); do
    [[ " $AUTH_FAILURES " == *" $code "* ]] && { echo "$code"; return; }
  done
}

finish() {
  local refused
  refused=$(auth_refused)
  if [[ -n $refused ]]; then
    echo "INCONCLUSIVE: the target refused the credentials or the signature ($refused): check the standard chain"
    exit 2
  fi
  if (( BROKEN > 0 )); then echo "FAIL: the target breaks $RULE ($BROKEN expectation(s) not met)"; exit 1; fi
  if (( UNMET > 0 )); then echo 'INCONCLUSIVE: a step the case builds on answered otherwise than when the suite ran it'; exit 2; fi
  echo "PASS: the target keeps $RULE on this case"
  exit 0
}

stop_if_unmet() {
  (( UNMET == 0 )) || finish
}

echo "reproducer of $RULE on $OPERATION against $EP (names $RUN)"
if [[ -n $HOOKS ]]; then
  HOOK_KEY=$("$AWS" configure export-credentials --format env-no-export 2>/dev/null | sed -n 's/^AWS_ACCESS_KEY_ID=//p')
fi
if [[ " $HOOKS " == *' durations '* ]]; then
  SAVED_DURATIONS=$(hook GET durations) || { echo 'the durations hook failed' >&2; exit 2; }
fi
`;
