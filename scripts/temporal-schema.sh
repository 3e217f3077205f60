#!/usr/bin/env bash
# Creates Temporal's two PostgreSQL databases if they are missing and brings their schemas to the
# version this temporal-sql-tool ships (schemas embedded in the tool: postgresql/v12/{temporal,visibility}).
# Idempotent: on databases already set up it changes nothing (or applies only the newer versions).
# `npm run dev:cluster` runs it on the local PostgreSQL; docker-compose runs it as a one-shot job in
# the temporalio/admin-tools image. The variables are the server config's (deploy/temporal/config):
#   POSTGRES_SEEDS (127.0.0.1)  DB_PORT (5432)  POSTGRES_USER (postgres)  POSTGRES_PWD ('')
#   DBNAME (temporal)  VISIBILITY_DBNAME (temporal_visibility)
#   TEMPORAL_SQL_TOOL: the tool (default: temporal-sql-tool on PATH, else found or built by temporal-server.sh)
#   TEMPORAL_WAIT_SECONDS (0): keep retrying that long while PostgreSQL does not answer yet
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tool="${TEMPORAL_SQL_TOOL:-}"
if [[ -z "$tool" ]]; then
  tool="$(command -v temporal-sql-tool 2>/dev/null || bash "$here/temporal-server.sh" sql)"
fi
host="${POSTGRES_SEEDS:-127.0.0.1}"
port="${DB_PORT:-5432}"
user="${POSTGRES_USER:-postgres}"
password="${POSTGRES_PWD:-}"
wait_seconds="${TEMPORAL_WAIT_SECONDS:-0}"
deadline=$((SECONDS + wait_seconds))

sql() { "$tool" --plugin postgres12 --endpoint "$host" --port "$port" --user "$user" --password "$password" "$@"; }
# The tool logs every statement: its output is shown only when it fails.
quiet() { local out; if ! out="$("$@" 2>&1)"; then printf '%s\n' "$out" >&2; return 1; fi; }

setup() {
  local db="$1" schema="$2" out
  # CREATE DATABASE has no IF NOT EXISTS in PostgreSQL: an existing database is the idempotent case.
  until out="$(sql --database "$db" create-database --defaultdb postgres 2>&1)"; do
    if [[ "$out" == *"already exists"* ]]; then break; fi
    if ((SECONDS >= deadline)); then
      printf 'Could not create database %s on %s:%s:\n%s\n' "$db" "$host" "$port" "$out" >&2
      return 1
    fi
    sleep 2
  done
  # setup-schema only creates the version tables (and records 0.0 when nothing newer is there);
  # update-schema applies every versioned step above the database's current version.
  quiet sql --database "$db" setup-schema --version 0.0
  quiet sql --database "$db" update-schema --schema-name "$schema"
  echo "$db: schema $schema up to date"
}

setup "${DBNAME:-temporal}" postgresql/v12/temporal
setup "${VISIBILITY_DBNAME:-temporal_visibility}" postgresql/v12/visibility
