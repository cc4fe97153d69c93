# shellcheck shell=bash
# Sourced by ./lustre-ha and .ci/run: finds or installs what the build needs on a fresh machine,
# and exports JAVA_HOME, PATH and the settings that keep every tool offline and quiet.
#   - a JDK 21 or newer (from /usr/lib/jvm, or Debian's openjdk-21 package when there is none)
#   - Maven (Debian's package when missing)
#   - npm (Debian's package when missing): the local module installs its ASL engine, and the
#     Node 22 it runs on, from the npm registry with npm ci
#   - .venv with the pinned Python tools of tools/requirements.txt
#   - shellcheck, jq and curl (Debian's packages when missing): the instance bootstrap is linted
#     with the first and runs on the other two in its tests
#   - chromium (Debian's package when missing): the test run opens the runs' HTML reports in it,
#     headless (sim/.../ReportInBrowserIT)

LUSTRE_HA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The major version of a java binary, e.g. 21 or 25.
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1
}

apt_install() {
  command -v apt-get >/dev/null || die "cannot install $* here: no apt-get; install it by hand"
  say "installing $* (apt-get)"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

# Picks the newest JDK >= 21: $JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm.
select_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(java_major "$JAVA_HOME/bin/java")" -ge 21 ] 2>/dev/null; then
    :
  else
    local best="" best_major=0 dir major
    for dir in /usr/lib/jvm/*; do
      [ -x "$dir/bin/javac" ] || continue
      major=$(java_major "$dir/bin/java")
      [ -n "$major" ] || continue
      if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
        best=$dir best_major=$major
      fi
    done
    if [ -z "$best" ]; then
      apt_install openjdk-21-jdk-headless || die "no JDK >= 21 under /usr/lib/jvm and none could be installed"
      select_jdk
      return
    fi
    JAVA_HOME=$best
  fi
  export JAVA_HOME
  export PATH="$JAVA_HOME/bin:$PATH"
}

ensure_maven() {
  command -v mvn >/dev/null || apt_install maven
}

ensure_npm() {
  command -v npm >/dev/null || apt_install nodejs npm
}

ensure_instance_tools() {
  local tool missing=()
  for tool in shellcheck jq curl; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# The browser the report test drives; $CHROMIUM names another one.
ensure_browser() {
  if [ -n "${CHROMIUM:-}" ]; then
    [ -x "$CHROMIUM" ] || die "CHROMIUM=$CHROMIUM is not an executable"
    return
  fi
  command -v chromium >/dev/null || command -v chromium-browser >/dev/null || apt_install chromium
}

# Creates or refreshes .venv when tools/requirements.txt or tools/constraints.txt changed.
ensure_venv() {
  local venv="$LUSTRE_HA_ROOT/.venv" stamp
  stamp=$(cat "$LUSTRE_HA_ROOT/tools/requirements.txt" "$LUSTRE_HA_ROOT/tools/constraints.txt" | sha256sum | cut -c1-16)
  if [ ! -f "$venv/.stamp-$stamp" ]; then
    command -v python3 >/dev/null || apt_install python3 python3-venv
    say "creating .venv with the pinned Python tools (aws-sam-cli, cfn-lint, moto)"
    rm -rf "$venv"
    python3 -m venv "$venv" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
    "$venv/bin/pip" install -q --upgrade pip >/dev/null
    "$venv/bin/pip" install -q -r "$LUSTRE_HA_ROOT/tools/requirements.txt" \
      -c "$LUSTRE_HA_ROOT/tools/constraints.txt" || die "pip install of the Python tools failed"
    touch "$venv/.stamp-$stamp"
  fi
  export PATH="$venv/bin:$PATH"
}

# No AWS account is used by the build: tools must not look for one, or phone home.
offline_aws_settings() {
  export AWS_REGION="${AWS_REGION:-us-east-1}"
  export AWS_DEFAULT_REGION="$AWS_REGION"
  export AWS_EC2_METADATA_DISABLED=true   # never probe the instance metadata service for credentials
  export SAM_CLI_TELEMETRY=0
  export SAM_CLI_DISABLE_NEW_VERSION_CHECK=1
}

setup_toolchain() {
  select_jdk
  ensure_maven
  ensure_npm
  ensure_venv
  ensure_instance_tools
  ensure_browser
  offline_aws_settings
}
