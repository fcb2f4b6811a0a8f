#!/usr/bin/env bash
# Headless Chromium for the browser tests: Debian's package, installed when none is found.
# (Browsers are never downloaded by Playwright itself; it drives the system's.)
set -euo pipefail

if [ -n "${PERSPECTIEF_CHROMIUM:-}" ] && [ -x "${PERSPECTIEF_CHROMIUM}" ]; then exit 0; fi
for name in chromium chromium-browser google-chrome; do
  if command -v "$name" >/dev/null 2>&1; then exit 0; fi
done

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: installing chromium with apt-get" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi

echo "install-browser: no Chromium found and not root: install the 'chromium' package" \
     "(the browser tests are skipped without it, and fail in CI)" >&2
if [ -n "${CI:-}" ]; then exit 1; fi
