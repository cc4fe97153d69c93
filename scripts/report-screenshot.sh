#!/usr/bin/env bash
# Makes docs/img/demo-report.png: the demo's HTML report, as headless chromium draws it (the header
# and the picture of the roles over virtual time). Run it after a change to the page's look:
#   scripts/report-screenshot.sh [out.png]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/toolchain.sh
. "$root/scripts/toolchain.sh"
ensure_browser
out=${1:-$root/docs/img/demo-report.png}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/lustre-ha" demo --html "$work/demo.html" >"$work/demo.log" || { cat "$work/demo.log"; die "the demo failed"; }
mkdir -p "$(dirname "$out")"
# --no-sandbox: chromium refuses its sandbox as root; the page is our own file and loads nothing.
"${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}" --headless --no-sandbox --disable-gpu \
  --hide-scrollbars --no-first-run --user-data-dir="$work/profile" --window-size=1280,600 \
  --screenshot="$out" "file://$work/demo.html" >"$work/chromium.log" 2>&1 || { cat "$work/chromium.log"; die "chromium failed"; }
say "wrote $out ($(stat -c %s "$out") bytes)"
