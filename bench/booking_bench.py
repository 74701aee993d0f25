#!/usr/bin/env python3
"""Booking throughput and latency under concurrent load on PostgreSQL.

Side by side in one run:
  * wrk (outside load generator) drives POST /api/v1/visits on the release binary;
  * pgbench (PostgreSQL's own tool) runs the same transaction in plain SQL against the same
    server: lock client and helper rows, check overlaps and balance, insert visit and ledger row.
    That is the database's ceiling for this work; the ratio shows what HTTP, JSON, auth and the
    service cost on top.
Afterwards it checks what the load did: every 201 is one visit, no balance went negative, and
the ledger adds up.

    cargo build --release
    python3 bench/booking_bench.py [--duration 15] [--connections 16]
"""
import argparse, os, re, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from service import psql, seeded_service  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HELPERS, CLIENTS = 100, 300


SEED = f"""
INSERT INTO branches (name, country, time_zone, currency, centre_lat, centre_lon, active)
  VALUES ('Bench', 'DK', 'Europe/Copenhagen', 'DKK', 56.1567, 10.2108, true);
INSERT INTO helpers (branch_id, name, email, phone, study_programme, skills, languages, home_lat, home_lon,
                     capacity, hours_per_week, status, status_changed_at, applied_at, status_token_hash, created_at, updated_at)
  SELECT 1, 'Helper ' || g, 'h' || g || '@bench.dk', '+4512345678', 'Bench', '["it"]', '["da"]', 56.15, 10.2,
         3, 10, 'active', now(), now(), md5(g::text), now(), now() FROM generate_series(1, {HELPERS}) g;
INSERT INTO clients (branch_id, name, address, lat, lon, needs, languages, preferred_language, wanted, source,
                     municipal_home_care, care_notes, created_at, updated_at)
  SELECT 1, 'Client ' || g, 'Street ' || g, 56.16, 10.21, '["it"]', '["da"]', 'da', 2, 'outreach', false, '', now(), now()
  FROM generate_series(1, {CLIENTS}) g;
INSERT INTO assignments (client_id, helper_id, started_at)
  SELECT g, ((g - 1) % {HELPERS}) + 1, now() FROM generate_series(1, {CLIENTS}) g;
INSERT INTO ledger_entries (client_id, kind, minutes, created_at)
  SELECT g, 'purchase', 1000000, now() FROM generate_series(1, {CLIENTS}) g;
"""

# Each wrk thread books distinct (client, day, hour) slots: no request should meet a conflict.
WRK_LUA = """
local counter = 0
local threads = 1
local started = 0
-- Runs in the main Lua state; `id` becomes a global of each thread's own state.
function setup(thread)
  thread:set("id", started); started = started + 1
end
function init(args)
  threads = tonumber(args[1]); token = args[2]
end
function request()
  local n = id + threads * counter
  counter = counter + 1
  local client = (n %% %d) + 1
  local helper = ((client - 1) %% %d) + 1
  local slot = math.floor((client - 1) / %d)
  local day = math.floor(n / %d)
  local t = os.time({year=2030, month=1, day=1, hour=8 + 2 * slot}) + day * 86400
  local body = string.format('{"client_id":%%d,"helper_id":%%d,"starts_at":"%%s","segments":[{"task":"it","minutes":60}]}',
      client, helper, os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ", t))
  return wrk.format("POST", "/api/v1/visits", {["Content-Type"]="application/json", ["Authorization"]="Bearer " .. token}, body)
end
""" % (CLIENTS, HELPERS, HELPERS, CLIENTS)

PGBENCH_SQL = f"""
\\set client random(1, {CLIENTS})
\\set n random(1, 2000000000)
BEGIN;
UPDATE clients SET updated_at = updated_at WHERE id = :client;
UPDATE helpers SET updated_at = updated_at WHERE id = ((:client - 1) % {HELPERS}) + 1;
SELECT count(*) FROM visits WHERE helper_id = ((:client - 1) % {HELPERS}) + 1 AND status IN ('booked','checked_in')
  AND starts_at < timestamp '2100-01-01' + :n * interval '1 minute' + interval '90 minutes'
  AND ends_at > timestamp '2100-01-01' + :n * interval '1 minute' - interval '30 minutes';
SELECT count(*) FROM visits WHERE client_id = :client AND status IN ('booked','checked_in')
  AND starts_at < timestamp '2100-01-01' + :n * interval '1 minute' + interval '60 minutes'
  AND ends_at > timestamp '2100-01-01' + :n * interval '1 minute';
SELECT kind, minutes FROM ledger_entries WHERE client_id = :client;
INSERT INTO visits (branch_id, client_id, helper_id, starts_at, ends_at, minutes, segments, status, substitute, sequence,
                    late_cancellation, position_flagged, created_at, updated_at)
  VALUES (1, :client, ((:client - 1) % {HELPERS}) + 1, timestamp '2100-01-01' + :n * interval '1 minute',
          timestamp '2100-01-01' + :n * interval '1 minute' + interval '60 minutes', 60, '[]', 'booked', false, 0, false, false, now(), now())
  RETURNING id AS visit \\gset
INSERT INTO ledger_entries (client_id, kind, minutes, visit_id, created_at) VALUES (:client, 'reserve', 60, :visit, now());
COMMIT;
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/release/helpmatch"))
    ap.add_argument("--admin-url", default=os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--duration", type=int, default=15)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--port", type=int, default=18090)
    args = ap.parse_args()
    pgbench = next((p for p in ["/usr/lib/postgresql/15/bin/pgbench", "pgbench"] if os.path.exists(p) or p == "pgbench"))
    with seeded_service(args.binary, args.admin_url, args.port, [SEED],
                        HELPMATCH__DATABASE__MAX_CONNECTIONS=str(args.connections)) as service:
        url, db_url, token = service.url, service.db_url, service.token
        threads = 2
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(WRK_LUA)
        wrk = subprocess.run(["wrk", "-t", str(threads), "-c", str(args.connections), "-d", f"{args.duration}s", "--latency",
                              "-s", lua.name, url, "--", str(threads), token], capture_output=True, text=True, check=True).stdout
        booked = int(psql(db_url, "SELECT count(*) FROM visits"))
        negative = int(psql(db_url, """SELECT count(*) FROM (SELECT client_id, sum(CASE kind WHEN 'purchase' THEN minutes
            WHEN 'release' THEN minutes WHEN 'reserve' THEN -minutes ELSE 0 END) AS a FROM ledger_entries GROUP BY client_id) b WHERE a < 0"""))
        reserved = int(psql(db_url, "SELECT coalesce(sum(minutes), 0) FROM ledger_entries WHERE kind = 'reserve'"))
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
            script.write(PGBENCH_SQL)
        pg_run = subprocess.run([pgbench, "-n", "-c", str(args.connections), "-j", "2", "-T", str(args.duration), "-f", script.name, db_url],
                                capture_output=True, text=True)
        if pg_run.returncode != 0:
            sys.exit(f"pgbench failed: {pg_run.stderr[-2000:]}")
        pg = pg_run.stdout

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1))
    total = int(re.search(r"(\d+) requests in", wrk).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk)
    lat = dict(re.findall(r"\s+(50|90|99)%\s+([\d.]+\w+)", wrk))
    tps = float(re.search(r"tps = ([\d.]+)", pg).group(1))
    pg_lat = re.search(r"latency average = ([\d.]+ ms)", pg).group(1)
    print(f"connections {args.connections}, {args.duration} s each, PostgreSQL on 127.0.0.1")
    print(f"{'':28}{'bookings/s':>12}{'p50':>10}{'p90':>10}{'p99':>10}")
    print(f"{'helpmatch POST /visits (wrk)':28}{rps:>12.0f}{lat.get('50','?'):>10}{lat.get('90','?'):>10}{lat.get('99','?'):>10}")
    print(f"{'same SQL in pgbench':28}{tps:>12.0f}{'avg ' + pg_lat:>30}")
    print(f"service / database ceiling: {rps / tps:.2f}")
    print(f"checks: {total} requests, {non2xx.group(1) if non2xx else 0} non-2xx, {booked} visits stored, "
          f"{reserved} minutes reserved, {negative} negative balances")
    # wrk stops counting at the deadline; up to one request per connection may still complete after it.
    ok = (non2xx is None) and total <= booked <= total + args.connections and reserved == 60 * booked and negative == 0
    print("consistent" if ok else "INCONSISTENT")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
