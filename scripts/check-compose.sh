#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine (`config` needs none): the file parses and
# matches the compose schema, and the worker service stays scalable (no container_name, no host port).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v docker-compose >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing docker-compose (Debian package)..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  else
    echo "docker-compose not found; install it (e.g. apt-get install docker-compose)" >&2
    exit 1
  fi
fi

docker-compose config -q
echo "docker-compose.yml: valid"

# The resolved worker service: from its line to the next top-level service key.
worker="$(docker-compose config | awk '/^services:/{s=1; next} s && /^  [a-z]/{w=($0=="  worker:")} s && w')"
if [[ -z "$worker" ]]; then echo "no worker service in docker-compose config" >&2; exit 1; fi
if grep -q '^    container_name:' <<<"$worker"; then
  echo "worker has a container_name: it could not be scaled" >&2; exit 1
fi
if grep -q '^    ports:' <<<"$worker"; then
  echo "worker publishes ports: replicas would collide on the host" >&2; exit 1
fi
echo "worker: scalable (no container_name, no published ports)"
