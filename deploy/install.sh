#!/usr/bin/env bash
# Installs or upgrades the BerinIA SMS webhook on a Debian host, from a checkout of this repository.
# Idempotent: run it again after `git pull` to upgrade. Needs root, Node 22 or 24 (LTS; 20 still runs
# it), and a Postgres reachable at the DATABASE_URL of /etc/berinia-webhook/env.
#   --dry-run     prints the steps without doing them
#   --code DIR    only the code step, into DIR (no root needed): copy, npm ci, build, prune dev
#                 dependencies; what test/install.test.ts runs to try the tools in the installed layout
set -euo pipefail

APP_DIR=/opt/berinia-webhook
ETC_DIR=/etc/berinia-webhook
ENV_FILE=$ETC_DIR/env
STATE_DIR=/var/lib/berinia-webhook
SERVICE_USER=berinia
SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Two instances behind Nginx's upstream (deploy/nginx/berinia-webhook.conf), restarted one at a
# time; UNITS=berinia-webhook.service for a single one on 8001.
UNITS=${UNITS:-berinia-webhook@8001.service berinia-webhook@8002.service}

DRY_RUN=0
CODE_ONLY=0
if [[ $# -eq 1 && $1 == --dry-run ]]; then DRY_RUN=1; elif [[ $# -eq 2 && $1 == --code ]]; then
  CODE_ONLY=1
  APP_DIR=$2
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--dry-run | --code DIR]" >&2
  exit 2
fi

step() { echo "==> $*"; }
run() {
  if ((DRY_RUN)); then echo "    $*"; else "$@"; fi
}

# The code in APP_DIR: the checkout without its local state, production dependencies, compiled. The
# operator tools then run from dist/ (scripts/tool.mjs picks it when tsx, a dev dependency, is gone).
install_code() {
  # Anchored patterns (leading /): an unanchored `data` would also drop adapters/interpreter/data,
  # the interpreter's model, and the build would fail.
  run rsync -a --delete --exclude /.git --exclude node_modules --exclude /data --exclude /.env \
    --exclude /dist --exclude /coverage --exclude /.tap "$SOURCE_DIR/" "$APP_DIR/"
  run npm --prefix "$APP_DIR" ci --no-audit --no-fund
  run npm --prefix "$APP_DIR" run build
  run npm --prefix "$APP_DIR" prune --omit=dev --no-audit --no-fund
}

if ((CODE_ONLY)); then
  step "code only: $APP_DIR"
  mkdir -p "$APP_DIR"
  install_code
  exit 0
fi

if ((!DRY_RUN)) && [[ $(id -u) -ne 0 ]]; then
  echo "install.sh: run as root (or with --dry-run to see the steps)" >&2
  exit 1
fi

step "system user $SERVICE_USER (no shell, no home)"
if ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
  run useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
fi

step "directories: code in $APP_DIR (root-owned, read-only to the service), state in $STATE_DIR"
run install -d -o root -g root -m 0755 "$APP_DIR"
run install -d -o root -g root -m 0700 "$ETC_DIR"
run install -d -o "$SERVICE_USER" -g "$SERVICE_USER" -m 0700 "$STATE_DIR"

step "code: copy the checkout, install production dependencies, compile"
install_code

step "environment file $ENV_FILE (root:root 0600: systemd reads it, the service user cannot)"
# The production template: secrets and URLs only; the units decide NODE_ENV, HOST, PORT, DATA_DIR.
if [[ ! -f $ENV_FILE ]]; then
  run install -o root -g root -m 0600 "$SOURCE_DIR/deploy/berinia-webhook.env" "$ENV_FILE"
  echo "    edit $ENV_FILE (TWILIO_TOKEN, PUBLIC_URL, DATABASE_URL), then run this script again"
  ((DRY_RUN)) || exit 0
fi
run chown root:root "$ENV_FILE"
run chmod 0600 "$ENV_FILE"
# A file copied from .env.example by an older install.sh sets NODE_ENV=development and PORT=8001,
# which would override the units: refuse before restarting anything.
run bash "$SOURCE_DIR/deploy/check-env.sh" "$ENV_FILE"

step "database migrations"
run bash -c "set -a && . '$ENV_FILE' && set +a && NODE_ENV=production exec node '$APP_DIR/dist/app/cli/migrate.js'"

step "systemd units: $UNITS"
run install -o root -g root -m 0644 "$SOURCE_DIR/deploy/systemd/berinia-webhook.service" /etc/systemd/system/
run install -o root -g root -m 0644 "$SOURCE_DIR/deploy/systemd/berinia-webhook@.service" /etc/systemd/system/
run install -o root -g root -m 0644 "$SOURCE_DIR/deploy/systemd/berinia-webhook-purge.service" /etc/systemd/system/
run install -o root -g root -m 0644 "$SOURCE_DIR/deploy/systemd/berinia-webhook-purge.timer" /etc/systemd/system/
run systemctl daemon-reload
# The daily purge of personal data past RETENTION_DAYS (GDPR storage limitation).
run systemctl enable --now berinia-webhook-purge.timer
# The single unit and the instances both use 8001: only the chosen ones may run.
for other in berinia-webhook.service berinia-webhook@8001.service; do
  if [[ " $UNITS " != *" $other "* ]]; then run systemctl disable --now "$other"; fi
done
# A rolling restart: the next instance restarts only once this one answers /readyz again, so
# Nginx always has one to send webhooks to.
for unit in $UNITS; do
  port=8001
  if [[ $unit =~ @([0-9]+)\.service$ ]]; then port=${BASH_REMATCH[1]}; fi
  run systemctl enable "$unit"
  run systemctl restart "$unit"
  run bash -c "for i in \$(seq 60); do curl -fsS -o /dev/null 127.0.0.1:$port/readyz && exit 0; sleep 1; done; echo '$unit is not ready: journalctl -u $unit' >&2; exit 1"
done

step "done: check with 'systemctl status $UNITS' and 'curl -s 127.0.0.1:8001/readyz'"
