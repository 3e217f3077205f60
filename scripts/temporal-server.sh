#!/usr/bin/env bash
# Prints the path of one of the production engine's binaries, building it once if none can be found:
#   bash scripts/temporal-server.sh server   # the Temporal server (frontend, history, matching, worker services)
#   bash scripts/temporal-server.sh sql      # temporal-sql-tool (creates and migrates Temporal's databases)
#   bash scripts/temporal-server.sh ui       # the Temporal Web UI server
#   bash scripts/temporal-server.sh all      # all three, one path a line (builds what is missing)
# Order for each: its env override (TEMPORAL_SERVER_BIN, TEMPORAL_SQL_TOOL, TEMPORAL_UI_SERVER), the same
# program on PATH (temporal-server, temporal-sql-tool, ui-server), the cached build, else `go install` into
# the cache ($HOOKRELAY_CLUSTER_CACHE_DIR, default .cache/cluster in the project). The server and the tool
# build in ~2.5 min together, the UI server in ~20 s.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_dir="${HOOKRELAY_CLUSTER_CACHE_DIR:-$root/.cache/cluster}"
source "$root/scripts/temporal-versions.sh"
server_version="${TEMPORAL_SERVER_VERSION:-$TEMPORAL_SERVER_DEFAULT_VERSION}"
ui_version="${TEMPORAL_UI_VERSION:-$TEMPORAL_UI_DEFAULT_VERSION}"
# Both modules name their binary `server`: each version gets a directory of its own.
server_dir="$cache_dir/temporal-$server_version"
ui_dir="$cache_dir/ui-$ui_version"

need_go() {
  if command -v go >/dev/null 2>&1; then return; fi
  cat >&2 <<MSG
No $1 found and no Go toolchain to build it. Either put it on PATH (or point $2 at it),
or install Go (https://go.dev/doc/install) and run this again to build it:
  GOBIN=$3 go install $4
MSG
  exit 1
}

build_server() {
  local pkgs="go.temporal.io/server/cmd/server@$server_version go.temporal.io/server/cmd/tools/sql@$server_version"
  need_go "Temporal server" TEMPORAL_SERVER_BIN "$server_dir" "$pkgs"
  mkdir -p "$server_dir"
  echo "Building the Temporal server and temporal-sql-tool $server_version into $server_dir (~2.5 min the first time)..." >&2
  # shellcheck disable=SC2086
  GOBIN="$server_dir" go install $pkgs >&2
}

build_ui() {
  local pkg="github.com/temporalio/ui-server/v2/cmd/server@$ui_version"
  need_go "Temporal Web UI server" TEMPORAL_UI_SERVER "$ui_dir" "$pkg"
  mkdir -p "$ui_dir"
  echo "Building the Temporal Web UI server $ui_version into $ui_dir (~20 s the first time)..." >&2
  GOBIN="$ui_dir" go install "$pkg" >&2
}

# find <override variable> <name on PATH> <cached file> <build function>
find_bin() {
  local override="${!1:-}"
  if [[ -n "$override" ]]; then
    if [[ -x "$override" ]]; then echo "$override"; return; fi
    echo "$1=$override is not an executable file" >&2; exit 1
  fi
  if command -v "$2" >/dev/null 2>&1; then command -v "$2"; return; fi
  if [[ ! -x "$3" ]]; then "$4"; fi
  if [[ ! -x "$3" ]]; then echo "Building $3 failed" >&2; exit 1; fi
  echo "$3"
}

case "${1:-}" in
  server) find_bin TEMPORAL_SERVER_BIN temporal-server "$server_dir/server" build_server ;;
  sql) find_bin TEMPORAL_SQL_TOOL temporal-sql-tool "$server_dir/sql" build_server ;;
  ui) find_bin TEMPORAL_UI_SERVER ui-server "$ui_dir/server" build_ui ;;
  all)
    find_bin TEMPORAL_SERVER_BIN temporal-server "$server_dir/server" build_server
    find_bin TEMPORAL_SQL_TOOL temporal-sql-tool "$server_dir/sql" build_server
    find_bin TEMPORAL_UI_SERVER ui-server "$ui_dir/server" build_ui
    ;;
  *) echo "usage: $0 server|sql|ui|all" >&2; exit 2 ;;
esac
