#!/usr/bin/env bash
# Fuzzes the running service against its own OpenAPI document with schemathesis (PyPI):
# no 5xx, responses conform to the schema. Starts its own service on a temporary SQLite file.
#   pip install schemathesis && scripts/schemathesis.sh [extra schemathesis options]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/helpmatch"
work=$(mktemp -d)
port=${PORT:-18080}
export HELPMATCH__DATABASE__URL="sqlite://$work/fuzz.db" HELPMATCH__SERVER__PORT=$port RUST_LOG=warn
echo 'a-long-enough-password' | "$bin" create-admin --email admin@example.dk >/dev/null
"$bin" seed-demo >/dev/null
"$bin" serve > "$work/service.log" 2>&1 &
service=$!
trap 'kill $service 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done
token=$(curl -s "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"admin@example.dk","password":"a-long-enough-password"}' \
  | python3 -c 'import sys, json; print(json.load(sys.stdin)["access_token"])')
schemathesis run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "${MAX_EXAMPLES:-50}" "$@"
