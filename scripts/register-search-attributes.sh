#!/usr/bin/env bash
# Registers hookrelay's custom search attributes (src/temporal/search-attributes.ts) on an existing
# Temporal cluster, so workflows can be started with them and filtered by them in the Web UI.
# Idempotent: an attribute that already exists with the same type is fine; a different type is an error.
#
#   TEMPORAL_ADDRESS=temporal.internal:7233 TEMPORAL_NAMESPACE=prod bash scripts/register-search-attributes.sh
#
# TEMPORAL_WAIT_SECONDS (default 0) keeps retrying that long while the server or the namespace is not
# there yet: docker-compose runs this beside a server that is still creating its default namespace.
set -euo pipefail

address="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
namespace="${TEMPORAL_NAMESPACE:-default}"
wait_seconds="${TEMPORAL_WAIT_SECONDS:-0}"
attributes=(HookrelayTenant HookrelayEnvironment HookrelayEventType HookrelayOutcome)
type=Keyword

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cli="$(bash "$here/temporal-cli.sh")"
deadline=$((SECONDS + wait_seconds))

# Retries a command until it succeeds or the deadline passes; prints its last output on failure.
retry() {
  local out
  until out="$("$@" 2>&1)"; do
    if ((SECONDS >= deadline)); then printf '%s\n' "$out" >&2; return 1; fi
    sleep 2
  done
}

if ! retry "$cli" operator namespace describe --address "$address" --namespace "$namespace"; then
  echo "No namespace '$namespace' at $address (or no Temporal there)" >&2
  exit 1
fi

for name in "${attributes[@]}"; do
  while :; do
    if out="$("$cli" operator search-attribute create --address "$address" --namespace "$namespace" \
      --name "$name" --type "$type" 2>&1)"; then
      echo "$name ($type): registered"
      break
    fi
    # Newer CLIs succeed on an identical attribute; older ones (and a concurrent creator) say "already exists".
    if [[ "$out" == *"already exists"* && "$out" != *"different type"* ]]; then
      echo "$name ($type): already registered"
      break
    fi
    if [[ "$out" == *"different type"* ]] || ((SECONDS >= deadline)); then
      printf 'Could not register %s on %s (namespace %s):\n%s\n' "$name" "$address" "$namespace" "$out" >&2
      exit 1
    fi
    sleep 2 # e.g. a namespace just created and not yet in every frontend's cache
  done
done
