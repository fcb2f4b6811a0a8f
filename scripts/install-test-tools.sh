#!/usr/bin/env bash
# What the tests need beyond Python, from Debian's packages, installed when missing:
#   chromium  headless browser for the browser tests (Playwright drives it; it never downloads one)
#   jq, curl  for the example flows under examples/
#   nginx     the reverse proxy in front of real app processes (rate limits, slow clients)
set -euo pipefail

missing=()
have_chromium() {
  if [ -n "${PERSPECTIEF_CHROMIUM:-}" ] && [ -x "${PERSPECTIEF_CHROMIUM}" ]; then return 0; fi
  for name in chromium chromium-browser google-chrome; do
    if command -v "$name" >/dev/null 2>&1; then return 0; fi
  done
  return 1
}
have_chromium || missing+=(chromium)
for tool in jq curl; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "install-test-tools: installing ${missing[*]} with apt-get" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi

echo "install-test-tools: missing ${missing[*]} and not root: install these packages" \
     "(the tests that need them are skipped without them, and fail in CI)" >&2
if [ -n "${CI:-}" ]; then exit 1; fi
