# lustre-ha-common.sh: what the server's scripts (lustre-ha-bootstrap, lustre-ha-health-agent)
# share: JSON log lines, IMDSv2 reads, AWS CLI calls. Sourced, never run; installed as
# /usr/local/lib/lustre-ha/lustre-ha-common.sh (a script run from the repository finds it beside
# itself first).
#
# The sourcing script sets IMDS_ENDPOINT, WORK (a private temporary directory) and, for the log
# lines, INSTANCE_ID, ROLE and EPOCH once it knows them.
# shellcheck shell=bash disable=SC2034  # the variables set here are the sourcing scripts' to read

readonly IMDS_TOKEN_TTL=21600

# ---------------------------------------------------------------- logging

# A JSON string literal. Control characters other than \n, \r and \t are dropped.
json_str() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  s=${s//[$'\001'-$'\037']/}
  printf '"%s"' "$s"
}

# log LEVEL STEP MESSAGE [key=value ...]: one JSON line on stderr.
log() {
  local level=$1 step=$2 msg=$3 kv line ts
  shift 3
  printf -v ts '%(%Y-%m-%dT%H:%M:%SZ)T' -1
  line="{\"ts\":\"$ts\",\"level\":\"$level\",\"step\":\"$step\",\"msg\":$(json_str "$msg")"
  [ -z "${INSTANCE_ID:-}" ] || line+=",\"instance\":$(json_str "$INSTANCE_ID")"
  [ -z "${ROLE:-}" ] || line+=",\"role\":$(json_str "$ROLE")"
  [ -z "${EPOCH:-}" ] || line+=",\"epoch\":$(json_str "$EPOCH")"
  for kv in "$@"; do
    line+=",$(json_str "${kv%%=*}"):$(json_str "${kv#*=}")"
  done
  printf '%s}\n' "$line" >&2
}

# ---------------------------------------------------------------- IMDSv2

IMDS_TOKEN="" IMDS_TOKEN_AT=0 IMDS_BODY="" IMDS_ERROR=""

# A session token, renewed at half its TTL: the wait for tags, and the agent, outlast one. IMDS is
# always reached directly (--noproxy): an image-wide http_proxy must not capture it. Returns 1
# (IMDS_ERROR says why) when IMDS gives none.
imds_token() {
  local out
  if [ -n "$IMDS_TOKEN" ] && (( SECONDS - IMDS_TOKEN_AT < IMDS_TOKEN_TTL / 2 )); then
    return 0
  fi
  IMDS_TOKEN=""
  if ! out=$(curl -sS --noproxy '*' --fail --max-time 5 --retry 5 --retry-connrefused --retry-delay 1 -X PUT \
      -H "X-aws-ec2-metadata-token-ttl-seconds: $IMDS_TOKEN_TTL" "$IMDS_ENDPOINT/latest/api/token" 2>&1); then
    IMDS_ERROR="cannot get an IMDSv2 session token from $IMDS_ENDPOINT: $out"
    return 1
  fi
  IMDS_TOKEN=$out IMDS_TOKEN_AT=$SECONDS
}

# imds_get PATH (under /latest/): the body in IMDS_BODY. Returns 0 when found, 1 when IMDS says
# 404, 2 on any other answer or no token (IMDS_ERROR says which). A rejected token is renewed once.
imds_get() {
  local path=$1 code attempt
  IMDS_BODY="" IMDS_ERROR=""
  for attempt in 1 2; do
    imds_token || return 2
    code=$(curl -sS --noproxy '*' --max-time 5 --retry 3 --retry-connrefused --retry-delay 1 -o "$WORK/imds.body" \
      -w '%{http_code}' -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" "$IMDS_ENDPOINT/latest/$path" \
      2>"$WORK/imds.err") || code=000
    case $code in
      200) IMDS_BODY=$(<"$WORK/imds.body"); return 0 ;;
      404) return 1 ;;
      401) IMDS_TOKEN="" ;;
      *) break ;;
    esac
  done
  IMDS_ERROR="HTTP $code (attempt $attempt) $(<"$WORK/imds.err")"
  return 2
}

# ---------------------------------------------------------------- the AWS CLI

AWS_OUT="" AWS_ERR=""
# Seconds one AWS CLI call may take in all, its own retries included (timeout(1) ends it, exit
# 124); empty: unbounded.
AWS_CALL_TIMEOUT=${AWS_CALL_TIMEOUT:-}

# aws_call ARGS...: runs the AWS CLI with JSON output into AWS_OUT and AWS_ERR; returns its code.
aws_call() {
  local rc=0 bound=()
  [ -z "$AWS_CALL_TIMEOUT" ] || bound=(timeout -k 2 "$AWS_CALL_TIMEOUT")
  "${bound[@]}" aws "$@" --output json >"$WORK/aws.out" 2>"$WORK/aws.err" || rc=$?
  AWS_OUT=$(<"$WORK/aws.out")
  AWS_ERR=$(<"$WORK/aws.err")
  [ $rc -ne 124 ] || [ -z "$AWS_CALL_TIMEOUT" ] || AWS_ERR="timed out after ${AWS_CALL_TIMEOUT}s ${AWS_ERR}"
  return $rc
}

# The key of a role's item in either table.
item_key() {
  jq -cn --arg fs "$FILE_SYSTEM" --arg id "$1" '{fileSystem: {S: $fs}, roleId: {S: $id}}'
}
