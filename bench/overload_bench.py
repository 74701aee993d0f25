#!/usr/bin/env python3
"""Graceful overload on PostgreSQL: bookings offered at twice what the service can do.

    cargo build --release
    pip install aiohttp        # the open-loop load generator
    python3 bench/overload_bench.py [--pool 4] [--duration 10]

1. Capacity: wrk (closed loop, outside tool) books as fast as the release binary answers with a
   pool of `--pool` connections; its bookings/s is the capacity C.
2. Overload: an open-loop generator (aiohttp) offers 2 x C bookings a second for `--duration`
   seconds, each a distinct slot with its own Idempotency-Key, whatever the answers: requests
   pile up, wait for a connection `database.connect_timeout_secs` (1 s here) and then get 503.
3. Recovery: one booking every 100 ms after the load stops, until one is answered 201 fast.
4. Checks: no status but 201 and 503 (no 500, no time-out), every 503 carries Retry-After, the
   visits stored are exactly the 201s (none lost, none doubled), and every refused booking
   retried with its key books once.
"""
import argparse, asyncio, os, re, subprocess, sys, tempfile, time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from booking_bench import CLIENTS, HELPERS, ROOT, SEED, WRK_LUA  # noqa: E402
from service import psql, seeded_service  # noqa: E402

try:
    import aiohttp
except ImportError:
    sys.exit("pip install aiohttp (the open-loop load generator)")

# Overload bookings start in 2040, far from wrk's 2030 slots: the two phases never clash.
BASE = datetime(2040, 1, 1, 8, tzinfo=timezone.utc)


def slot(n):
    client = n % CLIENTS + 1
    helper = (client - 1) % HELPERS + 1
    hour = (client - 1) // HELPERS  # 3 clients per helper: 08, 10, 12 o'clock
    starts = BASE + timedelta(days=n // CLIENTS, hours=2 * hour)
    return {"client_id": client, "helper_id": helper, "starts_at": starts.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "segments": [{"task": "it", "minutes": 60}]}


async def book(session, url, token, n, results):
    started = time.perf_counter()
    try:
        async with session.post(url + "/api/v1/visits", json=slot(n),
                                headers={"authorization": f"Bearer {token}", "idempotency-key": f"overload-{n}"}) as r:
            await r.read()
            results[n] = (r.status, "retry-after" in r.headers, time.perf_counter() - started)
    except Exception as e:  # a time-out or a reset: counted, it must not happen
        results[n] = (f"error {type(e).__name__}", False, time.perf_counter() - started)


async def offer(url, token, rate, duration):
    """Starts `rate` bookings a second for `duration` seconds, never waiting for answers."""
    results, tasks = {}, []
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as session:
        start = time.perf_counter()
        total = int(rate * duration)
        for n in range(total):
            due = start + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(book(session, url, token, n, results)))
        offered_for = time.perf_counter() - start
        await asyncio.gather(*tasks)
    return results, total / offered_for


async def recover(url, token, first):
    """One booking every 100 ms until one is answered 201 within 100 ms; seconds it took."""
    start = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        n = first
        while time.perf_counter() - start < 60:
            results = {}
            await book(session, url, token, n, results)
            status, _, took = results[n]
            if status == 201 and took < 0.1:
                return time.perf_counter() - start, n + 1
            n += 1
            await asyncio.sleep(0.1)
    return None, n


async def retry(url, token, numbers):
    results = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=8)) as session:
        await asyncio.gather(*(book(session, url, token, n, results) for n in numbers))
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/release/helpmatch"))
    ap.add_argument("--admin-url", default=os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--pool", type=int, default=4)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--port", type=int, default=18091)
    args = ap.parse_args()
    with seeded_service(args.binary, args.admin_url, args.port, [SEED],
                        HELPMATCH__DATABASE__MAX_CONNECTIONS=str(args.pool),
                        HELPMATCH__DATABASE__CONNECT_TIMEOUT_SECS="1") as service:
        url, db_url, token = service.url, service.db_url, service.token
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(WRK_LUA)
        connections = 2 * args.pool
        wrk = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{args.duration}s", "--latency",
                              "-s", lua.name, url, "--", "2", token], capture_output=True, text=True, check=True).stdout
        capacity = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1))
        wrk_p99 = re.search(r"\s+99%\s+([\d.]+\w+)", wrk).group(1)
        wrk_non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk)
        before = int(psql(db_url, "SELECT count(*) FROM visits"))

        results, offered = asyncio.run(offer(url, token, 2 * capacity, args.duration))
        recovered, next_n = asyncio.run(recover(url, token, len(results)))
        statuses = [r[0] for r in results.values()]
        ok_count = statuses.count(201)
        refused = [n for n, r in results.items() if r[0] == 503]
        other = [s for s in statuses if s not in (201, 503)]
        no_retry_after = sum(1 for r in results.values() if r[0] == 503 and not r[1])
        slowest_503 = max((r[2] for r in results.values() if r[0] == 503), default=0.0)
        stored = int(psql(db_url, "SELECT count(*) FROM visits")) - before
        recovery_bookings = next_n - len(results)
        retried = asyncio.run(retry(url, token, refused))
        retried_ok = sum(1 for r in retried.values() if r[0] == 201)
        final = int(psql(db_url, "SELECT count(*) FROM visits")) - before
        reserved = int(psql(db_url, "SELECT coalesce(sum(minutes), 0) FROM ledger_entries WHERE kind = 'reserve'"))
        all_visits = int(psql(db_url, "SELECT count(*) FROM visits"))

    print(f"pool {args.pool} connections, connect_timeout 1 s, {args.duration} s per phase, PostgreSQL on 127.0.0.1")
    print(f"capacity (wrk, {connections} connections): {capacity:.0f} bookings/s, p99 {wrk_p99}, "
          f"{wrk_non2xx.group(1) if wrk_non2xx else 0} non-2xx")
    print(f"offered {offered:.0f} bookings/s ({offered / capacity:.2f} x capacity), {len(results)} bookings: "
          f"{ok_count} x 201, {len(refused)} x 503 (slowest {slowest_503:.2f} s), {len(other)} other {sorted(set(map(str, other)))}")
    print(f"503 without Retry-After: {no_retry_after}; visits stored during the overload: {stored} (201s: {ok_count}, "
          f"plus {recovery_bookings} recovery bookings)")
    print(f"recovered {recovered:.2f} s after the load stopped" if recovered is not None else "NOT RECOVERED within 60 s")
    print(f"refused bookings retried with their keys: {retried_ok} of {len(refused)} booked; visits now {final} "
          f"= {len(results)} offered + {recovery_bookings} recovery; reserved minutes {reserved} = 60 x {all_visits}")
    ok = (not other and no_retry_after == 0 and stored == ok_count + recovery_bookings and recovered is not None
          and retried_ok == len(refused) and final == len(results) + recovery_bookings and reserved == 60 * all_visits)
    print("consistent" if ok else "INCONSISTENT")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
