#!/usr/bin/env bash
# Registers hookrelay's custom search attributes (src/temporal/search-attributes.ts) on an existing
# Temporal cluster, so workflows can be started with them and filtered by them in the Web UI.
# Idempotent: an attribute that already exists with the same type is fine; a different type is an error.
#
#   TEMPORAL_ADDRESS=temporal.internal:7233 TEMPORAL_NAMESPACE=prod bash scripts/register-search-attributes.sh
#
# TEMPORAL_WAIT_SECONDS (default 0) keeps retrying that long while the server or the namespace is not
# there yet: docker-compose runs this beside a server that is still starting.
# TEMPORAL_CREATE_NAMESPACE=true registers the namespace first when it is missing (a new self-hosted
# cluster has none; TEMPORAL_NAMESPACE_RETENTION, default 72h, is how long closed workflows are kept).
# A secured frontend: the same TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_NAME,
# TEMPORAL_TLS and TEMPORAL_API_KEY as hookrelay's processes (docs/operations.md, "Temporal Cloud and mTLS").
set -euo pipefail

address="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
namespace="${TEMPORAL_NAMESPACE:-default}"
wait_seconds="${TEMPORAL_WAIT_SECONDS:-0}"
attributes=(HookrelayTenant HookrelayEnvironment HookrelayEventType HookrelayOutcome)
type=Keyword

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cli="$(bash "$here/temporal-cli.sh")"
deadline=$((SECONDS + wait_seconds))

# hookrelay's variables as the CLI's flags (src/temporal/connection-options.ts does the same for the SDK).
conn=(--address "$address" --namespace "$namespace")
if [[ -n "${TEMPORAL_TLS_CERT:-}${TEMPORAL_TLS_KEY:-}${TEMPORAL_TLS_CA:-}${TEMPORAL_TLS_SERVER_NAME:-}" || "${TEMPORAL_TLS:-}" == "true" ]]; then
  conn+=(--tls)
  for pair in "TEMPORAL_TLS_CERT:--tls-cert-path" "TEMPORAL_TLS_KEY:--tls-key-path" "TEMPORAL_TLS_CA:--tls-ca-path"; do
    var="${pair%%:*}"
    if [[ -n "${!var:-}" ]]; then
      if [[ ! -r "${!var}" ]]; then echo "$var=${!var}: no such file or not readable" >&2; exit 1; fi
      conn+=("${pair#*:}" "${!var}")
    fi
  done
  if [[ -n "${TEMPORAL_TLS_SERVER_NAME:-}" ]]; then conn+=(--tls-server-name "$TEMPORAL_TLS_SERVER_NAME"); fi
fi
if [[ -n "${TEMPORAL_API_KEY:-}" ]]; then conn+=(--api-key "$TEMPORAL_API_KEY"); fi

# Retries a command until it succeeds or the deadline passes; prints its last output on failure.
retry() {
  local out
  until out="$("$@" 2>&1)"; do
    if ((SECONDS >= deadline)); then printf '%s\n' "$out" >&2; return 1; fi
    sleep 2
  done
}

if [[ "${TEMPORAL_CREATE_NAMESPACE:-false}" == "true" ]]; then
  # `describe` first: the server must answer before "not found" means anything.
  until out="$("$cli" operator namespace describe "${conn[@]}" 2>&1)"; do
    if [[ "$out" == *"not found"* || "$out" == *"NotFound"* ]]; then
      if out="$("$cli" operator namespace create "${conn[@]}" --retention "${TEMPORAL_NAMESPACE_RETENTION:-72h}" 2>&1)" \
        || [[ "$out" == *"already"* ]]; then
        echo "namespace $namespace: registered"
        break
      fi
    fi
    if ((SECONDS >= deadline)); then printf '%s\n' "$out" >&2; exit 1; fi
    sleep 2
  done
fi

if ! retry "$cli" operator namespace describe "${conn[@]}"; then
  echo "No namespace '$namespace' at $address (or no Temporal there)" >&2
  exit 1
fi

for name in "${attributes[@]}"; do
  while :; do
    if out="$("$cli" operator search-attribute create "${conn[@]}" --name "$name" --type "$type" 2>&1)"; then
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
