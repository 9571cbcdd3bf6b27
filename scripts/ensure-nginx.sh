#!/usr/bin/env bash
# Makes sure a real Nginx is installed for the proxy tests (test/deploy.test.ts), installing
# Debian's nginx-light when it is missing. Run before the tests by `npm test`; needs root (or sudo).
set -u
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
echo "nginx is missing: installing Debian's nginx-light for the proxy tests" >&2
if ! { $SUDO apt-get install -y -q nginx-light >/dev/null 2>&1 ||
  { $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q nginx-light >/dev/null 2>&1; }; }; then
  echo "could not install nginx-light: the proxy tests will fail (apt-get install nginx-light)." >&2
fi
# The package starts a default site on port 80; the tests run their own Nginx, so stop it.
$SUDO service nginx stop >/dev/null 2>&1 || true
exit 0
