# Shared by the example flows: where the API is, dev tokens, and curl that fails loudly.
#
#   API      the API base (default http://127.0.0.1:8000/api/v1, as served by `make run`)
#   TEAM, GP, OFFICER
#            tokens; by default dev tokens for the demo region from `perspectief token --demo`
#
# Needs bash, curl (7.76 or later) and jq; the dev tokens need PERSPECTIEF_ENV dev or test.

API=${API:-http://127.0.0.1:8000/api/v1}
EXAMPLES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# perspectief ARGS…: the project's command (on PATH, else the project's .venv)
perspectief() {
  if type -P perspectief >/dev/null; then
    command perspectief "$@"
  else
    "$EXAMPLES/../.venv/bin/perspectief" "$@"
  fi
}

# token ROLE [options…]: a dev token; the claims the role needs default to the demo region's
token() { local role=$1; shift; perspectief token --role "$role" --demo "$@"; }

TEAM=${TEAM:-$(token district_professional)}
GP=${GP:-$(token gp)}
OFFICER=${OFFICER:-$(token municipality_officer)}

# call TOKEN CURL-ARGS…: a JSON request; prints the response body. On an HTTP error the
# problem+json goes to stderr and the call fails (so `set -e` stops the flow right there).
call() {
  local token=$1 body
  shift
  if ! body=$(curl -sS --fail-with-body -H "Authorization: Bearer $token" \
                   -H 'Content-Type: application/json' "$@"); then
    echo "failed: ${*: -1} → ${body:-no response}" >&2
    return 1
  fi
  printf '%s\n' "$body"
}

# version_after TOKEN CURL-ARGS…: a write to a versioned resource; prints its new ETag version.
version_after() {
  local token=$1 headers body
  shift
  headers=$(mktemp) body=$(mktemp)
  if ! curl -sS --fail-with-body -D "$headers" -o "$body" -H "Authorization: Bearer $token" \
            -H 'Content-Type: application/json' "$@"; then
    echo "failed: ${*: -1} → $(cat "$body")" >&2
    rm -f "$headers" "$body"
    return 1
  fi
  tr -d '\r' <"$headers" | awk -F'"' 'tolower($1) ~ /^etag/ {print $2}'
  rm -f "$headers" "$body"
}

# new_bsn: a fresh fictitious BSN (99…) that passes the 11-proef, so each run registers anew.
new_bsn() {
  local digits sum i check
  while :; do
    digits=99$(printf '%06d' $(( (RANDOM * 32768 + RANDOM) % 1000000 )))
    sum=0
    for i in 0 1 2 3 4 5 6 7; do sum=$(( sum + ${digits:i:1} * (9 - i) )); done
    check=$(( sum % 11 ))
    if [ "$check" -le 9 ]; then echo "$digits$check"; return; fi
  done
}

# step TEXT: a heading between the steps of a flow
step() { printf '\n== %s\n' "$*"; }
