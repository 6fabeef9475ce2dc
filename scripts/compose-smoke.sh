#!/usr/bin/env bash
# Smoke test of docker-compose.yml as a user runs it: up, a write through the API, EventStoreDB restarted under the
# running ledger, then the write is still there, a new write works, the feed and the read models carry both, and
# /health/ready is green. Always ends with `docker compose down -v`. Needs Docker with the compose plugin, curl, jq.
# Used by .github/workflows/eventstoredb.yml; nothing here has run on the machine it was written on (no Docker).
set -euo pipefail
cd "$(dirname "$0")/.."

API="${LEDGER_URL:-http://localhost:3000}"
WAIT_SECONDS="${SMOKE_WAIT_SECONDS:-180}"
RUN_ID="$(date +%s)"
BODY="$(mktemp)"

step() { printf '\n== %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
fail() {
  printf '\nSMOKE FAILED: %s\n' "$*" >&2
  printf -- '--- docker compose ps\n' >&2
  docker compose ps >&2 || true
  printf -- '--- last log lines\n' >&2
  docker compose logs --no-color --tail 80 >&2 || true
  exit 1
}
cleanup() {
  step "docker compose down -v"
  docker compose down -v --remove-orphans || true
  rm -f "$BODY"
}
trap cleanup EXIT

# request METHOD PATH TOKEN [JSON] -> prints the status code, body in $BODY
request() {
  local method="$1" path="$2" token="$3" data="${4:-}"
  local args=(-sS -o "$BODY" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $token")
  if [ -n "$data" ]; then args+=(-H 'Content-Type: application/json' --data "$data"); fi
  curl "${args[@]}" "$API$path" || echo 000
}

# until SECONDS WHAT COMMAND... : retries COMMAND every 2 s until it succeeds or SECONDS pass
until_ok() {
  local seconds="$1" what="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$what: not within ${seconds} s (last answer: $(head -c 300 "$BODY" 2>/dev/null))"
    sleep 2
  done
  ok "$what"
}

ready() { [ "$(curl -sS -o "$BODY" -w '%{http_code}' "$API/health/ready" || echo 000)" = 200 ]; }
eventstore_healthy() { [ "$(docker inspect -f '{{.State.Health.Status}}' "$(docker compose ps -q eventstore)")" = healthy ]; }
party_json() { jq -cn --arg id "$1" '{partyId: $id, name: ("Smoke test " + $id), kind: "armed-group", aliases: []}'; }
# A write may meet a 503 (with Retry-After) while the node comes back: the client's part is to retry it.
write_party() { [ "$(request POST /parties "$RECORDER" "$(party_json "$1")")" = 201 ]; }
party_readable() { [ "$(request GET "/parties/$1" "$READER")" = 200 ]; }
# Pages through the whole feed (ledger events as CloudEvents) and looks for an event naming the party.
in_feed() {
  local after=0 status
  while :; do
    status="$(request GET "/feed/events?after=$after&limit=500" "$INTEGRATOR")"
    [ "$status" = 200 ] || return 1
    jq -e --arg id "$1" '[.items[] | tostring | contains($id)] | any' "$BODY" >/dev/null && return 0
    local next head
    next="$(jq -r .next "$BODY")"
    head="$(jq -r .head "$BODY")"
    [ "$next" != "$after" ] && [ "$next" != "$head" ] || return 1
    after="$next"
  done
}

step "docker compose up --build --wait"
docker compose up --build --wait --wait-timeout "$WAIT_SECONDS" || fail "the services did not all become healthy"

step "tokens from the ledger's volume (/data/initial-tokens.txt)"
TOKENS="$(docker compose exec -T ledger cat /data/initial-tokens.txt)" || fail "cannot read /data/initial-tokens.txt in the ledger container"
token_of() { awk -v p="initial-$1" '$1 == p { print $3 }' <<<"$TOKENS"; }
RECORDER="$(token_of recorder)"
READER="$(token_of reader)"
INTEGRATOR="$(token_of integrator)"
[ -n "$RECORDER" ] && [ -n "$READER" ] && [ -n "$INTEGRATOR" ] || fail "the tokens file has no recorder, reader or integrator token"
ok "recorder, reader and integrator tokens"

step "the ledger is ready"
until_ok "$WAIT_SECONDS" "/health/ready answers 200" ready

BEFORE="smoke-before-$RUN_ID"
AFTER="smoke-after-$RUN_ID"
step "a write through the API: party $BEFORE"
until_ok 60 "POST /parties $BEFORE answered 201" write_party "$BEFORE"
until_ok 60 "GET /parties/$BEFORE answers 200" party_readable "$BEFORE"

step "restart the EventStoreDB container under the running ledger"
docker compose restart eventstore
until_ok "$WAIT_SECONDS" "EventStoreDB is healthy again" eventstore_healthy

step "after the restart"
until_ok "$WAIT_SECONDS" "a new write, POST /parties $AFTER, answered 201" write_party "$AFTER"
until_ok 60 "the earlier write is still readable (GET /parties/$BEFORE)" party_readable "$BEFORE"
until_ok 60 "the read models took the new write (GET /parties/$AFTER)" party_readable "$AFTER"
until_ok 60 "the feed carries the earlier write" in_feed "$BEFORE"
until_ok 60 "the feed carries the new write" in_feed "$AFTER"
until_ok 60 "/health/ready answers 200" ready
[ "$(docker inspect -f '{{.State.Running}}' "$(docker compose ps -q ledger)")" = true ] || fail "the ledger container is not running"
ok "the ledger container kept running"

printf '\nSMOKE PASSED: write, EventStoreDB restart, feed and read models resumed.\n'
