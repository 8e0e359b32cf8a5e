#!/usr/bin/env bash
# ghr-agent: the instance-side ground truth of a runner pool (architecture.md §3, world-model.md
# "The runner on an instance"). It fetches and deletes this instance's runner config from SSM,
# runs the runner, publishes the runner's state as the `ghr:agent-state` tag (the codec of
# lambdas/src/core/tags.ts), acknowledges retirement marks it reads from instance metadata, and
# ends the instance (ephemeral pool) or asks for a fresh registration (reusable pool) when the
# runner has exited and no worker runs.
#
# Secrets: the runner config lives in one shell variable, is passed to the runner and dropped.
# It is never written to disk or to the log. Never run this script with `set -x`.
set -euo pipefail

readonly TAG_STATE='ghr:agent-state'
readonly TAG_LIFECYCLE='ghr:lifecycle'
readonly TAG_RUNNER_CONFIG='ghr:runner-config'

# ---------------------------------------------------------------------------------------------
# Tag codec: the part of lambdas/src/core/tags.ts (and of decodeRunnerConfigReady in
# lambdas/src/core/scale-up/runner-config.ts) the agent needs. Pure functions, held to the same
# golden vectors as the TypeScript (agent/test-vectors/tags.json; lambdas/test/agent/codec.test.ts
# sources this script and calls them). They set REPLY (see "Small helpers") and work on bytes:
# LC_ALL=C, local to each, so the result is the same whatever the instance's locale.
# ---------------------------------------------------------------------------------------------

# sanitize_job NAME: REPLY=the job id the codec carries ([A-Za-z0-9._-]{1,64}): every byte outside
# that set becomes `-`, then the first 64; an empty name is `unknown`.
sanitize_job() {
  local LC_ALL=C
  REPLY=${1//[!A-Za-z0-9._-]/-}
  REPLY=${REPLY:0:64}
  REPLY=${REPLY:-unknown}
}

# encode_state STATE JOB AT_MS [ACK_MARK_MS]: REPLY=the ghr:agent-state value: `idle@<ms>`,
# `busy:<job id>@<ms>` or `exited@<ms>`, plus `/ack:<mark>` when a mark is acknowledged. JOB is the
# raw job name (busy only; sanitized here). Returns 1 for an unknown state.
encode_state() {
  local state=$1 job=$2 at=$3 ack=${4:-}
  case $state in
    idle | exited) REPLY=$state ;;
    busy) sanitize_job "$job" && REPLY="busy:$REPLY" ;;
    *) REPLY='' && return 1 ;;
  esac
  REPLY="$REPLY@$at${ack:+/ack:$ack}"
}

# decode_lifecycle VALUE: a ghr:lifecycle value, `retiring@<markMs>` or
# `quarantined@<markMs>/<quarantinedMs>` (1-16 digits each). Sets MARK_PHASE, MARK_MS and
# MARK_QUARANTINED_MS (empty when retiring), REPLY=MARK_MS; returns 1 for anything else. Times are
# decimal numbers without leading zeros, as the control plane reads them, so an acknowledgement
# echoes the mark exactly as scale-down compares it.
decode_lifecycle() {
  local LC_ALL=C
  MARK_PHASE='' MARK_MS='' MARK_QUARANTINED_MS='' REPLY=''
  if [[ $1 =~ ^retiring@([0-9]{1,16})$ ]]; then
    MARK_PHASE=retiring
    MARK_MS=$((10#${BASH_REMATCH[1]}))
  elif [[ $1 =~ ^quarantined@([0-9]{1,16})/([0-9]{1,16})$ ]]; then
    MARK_PHASE=quarantined
    MARK_MS=$((10#${BASH_REMATCH[1]}))
    # shellcheck disable=SC2034 # decoded whole for the golden vectors; the agent needs the mark only
    MARK_QUARANTINED_MS=$((10#${BASH_REMATCH[2]}))
  else
    return 1
  fi
  REPLY=$MARK_MS
}

# decode_config_ready VALUE: REPLY=<ms> of a ghr:runner-config value `ready@<ms>` (a decimal number,
# never read as octal); returns 1 for anything else.
decode_config_ready() {
  local LC_ALL=C
  REPLY=''
  [[ $1 =~ ^ready@([0-9]{1,16})$ ]] || return 1
  REPLY=$((10#${BASH_REMATCH[1]}))
}

# ---------------------------------------------------------------------------------------------
# Configuration: /etc/ghr-agent.env (written by user data), shell syntax, KEY=value per line.
# ---------------------------------------------------------------------------------------------
load_config() {
  ENV_FILE=${GHR_AGENT_ENV_FILE:-/etc/ghr-agent.env}
  if [[ -r $ENV_FILE ]]; then
    # shellcheck source=/dev/null
    . "$ENV_FILE"
  fi

  POOL=${GHR_POOL:?GHR_POOL is required}
  EPHEMERAL=${GHR_EPHEMERAL:-true}
  QUEUE_URL=${GHR_QUEUE_URL:-}
  CONFIG_PATH=${GHR_CONFIG_PATH:?GHR_CONFIG_PATH is required}
  CONFIG_PATH=${CONFIG_PATH%/}
  REGION=${GHR_REGION:-}
  IMDS=${GHR_IMDS_ENDPOINT:-http://169.254.169.254}
  RUNNER_DIR=${GHR_RUNNER_DIR:-/opt/actions-runner}
  RUNNER_CMD=${GHR_RUNNER_CMD:-$RUNNER_DIR/run.sh}
  RUNNER_CONFIG_CMD=${GHR_RUNNER_CONFIG_CMD:-$RUNNER_DIR/config.sh}
  RUNNER_USER=${GHR_RUNNER_USER:-}
  WORKER_PROCESS=${GHR_WORKER_PROCESS:-Runner.Worker}
  POLL_SECONDS=${GHR_POLL_SECONDS:-1}
  TAG_POLL_SECONDS=${GHR_TAG_POLL_SECONDS:-5}
  CONFIG_WAIT_SECONDS=${GHR_CONFIG_WAIT_SECONDS:-600}
  RECYCLE_TIMEOUT_SECONDS=${GHR_RECYCLE_TIMEOUT_SECONDS:-600}
  RECYCLE_DELAY_SECONDS=${GHR_RECYCLE_DELAY_SECONDS:-2}
  RECYCLE_RESEND_SECONDS=${GHR_RECYCLE_RESEND_SECONDS:-60}
  SHUTDOWN_CMD=${GHR_SHUTDOWN_CMD:-shutdown -h now}
  STATE_DIR=${GHR_STATE_DIR:-/var/lib/ghr-agent}
  AWS_CLI=${GHR_AWS_CLI:-aws}
  # /proc/<pid>/comm holds at most 15 characters (proc(5)).
  WORKER_COMM=${WORKER_PROCESS:0:15}

  mkdir -p "$STATE_DIR"
  chmod 700 "$STATE_DIR"
  RUNNER_LOG=$STATE_DIR/runner.log
  AWS_ERR=$STATE_DIR/aws.err
}

# ---------------------------------------------------------------------------------------------
# Small helpers. Functions that compute a value set REPLY instead of printing it, so callers need
# no subshell (a subshell would lose state such as the cached IMDS token).
# ---------------------------------------------------------------------------------------------
log() { printf '%s ghr-agent[%s]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$$" "$*"; }

now_ms() {
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    local t=${EPOCHREALTIME//[!0-9]/} # microseconds (bash >= 5)
    REPLY=${t:0:${#t}-3}
  else
    REPLY=$(date +%s%3N)
  fi
}

# Seconds (may be fractional, e.g. 0.2) to integer milliseconds.
to_ms() {
  local s=$1 int frac=''
  int=${s%%.*}
  [[ $s == *.* ]] && frac=${s#*.}
  frac=${frac}000
  REPLY=$((10#${int:-0} * 1000 + 10#${frac:0:3}))
}

# The last AWS error on one line, shortened (AWS error messages carry no secret values).
aws_error() { tr -s '\n' ' ' <"$AWS_ERR" | head -c 300; }

# The AWS layer: every AWS call goes through here, so tests (or another CLI) can swap it.
ghr_aws() {
  local -a cli
  read -ra cli <<<"$AWS_CLI"
  AWS_PAGER='' "${cli[@]}" --region "$REGION" "$@"
}

# ---------------------------------------------------------------------------------------------
# Instance metadata (IMDSv2). Reads only: the agent learns its tags without API calls.
# ---------------------------------------------------------------------------------------------
IMDS_TOKEN=''
IMDS_TOKEN_EXPIRY_MS=0

imds_refresh_token() {
  IMDS_TOKEN=$(curl -sf --max-time 2 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600' \
    "$IMDS/latest/api/token") || { IMDS_TOKEN=''; return 1; }
  now_ms
  IMDS_TOKEN_EXPIRY_MS=$((REPLY + 21000 * 1000))
}

# imds_get PATH: REPLY=body. Returns 0 (found), 1 (404: e.g. the tag is not set), 2 (error).
imds_get() {
  local path=$1 out code attempt
  REPLY=''
  for attempt in 1 2; do
    now_ms
    if [[ -z $IMDS_TOKEN ]] || ((REPLY >= IMDS_TOKEN_EXPIRY_MS)); then
      imds_refresh_token || return 2
    fi
    out=$(curl -s --max-time 2 -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" -w '\n%{http_code}' "$IMDS$path") || return 2
    code=${out##*$'\n'}
    out=${out%$'\n'*}
    case $code in
      200) REPLY=$out; return 0 ;;
      404) REPLY=''; return 1 ;;
      401) IMDS_TOKEN='' ;; # expired or revoked: fetch a new token once
      *) REPLY=''; return 2 ;;
    esac
  done
  REPLY=''
  return 2
}

# ---------------------------------------------------------------------------------------------
# Runner config from SSM: read (decrypted), then delete at once (architecture.md §6, SSM).
# ---------------------------------------------------------------------------------------------
RUNNER_CONFIG=''

# Returns 0 (RUNNER_CONFIG set), 1 (no parameter yet), 2 (error).
fetch_config() {
  local name="$CONFIG_PATH/$INSTANCE_ID" attempt
  RUNNER_CONFIG=''
  if ! RUNNER_CONFIG=$(ghr_aws ssm get-parameter --name "$name" --with-decryption \
    --query Parameter.Value --output text 2>"$AWS_ERR"); then
    RUNNER_CONFIG=''
    if grep -q 'ParameterNotFound' "$AWS_ERR"; then return 1; fi
    log "reading runner config failed: $(aws_error)"
    return 2
  fi
  if [[ -z $RUNNER_CONFIG || $RUNNER_CONFIG == None ]]; then
    RUNNER_CONFIG=''
    return 1
  fi
  for attempt in 1 2 3; do
    if ghr_aws ssm delete-parameter --name "$name" >/dev/null 2>"$AWS_ERR" ||
      grep -q 'ParameterNotFound' "$AWS_ERR"; then
      log "runner config read and deleted ($name)"
      return 0
    fi
    log "deleting runner config failed (attempt $attempt): $(aws_error)"
    sleep 1
  done
  return 0 # the runner still starts; the housekeeping of scale-down removes the parameter
}

# ---------------------------------------------------------------------------------------------
# The runner. A value starting with `--` is the token fallback (config.sh arguments: --url,
# --token, --labels, ...); anything else is a JIT config (a one-job registration).
# ---------------------------------------------------------------------------------------------
RUNNER_PID=''

run_as_runner_user() {
  if [[ -n $RUNNER_USER && $EUID -eq 0 ]]; then
    exec runuser -u "$RUNNER_USER" -- "$@"
  fi
  exec "$@"
}

# has_arg NAME ARGS...: whether NAME is among ARGS.
has_arg() {
  local name=$1 arg
  shift
  for arg in "$@"; do [[ $arg == "$name" ]] && return 0; done
  return 1
}

start_runner() {
  local -a run config_args
  read -ra run <<<"$RUNNER_CMD"
  : >"$RUNNER_LOG" # a fresh log per registration: old job lines must not count
  if [[ $RUNNER_CONFIG == --* ]]; then
    local -a configure
    read -ra configure <<<"$RUNNER_CONFIG_CMD"
    # Split without a here-string: bash may back here-strings with a temporary file.
    set -f
    # shellcheck disable=SC2206 # word splitting of the config.sh arguments is intended
    config_args=($RUNNER_CONFIG)
    set +f
    # Token fallback (GHES without JIT). Scale-up writes the full argument list
    # (lambdas/src/core/scale-up/runner-config.ts); the agent adds what must never be missing:
    # no default labels, so only the pool's custom labels match (issue 5), no prompts, and in an
    # ephemeral pool a one-job registration.
    local -a extra=()
    if ! has_arg --unattended "${config_args[@]}"; then extra+=(--unattended); fi
    if ! has_arg --no-default-labels "${config_args[@]}"; then extra+=(--no-default-labels); fi
    if [[ $EPHEMERAL == true ]] && ! has_arg --ephemeral "${config_args[@]}"; then extra+=(--ephemeral); fi
    (
      [[ -d $RUNNER_DIR ]] && cd "$RUNNER_DIR"
      (run_as_runner_user "${configure[@]}" "${config_args[@]}" "${extra[@]}")
      run_as_runner_user "${run[@]}"
    ) >>"$RUNNER_LOG" 2>&1 &
  else
    (
      [[ -d $RUNNER_DIR ]] && cd "$RUNNER_DIR"
      run_as_runner_user "${run[@]}" --jitconfig "$RUNNER_CONFIG"
    ) >>"$RUNNER_LOG" 2>&1 &
  fi
  RUNNER_PID=$!
  ASKED_AHEAD=''
  # A token registration (long-lived) serves job after job: there is no next one to prepare.
  [[ $RUNNER_CONFIG == --* ]] && ASKED_AHEAD=token
  RUNNER_CONFIG=''
  config_args=()
  log "runner started (pid $RUNNER_PID)"
}

runner_alive() { [[ -n $RUNNER_PID ]] && kill -0 "$RUNNER_PID" 2>/dev/null; }

# A job runs while a worker process exists, anywhere on the instance (the listener may be gone).
worker_running() {
  local f comm
  for f in /proc/[0-9]*/comm; do
    comm=''
    read -r comm 2>/dev/null <"$f" || continue
    [[ $comm == "$WORKER_COMM" ]] && return 0
  done
  return 1
}

# The listener prints "Running job: <name>" when it takes a job and
# "Job <name> completed with result: <result>" when the worker is done (runner's Runner.Listener
# output). REPLY=job name when the last such line is a start, empty otherwise.
log_running_job() {
  local line
  REPLY=''
  [[ -f $RUNNER_LOG ]] || return 0
  line=$(grep -E 'Running job: |Job .* completed with result: ' "$RUNNER_LOG" | tail -n 1) || true
  line=${line%$'\r'}
  if [[ $line =~ Running\ job:\ (.*)$ ]]; then REPLY=${BASH_REMATCH[1]:-unknown}; fi
}

# ---------------------------------------------------------------------------------------------
# State publication: one write at a time, always the state observed just before the write.
# ---------------------------------------------------------------------------------------------
CUR_STATE=''    # idle | busy | exited
CUR_JOB=''      # while busy: the job id (sanitize_job of the listener's job name)
SINCE_MS=0      # when CUR_STATE (with CUR_JOB) began
WRITTEN=''      # last value written successfully
ACKED_MARK=''   # retirement mark acknowledged (carried on later writes: they are later proof of life)
PENDING_MARK='' # retirement mark seen, not yet acknowledged

observe() {
  local state job
  log_running_job
  job=$REPLY
  if worker_running; then
    state=busy
  elif runner_alive && [[ -n $job ]]; then
    state=busy
  elif runner_alive; then
    state=idle
  else
    state=exited
  fi
  if [[ $state == busy ]]; then
    sanitize_job "$job" # no job line seen (a worker without one): `unknown`
    job=$REPLY
  else
    job=''
  fi
  if [[ $state != "$CUR_STATE" || $job != "$CUR_JOB" ]]; then
    CUR_STATE=$state
    CUR_JOB=$job
    now_ms
    SINCE_MS=$REPLY
  fi
}

# Writes the current state if it differs from the last write. After a write the state is
# observed again, so a change that happened during the write is published next, never lost.
# Returns 1 when a write failed (it is retried on the next tick).
sync_state() {
  local value ack attempt
  for attempt in 1 2 3 4 5; do
    ack=${PENDING_MARK:-$ACKED_MARK}
    encode_state "$CUR_STATE" "$CUR_JOB" "$SINCE_MS" "$ack" || return 1
    value=$REPLY
    [[ $value == "$WRITTEN" ]] && return 0
    if ! ghr_aws ec2 create-tags --resources "$INSTANCE_ID" --tags "Key=$TAG_STATE,Value=$value" \
      >/dev/null 2>"$AWS_ERR"; then
      log "state write failed ($value): $(aws_error)"
      return 1
    fi
    WRITTEN=$value
    log "state $value"
    if [[ -n $PENDING_MARK && $ack == "$PENDING_MARK" ]]; then
      ACKED_MARK=$PENDING_MARK
      PENDING_MARK=''
    fi
    observe
  done
  return 0
}

NEXT_TAG_POLL_MS=0

# Reads ghr:lifecycle through instance metadata: `retiring@<mark>` or `quarantined@<mark>/<t>`
# (decode_lifecycle; anything else is no mark). A mark is answered once (one state write carrying
# /ack:<mark>).
poll_lifecycle() {
  imds_get "/latest/meta-data/tags/instance/$TAG_LIFECYCLE" || return 0
  decode_lifecycle "$REPLY" || return 0
  if [[ $MARK_MS != "$ACKED_MARK" && $MARK_MS != "$PENDING_MARK" ]]; then
    PENDING_MARK=$MARK_MS
    log "lifecycle $MARK_PHASE: acknowledging mark $MARK_MS"
  fi
}

tag_poll_due() {
  local now
  now_ms
  now=$REPLY
  ((now >= NEXT_TAG_POLL_MS)) || return 1
  to_ms "$TAG_POLL_SECONDS"
  NEXT_TAG_POLL_MS=$((now + REPLY))
}

# One step of the watch: observe, read own tags when due, publish.
tick() {
  observe
  if tag_poll_due; then poll_lifecycle; fi
  sync_state || true
  ask_ahead
}

ASKED_AHEAD='' # set once the current registration's job was answered with a request for the next one

# A reusable pool, once `busy` for a new job is on the tag: ask for the next registration now, so
# scale-up prepares it while the job runs and the runner restarts from it at once after its exit
# (lambdas/src/core/scale-up/recycle.ts). Once per registration (a one-job runner: once per job; job
# names repeat, so they cannot say which job was answered); a lost or dropped request costs only
# the round trip after the exit (await_recycle asks again).
ask_ahead() {
  [[ $EPHEMERAL != true && -z $ASKED_AHEAD && $CUR_STATE == busy && $WRITTEN == "busy:$CUR_JOB@"* ]] || return 0
  ASKED_AHEAD=1
  if send_recycle_request; then log "next registration asked for ahead (job $CUR_JOB)"; fi
}

# ---------------------------------------------------------------------------------------------
# Ending and recycling.
# ---------------------------------------------------------------------------------------------
shutdown_instance() {
  # Never while a worker runs (issue 5): keep publishing until it is gone.
  while worker_running; do
    tick
    sleep "$POLL_SECONDS"
  done
  log "shutting down the instance"
  local -a cmd
  read -ra cmd <<<"$SHUTDOWN_CMD"
  "${cmd[@]}" || log "shutdown command failed"
  exit 0
}

# Makes sure `exited` is published before the instance goes (bounded: the backstop covers a dead API).
publish_exited() {
  local attempt
  for attempt in $(seq 1 20); do
    observe
    if [[ $CUR_STATE == exited ]] && sync_state && [[ $WRITTEN == exited@* ]]; then return 0; fi
    [[ $CUR_STATE == exited ]] || return 0 # a worker appeared: the caller keeps watching
    sleep 1
  done
  log "could not publish exited after $attempt attempts"
}

send_recycle_request() {
  local body
  body=$(printf '{"kind":"recycle","instanceId":"%s","pool":"%s"}' "$INSTANCE_ID" "$POOL")
  # Delayed a little: scale-up acts on a recycle request only while DescribeInstances shows this
  # instance `exited`, and tag reads lag writes by up to ~2 s (world-model.md, EC2 rows).
  if ghr_aws sqs send-message --queue-url "$QUEUE_URL" --message-body "$body" \
    --delay-seconds "$RECYCLE_DELAY_SECONDS" >/dev/null 2>"$AWS_ERR"; then
    log "recycle request sent"
    return 0
  fi
  log "recycle request failed: $(aws_error)"
  return 1
}

LAST_CONFIG_MARK=0

# REPLY=<ms> of `ghr:runner-config = ready@<ms>` (decode_config_ready), or 0 when absent/unreadable.
read_config_mark() {
  imds_get "/latest/meta-data/tags/instance/$TAG_RUNNER_CONFIG" && decode_config_ready "$REPLY" && return 0
  REPLY=0
}

# Reusable pool: ask for a fresh registration and wait for it. Returns 0 with RUNNER_CONFIG set,
# 1 when no answer came within the timeout (the instance then ends itself: nothing registered).
await_recycle() {
  local deadline resend next_send=0 mark
  to_ms "$RECYCLE_TIMEOUT_SECONDS"
  deadline=$REPLY
  to_ms "$RECYCLE_RESEND_SECONDS"
  resend=$REPLY
  now_ms
  deadline=$((REPLY + deadline))
  # A registration prepared while the job ran (ask_ahead) is taken at once, without a request.
  read_config_mark
  mark=$REPLY
  if ((mark > LAST_CONFIG_MARK)) && fetch_config; then
    LAST_CONFIG_MARK=$mark
    log "prepared runner config taken"
    return 0
  fi
  while now_ms && ((REPLY < deadline)); do
    # Unanswered requests are sent again: scale-up drops one it judged stale, and a duplicate of
    # an answered one is dropped there too (recycleStaleReason in lambdas/src/core/scale-up).
    if ((REPLY >= next_send)); then
      next_send=$((REPLY + resend))
      send_recycle_request || next_send=$((REPLY + 1000))
    fi
    observe
    if tag_poll_due; then
      poll_lifecycle
      read_config_mark
      mark=$REPLY
      # Only a signal newer than the config already used counts; the parameter may lag the tag.
      if ((mark > LAST_CONFIG_MARK)) && fetch_config; then
        LAST_CONFIG_MARK=$mark
        return 0
      fi
    fi
    sync_state || true
    sleep "$POLL_SECONDS"
  done
  log "no new runner config within ${RECYCLE_TIMEOUT_SECONDS}s"
  return 1
}

await_initial_config() {
  local deadline rc
  to_ms "$CONFIG_WAIT_SECONDS"
  deadline=$REPLY
  now_ms
  deadline=$((REPLY + deadline))
  read_config_mark
  LAST_CONFIG_MARK=$REPLY
  while now_ms && ((REPLY < deadline)); do
    rc=0
    fetch_config || rc=$?
    ((rc == 0)) && return 0
    sleep "$TAG_POLL_SECONDS"
  done
  log "no runner config within ${CONFIG_WAIT_SECONDS}s"
  return 1
}

# Runs until the runner has exited and no worker runs.
watch_runner() {
  while true; do
    tick
    if [[ $CUR_STATE == exited ]]; then
      if [[ -n $RUNNER_PID ]]; then
        local rc=0
        wait "$RUNNER_PID" 2>/dev/null || rc=$?
        log "runner exited (status $rc)"
        RUNNER_PID=''
      fi
      return 0
    fi
    sleep "$POLL_SECONDS"
  done
}

on_signal() {
  log "stopping (signal)"
  if [[ -n $RUNNER_PID ]]; then kill -TERM "$RUNNER_PID" 2>/dev/null || true; fi
  exit 143
}

main() {
  load_config
  trap on_signal TERM INT
  # Instance metadata can be slow to answer early in boot: retry before giving up.
  local attempt
  for attempt in $(seq 1 30); do
    imds_get /latest/meta-data/instance-id && break
    log "instance metadata not answering at $IMDS (attempt $attempt)"
    sleep 1
  done
  [[ -n $REPLY ]] || { log "cannot read the instance id from instance metadata"; exit 1; }
  INSTANCE_ID=$REPLY
  while [[ -z $REGION ]]; do
    imds_get /latest/meta-data/placement/region && REGION=$REPLY && break
    ((++attempt <= 60)) || { log "cannot read the region from instance metadata"; exit 1; }
    sleep 1
  done
  if [[ $EPHEMERAL != true && -z $QUEUE_URL ]]; then
    log "GHR_QUEUE_URL is required for a reusable pool"
    exit 1
  fi
  log "instance $INSTANCE_ID, pool $POOL, ephemeral $EPHEMERAL, region $REGION"

  if ! await_initial_config; then
    publish_exited
    shutdown_instance
  fi
  while true; do
    start_runner
    watch_runner
    publish_exited
    if [[ $EPHEMERAL == true ]]; then shutdown_instance; fi
    await_recycle || shutdown_instance
  done
}

# Executed (systemd, the tests' `bash ghr-agent.sh`): run. Sourced (the codec's tests): only define.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  main "$@"
fi
