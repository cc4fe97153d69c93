#!/usr/bin/env bash
# Benchmarks of the deployable functions. They print numbers; they are not tests.
#
#   bench/run.sh cold-start [--runs N] [--out FILE.md] [--only Claim,Fence] [--artifact DIR] [--jvm-arg ARG]...
#
# cold-start: for each handler of template.yaml, fresh JVMs (Lambda's java21 flags) load the
# deployment artifact, build the handler (its clients), handle one real-shaped event against a
# local cloud (DynamoDB Local, moto_server) and answer; the same for an unoptimised baseline
# (default SDK clients, Apache HTTP client, reflection-based table schemas). It prints each
# handler's median, the ratio to the baseline and the verdict against the goals (<= 700 ms, <= 0.5x),
# and writes them as markdown with --out. See bench/README.md.
set -euo pipefail
# Relative paths on the command line (--out, --artifact) are the caller's.
USER_CWD=$PWD
# shellcheck source=scripts/toolchain.sh
. "$(dirname "$0")/../scripts/toolchain.sh"
cd "$LUSTRE_HA_ROOT"

usage() {
  sed -n '4,12p' "$0" | sed 's/^# \{0,1\}//'
}

[ $# -ge 1 ] || { usage; exit 2; }
case "$1" in
  cold-start) shift ;;
  -h|--help) usage; exit 0 ;;
  *) usage; exit 2 ;;
esac

args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out|--artifact)
      [ $# -ge 2 ] || die "$1 needs a value"
      case "$2" in /*) path=$2 ;; *) path=$USER_CWD/$2 ;; esac
      args+=("$1" "$path"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done

select_jdk
ensure_maven
ensure_npm
ensure_venv          # moto_server
offline_aws_settings
maven_opts=${MAVEN_OPTS:-}
if [ "$(java_major "$JAVA_HOME/bin/java")" -ge 24 ]; then
  maven_opts="$maven_opts --sun-misc-unsafe-memory-access=allow"
fi
say "building the functions and the bench module (no tests)"
# package: functions/target/classes and, per module, target/runtime-classpath.txt: the jars the
# functions ship (the default artifact; sam build copies the same set into lib/).
MAVEN_OPTS=$maven_opts mvn -B -q -ntp -pl bench -am package -DskipTests \
  dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile=target/runtime-classpath.txt \
  || die "the build failed (see above)"

say "cold start: fresh JVMs per handler, ours and the baseline (a few minutes)"
exec "$JAVA_HOME/bin/java" -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED \
  -Dsqlite4java.library.path="$LUSTRE_HA_ROOT/bench/target/native-libs" \
  -cp "bench/target/classes:$(cat bench/target/launcher-classpath.txt)" \
  dev.lustreha.bench.coldstart.ColdStart "${args[@]}"
