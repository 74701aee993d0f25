#!/usr/bin/env python3
"""The branch's outlook on a 20,000-client branch (issue 16): how long the morning digest, the
continuity index and the 8-week coverage forecast take to compute, served by a release build,
side by side in the same run with the same rows read by the database's own client library (the
floor: reading the data, no logic, no JSON, no HTTP).

The branch is seeded with SQL (the API would take hours at this size): 20,000 clients with two
or three helpers each, 10,000 active helpers (60 % with weekly windows, Monday to Friday 08-20, 40 % at one of three
institutions with two exam periods in the next 8 weeks, 5 % with a week's exception), 300
applicants in the pipeline, 13 weeks of completed weekly visits behind and 1-8 weeks booked ahead
(about 380,000 visits) with their ledger rows (about 720,000), 1 % of next week's visits open,
and clip cards that run out at staggered dates.

    cargo build --release
    pip install psycopg2-binary          # for the PostgreSQL floor
    python3 bench/outlook_bench.py                                   # SQLite
    python3 bench/outlook_bench.py --database postgres://postgres@127.0.0.1:5432/postgres

Prints one table: per endpoint the median and spread of the service's answer time over the
runs, and the floor's; the ratio is taken run by run (service / floor) and its median shown.
"""
import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from zoneinfo import ZoneInfo

PASSWORD = "bench-password-long-enough"
TZ = ZoneInfo("Europe/Copenhagen")
INSTITUTIONS = ["Aarhus Universitet", "VIA University College", "Erhvervsakademi Aarhus"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def utc(local):
    """A naive UTC text for a Copenhagen wall time."""
    return local.replace(tzinfo=TZ).astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def rows(clients, helpers, seed=7):
    """Every table's rows as lists of tuples, ids from 1_000_000 (above what the API made)."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")
    today = dt.datetime.now(TZ).date()
    monday = today - dt.timedelta(days=today.weekday())
    base = 1_000_000
    out = {k: [] for k in ["helpers", "clients", "assignments", "visits", "ledger_entries",
                           "availability_windows", "availability_exceptions", "term_periods"]}
    for h in range(helpers + 300):
        hid = base + h
        applicant = h >= helpers
        status = rng.choice(["applied", "screened", "interview_1", "interview_2"]) if applicant else "active"
        changed = now - dt.timedelta(days=rng.randint(0, 20) if applicant else 100)
        institution = rng.choice(INSTITUTIONS) if rng.random() < 0.4 else None
        out["helpers"].append((hid, "BRANCH", f"Studerende {h}", f"h{h}@bench.dk", "+4512345678", "Medicine",
                               '["it","cooking","cleaning","shopping"]', '["da"]',
                               56.15 + rng.random() * 0.1, 10.15 + rng.random() * 0.1, 3, 10, status,
                               changed.strftime("%Y-%m-%d %H:%M:%S"), stamp, f"bench-{hid}", stamp, stamp,
                               f"studerende {h}", institution))
        if not applicant and rng.random() < 0.6:
            # Weekdays 08-20: the clients' usual times (09-17) fall inside.
            for day in range(1, 6):
                out["availability_windows"].append((base + 5 * h + day, hid, day, 8 * 60, 20 * 60))
        if not applicant and rng.random() < 0.05:
            start = monday + dt.timedelta(weeks=rng.randint(0, 7))
            out["availability_exceptions"].append((base + h, hid, utc(dt.datetime.combine(start, dt.time())),
                                                   utc(dt.datetime.combine(start + dt.timedelta(days=7), dt.time())), "exams"))
    for i, name in enumerate(INSTITUTIONS):
        for k in range(2):
            start = monday + dt.timedelta(weeks=1 + 3 * k + i)
            out["term_periods"].append((base + 2 * i + k, "BRANCH", name, f"Exams {k + 1}", start.isoformat(),
                                        (start + dt.timedelta(days=4)).isoformat(), stamp))
    visit_id, ledger_id, pair_id = base, base, base
    for c in range(clients):
        cid = base + c
        wanted = 3 if rng.random() < 0.1 else 2
        out["clients"].append((cid, "BRANCH", f"Borger {c}", f"Vestergade {c}", 56.15 + rng.random() * 0.1,
                               10.15 + rng.random() * 0.1, '["it","shopping"]', '["da"]', "da", wanted,
                               "municipality", False, "", stamp, stamp, f"borger {c}"))
        team = [base + (c * 2 + k) % helpers for k in range(wanted if rng.random() < 0.9 else 1)]
        for helper in team:
            started = now - dt.timedelta(days=rng.randint(100, 700))
            out["assignments"].append((pair_id, cid, helper, started.strftime("%Y-%m-%d %H:%M:%S"), None, None))
            pair_id += 1
        if rng.random() < 0.25:  # a helper who left the team within the year
            left = now - dt.timedelta(days=rng.randint(10, 300))
            out["assignments"].append((pair_id, cid, base + (c * 7) % helpers,
                                       (left - dt.timedelta(days=200)).strftime("%Y-%m-%d %H:%M:%S"),
                                       left.strftime("%Y-%m-%d %H:%M:%S"), "ended by the branch"))
            pair_id += 1
        weekday, hour, minutes = c % 5, 9 + c % 8, rng.choice([60, 90])
        booked_weeks = rng.choice([1, 2, 4, 8, 8, 8])
        used = reserved = 0
        for week in range(-13, booked_weeks):
            day = monday + dt.timedelta(weeks=week, days=weekday)
            start_local = dt.datetime.combine(day, dt.time(hour))
            start = dt.datetime.strptime(utc(start_local), "%Y-%m-%d %H:%M:%S")
            if start < now - dt.timedelta(hours=2):
                status, consumed = "completed", minutes
                used += minutes
            elif start > now:
                status, consumed = "booked", None
                reserved += minutes
            else:
                continue
            helper = team[week % len(team)] if rng.random() < 0.85 else base + rng.randrange(helpers)
            attention = "helper_declined" if status == "booked" and week <= 1 and rng.random() < 0.01 else None
            end = start + dt.timedelta(minutes=minutes)
            out["visits"].append((visit_id, "BRANCH", cid, helper, start.strftime("%Y-%m-%d %H:%M:%S"),
                                  end.strftime("%Y-%m-%d %H:%M:%S"), minutes, f'[{{"task":"it","minutes":{minutes}}}]',
                                  status, consumed, attention, stamp, stamp, False, 0, False, False, False))
            out["ledger_entries"].append((ledger_id, cid, "reserve", minutes, visit_id, stamp))
            ledger_id += 1
            if status == "completed":
                out["ledger_entries"].append((ledger_id, cid, "consume", minutes, visit_id, stamp))
                ledger_id += 1
            visit_id += 1
        # Bought enough for what is booked and a staggered reserve: some run out within weeks.
        out["ledger_entries"].append((ledger_id, cid, "purchase", used + reserved + rng.choice([0, 60, 240, 480, 960]), None, stamp))
        ledger_id += 1
    return out


COLUMNS = {
    "helpers": "id, branch_id, name, email, phone, study_programme, skills, languages, home_lat, home_lon, capacity, "
               "hours_per_week, status, status_changed_at, applied_at, status_token_hash, created_at, updated_at, "
               "search_name, institution",
    "clients": "id, branch_id, name, address, lat, lon, needs, languages, preferred_language, wanted, source, "
               "municipal_home_care, care_notes, created_at, updated_at, search_name",
    "assignments": "id, client_id, helper_id, started_at, ended_at, end_reason",
    "visits": "id, branch_id, client_id, helper_id, starts_at, ends_at, minutes, segments, status, consumed_minutes, "
              "attention, created_at, updated_at, substitute, sequence, late_cancellation, position_flagged, synced_late",
    "ledger_entries": "id, client_id, kind, minutes, visit_id, created_at",
    "availability_windows": "id, helper_id, weekday, start_minute, end_minute",
    "availability_exceptions": "id, helper_id, starts_at, ends_at, reason",
    "term_periods": "id, branch_id, institution, name, starts_on, ends_on, created_at",
}


def with_branch(table, branch):
    return [tuple(branch if v == "BRANCH" else v for v in row) for row in table]


def load_sqlite(path, data, branch):
    db = sqlite3.connect(path)
    for table, cols in COLUMNS.items():
        marks = ",".join("?" * len(cols.split(",")))
        db.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", with_branch(data[table], branch))
    db.commit()
    db.execute("ANALYZE")
    db.close()


def load_postgres(url, data, branch):
    for table, cols in COLUMNS.items():
        buf = io.StringIO()
        w = csv.writer(buf)
        for row in with_branch(data[table], branch):
            w.writerow(["\\N" if v is None else ("t" if v is True else "f" if v is False else v) for v in row])
        subprocess.run(["psql", url, "-qc", f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"],
                       input=buf.getvalue(), text=True, check=True)
    subprocess.run(["psql", url, "-qc", "ANALYZE"], check=True)


def floor_queries(branch, now, today):
    """The rows each endpoint reads, as plain SQL (the same filters, the same columns)."""
    monday = today - dt.timedelta(days=today.weekday())
    n = now.strftime("%Y-%m-%d %H:%M:%S")
    ago90 = (now - dt.timedelta(days=90)).strftime("%Y-%m-%d %H:%M:%S")
    wk = (now + dt.timedelta(days=7)).strftime("%Y-%m-%d %H:%M:%S")
    back = (now - dt.timedelta(days=28)).strftime("%Y-%m-%d %H:%M:%S")
    ahead = (now + dt.timedelta(days=56)).strftime("%Y-%m-%d %H:%M:%S")
    clients = f"SELECT id, name, wanted FROM clients WHERE branch_id = {branch} AND deleted_at IS NULL ORDER BY name, id"
    ledger = (f"SELECT l.client_id, l.kind, SUM(l.minutes) FROM ledger_entries l JOIN clients c ON c.id = l.client_id "
              f"WHERE c.branch_id = {branch} AND c.deleted_at IS NULL GROUP BY l.client_id, l.kind")
    open_pairs = (f"SELECT a.client_id, a.helper_id FROM assignments a JOIN clients c ON c.id = a.client_id "
                  f"WHERE c.branch_id = {branch} AND a.ended_at IS NULL")
    return {
        "digest": [
            clients,
            f"SELECT a.client_id, COUNT(*) FROM assignments a JOIN clients c ON c.id = a.client_id WHERE c.branch_id = {branch} AND a.ended_at IS NULL GROUP BY a.client_id",
            ledger,
            f"SELECT v.*, c.name FROM visits v JOIN clients c ON c.id = v.client_id WHERE v.branch_id = {branch} AND v.status = 'booked' AND v.attention IN ('helper_paused','helper_left','assignment_ended','helper_unavailable','outside_availability','helper_declined') AND v.starts_at >= '{n}' AND v.starts_at < '{wk}' ORDER BY v.starts_at, v.id",
            ledger,
            f"SELECT client_id, starts_at, minutes FROM visits WHERE branch_id = {branch} AND status IN ('booked','checked_in') AND starts_at >= '{n}' ORDER BY client_id, starts_at, id",
            f"SELECT h.id, h.name FROM helpers h WHERE h.branch_id = {branch} AND h.status = 'active' AND NOT EXISTS (SELECT 1 FROM availability_windows w WHERE w.helper_id = h.id) ORDER BY h.name, h.id",
            f"SELECT id, name, status, status_changed_at FROM helpers WHERE branch_id = {branch} AND status IN ('applied','screened','interview_1','interview_2','interview_3') AND status_changed_at < '{(now - dt.timedelta(days=7)).strftime('%Y-%m-%d %H:%M:%S')}' ORDER BY status_changed_at, id",
        ],
        "continuity": [
            clients,
            f"SELECT a.* FROM assignments a WHERE a.client_id IN (SELECT id FROM clients WHERE branch_id = {branch}) ORDER BY a.id",
            f"SELECT client_id, helper_id, minutes, consumed_minutes FROM visits WHERE status = 'completed' AND starts_at >= '{ago90}' AND starts_at < '{n}' AND branch_id = {branch}",
        ],
        "coverage-forecast": [
            open_pairs,
            f"SELECT client_id, starts_at, minutes FROM visits WHERE status <> 'cancelled' AND starts_at >= '{back}' AND starts_at < '{ahead}' AND branch_id = {branch} ORDER BY client_id, starts_at",
            f"SELECT * FROM term_periods WHERE branch_id = {branch} AND starts_on <= '{monday + dt.timedelta(weeks=8)}' AND ends_on >= '{monday}'",
            f"SELECT id, status, institution, term_opt_out, leaves_on FROM helpers WHERE branch_id = {branch}",
            f"SELECT w.* FROM availability_windows w JOIN helpers h ON h.id = w.helper_id WHERE h.branch_id = {branch}",
            f"SELECT e.* FROM availability_exceptions e JOIN helpers h ON h.id = e.helper_id WHERE h.branch_id = {branch}",
            clients,
        ],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default="target/release/helpmatch")
    parser.add_argument("--database", help="postgres://… (default: SQLite in a temporary folder)")
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--helpers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="outlook-bench-")
    port = free_port()
    if args.database:
        name = f"outlook_bench_{os.getpid()}"
        subprocess.run(["psql", args.database, "-qc", f"CREATE DATABASE {name}"], check=True)
        url = args.database.rsplit("/", 1)[0] + "/" + name
    else:
        url = f"sqlite://{work}/bench.db"
    env = dict(os.environ, HELPMATCH__DATABASE__URL=url, HELPMATCH__SERVER__PORT=str(port),
               HELPMATCH__EMAIL__FILE_DIR=f"{work}/outbox", HELPMATCH__EMAIL__WORKER="false", RUST_LOG="warn")
    subprocess.run([args.binary, "create-admin", "--email", "admin@bench.dk", "--name", "Admin"],
                   input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True)
    server = subprocess.Popen([args.binary, "serve"], env=env, stdout=subprocess.DEVNULL,
                              stderr=open(f"{work}/server.log", "w"))
    base = f"http://127.0.0.1:{port}"

    def call(method, path, body=None, token=None):
        req = urllib.request.Request(base + path, data=json.dumps(body).encode() if body else None, method=method)
        req.add_header("content-type", "application/json")
        if token:
            req.add_header("authorization", "Bearer " + token)
        with urllib.request.urlopen(req, timeout=600) as r:
            return r.read()

    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health/ready")
                break
            except OSError:
                time.sleep(0.1)
        token = json.loads(call("POST", "/api/v1/auth/login", {"email": "admin@bench.dk", "password": PASSWORD}))["access_token"]
        branch = json.loads(call("POST", "/api/v1/branches", {
            "name": "Aarhus", "country": "DK", "time_zone": "Europe/Copenhagen", "currency": "DKK",
            "centre": {"lat": 56.1567, "lon": 10.2108}}, token))["id"]
        started = time.time()
        data = rows(args.clients, args.helpers)
        if args.database:
            load_postgres(url, data, branch)
        else:
            load_sqlite(url.removeprefix("sqlite://"), data, branch)
        print(f"seeded {len(data['clients'])} clients, {len(data['helpers'])} helpers, {len(data['assignments'])} pairs, "
              f"{len(data['visits'])} visits, {len(data['ledger_entries'])} ledger rows in {time.time() - started:.0f} s")
        if args.database:
            import psycopg2
            floor_db = psycopg2.connect(url)
        else:
            floor_db = sqlite3.connect(url.removeprefix("sqlite://"))
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        queries = floor_queries(branch, now, dt.datetime.now(TZ).date())
        results = {}
        for endpoint, sqls in queries.items():
            path = f"/api/v1/branches/{branch}/{endpoint}"
            body = json.loads(call("GET", path, token=token))
            summary = {k: (len(v) if isinstance(v, list) else v) for k, v in body.items()
                       if k in ("short_of_helpers", "visits_without_helper", "hours_running_out",
                                "helpers_without_availability", "waiting_applications", "clients", "worst",
                                "clients_with_usual_times", "fully_covered", "nobody_weeks", "at_risk")}
            service, floor, ratios = [], [], []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                call("GET", path, token=token)
                s = time.perf_counter() - t0
                t0 = time.perf_counter()
                cur = floor_db.cursor()
                fetched = 0
                for sql in sqls:
                    cur.execute(sql)
                    fetched += len(cur.fetchall())
                if args.database:
                    floor_db.rollback()
                f = time.perf_counter() - t0
                service.append(s * 1000)
                floor.append(f * 1000)
                ratios.append(s / f)
            results[endpoint] = (service, floor, ratios, fetched, summary)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        if args.database:
            try:
                floor_db.close()
            except Exception:
                pass
            subprocess.run(["psql", args.database, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{'PostgreSQL' if args.database else 'SQLite'}, {args.runs} runs each, sequential\n")
    print("| endpoint | service ms (median, min-max) | rows read by the floor | floor ms (median) | service / floor (median of pairs) | what it found |")
    print("|---|---:|---:|---:|---:|---|")
    for endpoint, (service, floor, ratios, fetched, summary) in results.items():
        print(f"| `{endpoint}` | {statistics.median(service):.0f} ({min(service):.0f}-{max(service):.0f}) | {fetched:,} | "
              f"{statistics.median(floor):.0f} | {statistics.median(ratios):.2f} | "
              + ", ".join(f"{k} {v}" for k, v in summary.items()) + " |")


if __name__ == "__main__":
    main()
