#!/usr/bin/env bash
# Checks an environment file for the systemd units (deploy/install.sh runs it on
# /etc/berinia-webhook/env): it must not set what the units decide. systemd gives EnvironmentFile=
# precedence over Environment= (systemd.exec(5)), so NODE_ENV=development there would run the
# production service as development, and PORT=8001 would make every berinia-webhook@PORT instance
# bind 8001. Exit 0 when the file is fine; 1 with the offending lines named otherwise.
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 ENV_FILE" >&2
  exit 2
fi
file=$1
# The variables the units set themselves (Environment= in deploy/systemd/*.service).
decided='NODE_ENV|HOST|PORT|DATA_DIR'
found=$(grep -nE "^[[:space:]]*(export[[:space:]]+)?($decided)[[:space:]]*=" "$file" || true)
if [[ -n $found ]]; then
  echo "$file sets what the systemd unit decides (it would override the unit): remove these lines" >&2
  echo "$found" | sed 's/^/    line /' >&2
  exit 1
fi
