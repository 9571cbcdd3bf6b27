#!/usr/bin/env bash
# Makes sure the Postgres the tests use (TEST_DATABASE_URL, default 127.0.0.1:5432) answers,
# starting the local cluster when it is stopped. Run before the tests by `npm test`.
set -u
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then exit 0; fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  echo "postgres is not answering on 127.0.0.1:5432: starting the local cluster" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start >&2 || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && exit 0; sleep 1; done
fi
echo "postgres is not reachable at 127.0.0.1:5432 (trust auth expected): the database tests will fail." >&2
echo "start it, or point TEST_DATABASE_URL at one (postgres://user@host:port/postgres)." >&2
exit 0
