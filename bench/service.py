"""The release binary on a fresh, seeded PostgreSQL database, for the HTTP benches.

    with seeded_service(binary, admin_url, port, [SEED], HELPMATCH__DATABASE__MAX_CONNECTIONS="16") as s:
        ...  # s.url, s.db_url, s.token (an admin's)

The database is created from `admin_url`'s server, migrated, seeded with the given SQL, given
an admin, and dropped afterwards; the service runs without its mail worker and with its
metrics listener on a free port, so nothing else on the machine is in its way.
"""
import json, os, secrets, subprocess, time, urllib.request
from contextlib import contextmanager
from types import SimpleNamespace

ADMIN_EMAIL, PASSWORD = "bench@example.dk", "bench-password-123"


def psql(url, sql):
    return subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def http(method, url, body=None, token=None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


@contextmanager
def seeded_service(binary, admin_url, port, seeds, **settings):
    name = "helpmatch_bench_" + secrets.token_hex(4)
    base = admin_url.split("?")[0].rsplit("/", 1)[0]
    db_url = f"{base}/{name}?sslmode=disable"
    psql(admin_url, f"CREATE DATABASE {name}")
    env = dict(os.environ, HELPMATCH__DATABASE__URL=db_url, HELPMATCH__SERVER__PORT=str(port),
               HELPMATCH__METRICS__BIND="127.0.0.1:0", HELPMATCH__EMAIL__WORKER="false", RUST_LOG="error", **settings)
    server = None
    try:
        subprocess.run([binary, "migrate"], env=env, check=True, capture_output=True)
        for sql in seeds:
            psql(db_url, sql)
        subprocess.run([binary, "create-admin", "--email", ADMIN_EMAIL], env=env, input=PASSWORD + "\n",
                       text=True, check=True, capture_output=True)
        server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/health/ready", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        token = http("POST", url + "/api/v1/auth/login", {"email": ADMIN_EMAIL, "password": PASSWORD})["access_token"]
        yield SimpleNamespace(url=url, db_url=db_url, token=token)
    finally:
        if server:
            server.terminate()
            server.wait(10)
        psql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
