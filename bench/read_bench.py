#!/usr/bin/env python3
"""Single-record reads on PostgreSQL, beside the database doing the same work in plain SQL.

    cargo build --release
    python3 bench/read_bench.py [--duration 10] [--connections 16]

In one run, against one PostgreSQL server and one seeded database:
  * wrk (outside load generator) reads GET /api/v1/clients/{id}, /visits/{id}, /helpers/{id}
    (as an admin, ids rotating) and the helper's week GET /api/v1/me/visits (as the helper);
  * pgbench runs the single-row SELECT of a client (the floor: what the database answers with
    nothing on top) and the same work done naively in SQL: that SELECT plus its audit row,
    committed (every read of personal data is audited, and the answer may only go out once
    its audit row is durable).
Ratios are against the plain SELECT's rate in the same run (issue 17, item 4: single-record
reads at >= 0.35x, the helper's week at >= 0.2x, p99 under 20 ms).
"""
import argparse, os, re, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from booking_bench import CLIENTS, ROOT, SEED  # noqa: E402
from service import PASSWORD, http, psql, seeded_service  # noqa: E402

VISITS = 3000

# Visits spread over the clients and their helpers, a week from now on (the helper's week).
SEED_VISITS = f"""
INSERT INTO visits (branch_id, client_id, helper_id, starts_at, ends_at, minutes, segments, status, substitute, sequence,
                    late_cancellation, position_flagged, created_at, updated_at)
  SELECT 1, c.id, a.helper_id, date_trunc('day', now()) + interval '1 day' + (g % 7) * interval '1 day' + interval '8 hours'
           + (g / 2100) * interval '2 hours',
         date_trunc('day', now()) + interval '1 day' + (g % 7) * interval '1 day' + interval '9 hours' + (g / 2100) * interval '2 hours',
         60, '[{{"task":"it","minutes":60}}]', 'booked', false, 0, false, false, now(), now()
  FROM generate_series(0, {VISITS} - 1) g
  JOIN clients c ON c.id = (g % {CLIENTS}) + 1
  JOIN assignments a ON a.client_id = c.id AND a.ended_at IS NULL;
"""

GET_LUA = """
local counter = 0
function init(args) token = args[1]; prefix = args[2]; count = tonumber(args[3]) end
function request()
  counter = counter + 1
  local path = prefix
  if count > 0 then path = prefix .. ((counter * 7919) % count + 1) end
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end
"""

PLAIN_SQL = f"""\\set id random(1, {CLIENTS})
SELECT * FROM clients WHERE id = :id;
"""

NAIVE_SQL = f"""\\set id random(1, {CLIENTS})
BEGIN;
SELECT * FROM clients WHERE id = :id;
INSERT INTO audit_events (at, actor_user_id, action, entity, entity_id, fields)
  VALUES (now(), 1, 'read', 'client', :id, '["name","email","phone","address","care_notes"]');
COMMIT;
"""


def wrk(url, token, path, count, connections, duration):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(GET_LUA)
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency", "-s", lua.name,
                          url, "--", token, path, str(count)], capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "total": int(re.search(r"(\d+) requests in", out).group(1)),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            **dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))}


def pgbench(db_url, sql, connections, duration):
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(sql)
    tool = "/usr/lib/postgresql/15/bin/pgbench" if os.path.exists("/usr/lib/postgresql/15/bin/pgbench") else "pgbench"
    run = subprocess.run([tool, "-n", "-c", str(connections), "-j", "2", "-T", str(duration), "-f", script.name, db_url],
                         capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"pgbench failed: {run.stderr[-2000:]}")
    return {"rps": float(re.search(r"tps = ([\d.]+)", run.stdout).group(1)),
            "avg": re.search(r"latency average = ([\d.]+ ms)", run.stdout).group(1)}


def helper_login(url, db_url, admin):
    """A helper hired through the API (so she has a login) serving clients 1-3, with visits."""
    body = {"branch_id": 1, "name": "Bench Helper", "email": "helper@bench.dk", "phone": "+45 12 34 56 78",
            "study_programme": "Bench", "skills": ["it"], "languages": ["da"], "home": {"lat": 56.15, "lon": 10.2},
            "capacity": 3, "hours_per_week": 10}
    helper = http("POST", url + "/api/v1/applications", body)["helper_id"]
    for to in ["screened", "interview_1", "interview_2"]:
        http("POST", f"{url}/api/v1/helpers/{helper}/transitions", {"to": to}, admin)
    http("POST", f"{url}/api/v1/helpers/{helper}/transitions",
         {"to": "interview_3", "criminal_record": {"checked_on": "2026-11-20", "outcome": "clear"}}, admin)
    http("POST", f"{url}/api/v1/helpers/{helper}/transitions", {"to": "active"}, admin)
    text = psql(db_url, "SELECT text_body FROM outbox WHERE recipient = 'helper@bench.dk' AND kind = 'helper_activated'")
    token = re.search(r"token=([A-Za-z0-9_-]+)", text).group(1)
    http("POST", url + "/api/v1/auth/accept-invitation", {"token": token, "password": PASSWORD})
    psql(db_url, f"UPDATE visits SET helper_id = {helper} WHERE client_id IN (1, 2, 3)")
    psql(db_url, f"INSERT INTO assignments (client_id, helper_id, started_at) VALUES (1, {helper}, now()), "
                 f"(2, {helper}, now()), (3, {helper}, now())")
    week = psql(db_url, f"SELECT count(*) FROM visits WHERE helper_id = {helper} AND starts_at < now() + interval '8 days'")
    login = http("POST", url + "/api/v1/auth/login", {"email": "helper@bench.dk", "password": PASSWORD})
    return helper, login["access_token"], int(week)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/release/helpmatch"))
    ap.add_argument("--admin-url", default=os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--port", type=int, default=18092)
    args = ap.parse_args()
    rows = []
    with seeded_service(args.binary, args.admin_url, args.port, [SEED, SEED_VISITS],
                        HELPMATCH__DATABASE__MAX_CONNECTIONS=str(args.connections)) as service:
        url, db_url, admin = service.url, service.db_url, service.token
        _, helper_token, week = helper_login(url, db_url, admin)
        helpers = int(psql(db_url, "SELECT count(*) FROM helpers"))
        audited_before = int(psql(db_url, "SELECT count(*) FROM audit_events WHERE action = 'read'"))
        c = args.connections
        plain = pgbench(db_url, PLAIN_SQL, c, args.duration)
        rows.append(("plain SELECT of a client (pgbench)", plain["rps"], f"avg {plain['avg']}", ""))
        naive = pgbench(db_url, NAIVE_SQL, c, args.duration)
        rows.append(("SELECT + audit row, committed (pgbench)", naive["rps"], f"avg {naive['avg']}", ""))
        checks = []
        for label, token, path, count in [
            ("GET /api/v1/clients/{id}", admin, "/api/v1/clients/", CLIENTS),
            ("GET /api/v1/visits/{id}", admin, "/api/v1/visits/", VISITS),
            ("GET /api/v1/helpers/{id}", admin, "/api/v1/helpers/", helpers),
            (f"GET /api/v1/me/visits ({week} visits)", helper_token, "/api/v1/me/visits", 0),
        ]:
            r = wrk(url, token, path, count, c, args.duration)
            rows.append((label, r["rps"], r.get("50", "?"), r.get("99", "?")))
            checks.append((label, r["total"], r["non2xx"]))
        audited = int(psql(db_url, "SELECT count(*) FROM audit_events WHERE action = 'read'")) - audited_before

    print(f"{args.connections} connections, {args.duration} s each, PostgreSQL on 127.0.0.1, release binary")
    print("| | requests/s | p50 | p99 | x plain SELECT |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, rps, p50, p99 in rows:
        print(f"| {label} | {rps:,.0f} | {p50} | {p99} | {rps / plain['rps']:.2f} |")
    for label, total, non2xx in checks:
        print(f"{label}: {total} answered, {non2xx} not 2xx")
    print(f"audit rows of reads written during the run: {audited} (the naive SQL's included)")


if __name__ == "__main__":
    main()
