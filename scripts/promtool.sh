#!/usr/bin/env bash
# Prints the path of a promtool binary (Prometheus's checker for /metrics text), building it once if none
# can be found. Order: $PROMTOOL, `promtool` on PATH, the cached build, else `go install` into the cache
# ($HOOKRELAY_PROMTOOL_CACHE_DIR, default .cache/promtool in the project). The first build takes minutes.
#   bash scripts/promtool.sh              # find or build
#   bash scripts/promtool.sh --no-build   # find only; exits 1 when there is none (the tests ask this way)
# Prometheus publishes its Go module as v0.3MM.P for release 3.MM.P: v0.316.0 is Prometheus 3.16.0.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_dir="${HOOKRELAY_PROMTOOL_CACHE_DIR:-$root/.cache/promtool}"
version="${PROMTOOL_VERSION:-v0.316.0}"
pkg="github.com/prometheus/prometheus/cmd/promtool@$version"
# Each version gets a directory of its own, so changing the version above builds the new one.
cached="$cache_dir/$version/promtool"

if [[ -n "${PROMTOOL:-}" ]]; then
  if [[ -x "$PROMTOOL" ]]; then echo "$PROMTOOL"; exit 0; fi
  echo "PROMTOOL=$PROMTOOL is not an executable file" >&2; exit 1
fi
if on_path="$(command -v promtool 2>/dev/null)"; then echo "$on_path"; exit 0; fi
if [[ -x "$cached" ]]; then echo "$cached"; exit 0; fi
if [[ "${1:-}" == "--no-build" ]]; then exit 1; fi

if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<MSG
No promtool found and no Go toolchain to build one.
Either install Prometheus's promtool and put it on PATH, point PROMTOOL at the binary,
or install Go (https://go.dev/doc/install) and run this again to build it:
  GOBIN=$cache_dir/$version go install -tags remove_all_sd $pkg
MSG
  exit 1
fi

mkdir -p "$cache_dir/$version"
echo "Building promtool $version with 'go install' into $cache_dir/$version (the first build takes several minutes)..." >&2
# remove_all_sd leaves out Prometheus's service-discovery plugins (Kubernetes, the clouds...), most of the
# build: `promtool check metrics` needs none of them.
GOBIN="$cache_dir/$version" go install -tags remove_all_sd "$pkg" >&2
if [[ ! -x "$cached" ]]; then echo "Building $cached failed" >&2; exit 1; fi
echo "promtool built: $cached" >&2
echo "$cached"
