#!/usr/bin/env bash
# Fuzzes the running service against its own OpenAPI document with schemathesis (PyPI):
# no 5xx, responses conform to the schema. Starts its own service on a temporary SQLite file
# and runs the whole API once per role: a helper's token, a branch leader's, then an admin's
# (in that order, so that an admin run deactivating people cannot spoil the others' runs).
#   pip install schemathesis && scripts/schemathesis.sh [extra schemathesis options]
#   MAX_EXAMPLES=50 (test cases per operation and phase), ROLES="helper leader admin", PORT=18080
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/helpmatch"
work=$(mktemp -d)
port=${PORT:-18080}
base="http://127.0.0.1:$port"
# Not the password in the OpenAPI examples: schemathesis sends those, and POST /me/password with
# the example's current password would change ours and end the token half-way through a run.
password='fuzzing-only-password-not-in-the-examples'
export HELPMATCH__DATABASE__URL="sqlite://$work/fuzz.db" HELPMATCH__SERVER__PORT=$port RUST_LOG=warn
# Mails are written as files into the work folder (the `file` transport), never into data/.
export HELPMATCH__EMAIL__TRANSPORT=file HELPMATCH__EMAIL__FILE_DIR="$work/outbox"
# Every request comes from 127.0.0.1: without this the throttles answer 429 after a handful of
# generated logins, applications and reset requests, and the rest of the run tests nothing.
export HELPMATCH__THROTTLE__LOGIN_FAILURES_PER_ACCOUNT=1000000 \
  HELPMATCH__THROTTLE__LOGIN_FAILURES_PER_ADDRESS=1000000 \
  HELPMATCH__THROTTLE__APPLICATIONS_PER_ADDRESS_PER_HOUR=1000000 \
  HELPMATCH__THROTTLE__PASSWORD_RESETS_PER_ADDRESS_PER_HOUR=1000000 \
  HELPMATCH__THROTTLE__PASSWORD_RESETS_PER_ACCOUNT_PER_HOUR=1000000
echo "$password" | "$bin" create-admin --email fuzz-admin@example.dk >/dev/null
"$bin" seed-demo >/dev/null
"$bin" serve > "$work/service.log" 2>&1 &
service=$!
trap 'kill $service 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -sf "$base/health/ready" >/dev/null && break; sleep 0.2; done

# POST/GET JSON; fails the script on an unexpected status.
api() { # method path token body expected-status
  local out status
  out=$(curl -s -o "$work/answer.json" -w '%{http_code}' -X "$1" "$base$2" \
    -H 'content-type: application/json' ${3:+-H "Authorization: Bearer $3"} ${4:+-d "$4"})
  status=$out
  if [ "$status" != "$5" ]; then
    echo "setup: $1 $2 answered $status, not $5: $(cat "$work/answer.json")" >&2
    exit 1
  fi
  cat "$work/answer.json"
}
field() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }
login() { api POST /api/v1/auth/login "" "{\"email\":\"$1\",\"password\":\"$password\"}" 200 | field '["access_token"]'; }

# The people: a branch from seed-demo, its leader with a password, and an applicant walked to
# active whose invitation link (mailed, kind helper_activated) sets the helper's password.
admin=$(login fuzz-admin@example.dk)
branch=$(api GET /api/v1/branches "$admin" "" 200 | field '["items"][0]["id"]')
api POST /api/v1/users "$admin" \
  "{\"email\":\"fuzz-leader@example.dk\",\"name\":\"Fuzz Leader\",\"role\":\"branch_leader\",\"branch_id\":$branch,\"password\":\"$password\"}" \
  201 >/dev/null
leader=$(login fuzz-leader@example.dk)
helper_id=$(api POST /api/v1/applications "" \
  "{\"branch_id\":$branch,\"name\":\"Fuzz Helper\",\"email\":\"fuzz-helper@example.dk\",\"phone\":\"+45 12 34 56 78\",\"study_programme\":\"Medicine\",\"skills\":[\"it\"],\"languages\":[\"da\"],\"home\":{\"lat\":56.16,\"lon\":10.2},\"capacity\":3,\"hours_per_week\":6}" \
  201 | field '["helper_id"]')
today=$(date -u +%F)
for move in '{"to":"screened"}' '{"to":"interview_1"}' '{"to":"interview_2"}' \
  "{\"to\":\"interview_3\",\"criminal_record\":{\"checked_on\":\"$today\",\"outcome\":\"clear\"}}" \
  '{"to":"active"}'; do
  api POST "/api/v1/helpers/$helper_id/transitions" "$leader" "$move" 200 >/dev/null
done
# The invitation as mailed: the newest helper_activated mail's set-password link (read from the
# outbox table, where the body keeps it whether or not the worker has written the file yet).
invitation=$(python3 - "$work/fuzz.db" <<'PY'
import re, sqlite3, sys
row = sqlite3.connect(sys.argv[1]).execute(
    "SELECT text_body FROM outbox WHERE recipient = 'fuzz-helper@example.dk' "
    "AND kind = 'helper_activated' ORDER BY id DESC LIMIT 1").fetchone()
print(re.search(r"set-password\?token=([A-Za-z0-9_-]+)", row[0]).group(1))
PY
)
api POST /api/v1/auth/accept-invitation "" "{\"token\":\"$invitation\",\"password\":\"$password\"}" 204 >/dev/null

status=0
for role in ${ROLES:-helper leader admin}; do
  case $role in
    helper) email=fuzz-helper@example.dk ;;
    leader) email=fuzz-leader@example.dk ;;
    admin) email=fuzz-admin@example.dk ;;
    *) echo "unknown role $role" >&2; exit 2 ;;
  esac
  # A fresh token per run: access tokens last 15 minutes.
  token=$(login "$email")
  echo "== schemathesis as $role ($email)"
  # From the work folder: schemathesis keeps its cache and reports in the current folder.
  (cd "$work" && schemathesis run "$base/api/v1/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "${MAX_EXAMPLES:-50}" "$@") || status=1
done
if grep -q 'panicked' "$work/service.log"; then
  echo "the service panicked:" >&2
  grep -A5 'panicked' "$work/service.log" >&2
  status=1
fi
exit $status
