#!/usr/bin/env bash
# Prints the path of a Temporal CLI binary, building it once if none can be found.
# Order: $TEMPORAL_CLI, `temporal` on PATH, the project's cached build, else `go install` into the cache.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_dir="${HOOKRELAY_CACHE_DIR:-$root/.cache/temporal}"
cached="$cache_dir/bin/temporal"
source "$root/scripts/temporal-versions.sh"
version="${TEMPORAL_CLI_VERSION:-$TEMPORAL_CLI_DEFAULT_VERSION}"

if [[ -n "${TEMPORAL_CLI:-}" ]]; then
  if [[ -x "$TEMPORAL_CLI" ]]; then echo "$TEMPORAL_CLI"; exit 0; fi
  echo "TEMPORAL_CLI=$TEMPORAL_CLI is not an executable file" >&2; exit 1
fi
if on_path="$(command -v temporal 2>/dev/null)"; then echo "$on_path"; exit 0; fi
if [[ -x "$cached" ]]; then echo "$cached"; exit 0; fi

if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<MSG
No Temporal CLI found and no Go toolchain to build one.
Either install the Temporal CLI and put 'temporal' on PATH, point TEMPORAL_CLI at the binary,
or install Go (https://go.dev/doc/install) and run this again to build it:
  go install github.com/temporalio/cli/cmd/temporal@$version
MSG
  exit 1
fi

mkdir -p "$cache_dir/bin"
echo "Building the Temporal CLI $version with 'go install' into $cache_dir/bin (the first build takes several minutes)..." >&2
# The default is the newest tag that builds with plain 'go install'; fall back to v1.4.1 if it fails.
if ! GOBIN="$cache_dir/bin" go install "github.com/temporalio/cli/cmd/temporal@$version" >&2; then
  echo "Building $version failed; trying v1.4.1" >&2
  GOBIN="$cache_dir/bin" go install "github.com/temporalio/cli/cmd/temporal@v1.4.1" >&2
fi
echo "Temporal CLI built: $cached" >&2
echo "$cached"
