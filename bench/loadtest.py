"""Load test (issue 20), one command, loopback only: gunicorn (the production WSGI server) with two
processes, two `chatarchief worker`s, a fresh database (PostgreSQL from $LOADTEST_DATABASE_URL, else
SQLite), the demo archive; then simulated users for a while:

- uploaders: each a service account handing in small, distinct WhatsApp exports through the API
  (`POST /api/v1/deliveries`), then following `status_url` until the delivery is done;
- readers: each logged in (password + TOTP, the demo user) browsing the home page, custodian pages,
  conversations and receipts.

Reports requests, errors (any 5xx, any unexpected status, any connection error), p50/p95 latency
per kind, and lost deliveries: every upload answered 201 must end `ingested` or `duplicate`
(count in = count archived). The web app has no search page yet: searching is not in the mix.

Run: `.venv/bin/python bench/loadtest.py [--seconds 120] [--uploaders 3] [--readers 3]`. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    def record(self, kind: str, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if error:
                self.errors.append(f"{kind}: {error}")


def timed(stats: Stats, kind: str, call, expect=(200,)):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    try:
        response = call()
    except requests.RequestException as error:
        stats.record(kind, time.perf_counter() - start, repr(error))
        return None
    error = None if response.status_code in expect else f"HTTP {response.status_code}"
    stats.record(kind, time.perf_counter() - start, error)
    return response


def export_text(n: int, user: int) -> bytes:
    lines = [
        f"0{1 + user % 9}-02-2026 {9 + k // 60:02d}:{k % 60:02d} - Anna de Vries: upload {n} bericht {k}"
        for k in range(40)
    ]
    return ("\n".join(lines) + "\n").encode()


def uploader(base: str, token: str, user: int, stop: float, stats: Stats, accepted: list[int]) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    n = 0
    while time.monotonic() < stop:
        n += 1
        files = {"file": (f"WhatsApp Chat - Last {user}-{n}.txt", export_text(n, user), "text/plain")}
        response = timed(
            stats,
            "upload",
            lambda files=files: session.post(
                base + "/api/v1/deliveries", data={"custodian": "minister-bzk"}, files=files
            ),
            (201,),
        )
        if response is None or response.status_code != 201:
            continue
        receipt = response.json()
        with stats.lock:
            accepted.append(receipt["delivery_id"])
        for _ in range(30):
            status = timed(stats, "status", lambda url=receipt["status_url"]: session.get(url))
            if status is None or status.json()["receipt"]["status"] not in ("queued", "running"):
                break
            time.sleep(1)
        time.sleep(random.uniform(0.5, 1.5))


READER_PASSWORD = "leesbelasting-wachtwoord-2026"  # noqa: S105 - a throw-away login of the load test


def make_readers(count: int) -> list[str]:
    """Reader logins like the demo's (records manager of BZK), each with its own TOTP device: one
    code is accepted once per device, so readers logging in together need a device each."""
    from django.contrib.auth import get_user_model

    from chatarchief.access import otp
    from chatarchief.access.constants import Role
    from chatarchief.access.services import grant
    from chatarchief.archive.models import Organisation
    from chatarchief.demo.totp import DEMO_TOTP_KEY

    names = []
    for n in range(count):
        user = get_user_model().objects.create_user(f"lezer-{n}", password=READER_PASSWORD)
        grant(user, Role.REVIEWER, organisation=Organisation.objects.get(code="BZK"))
        otp.provision(user, DEMO_TOTP_KEY, actor="loadtest")
        names.append(user.username)
    return names


def login(base: str, username: str) -> requests.Session:
    from chatarchief.demo.totp import current_code

    session = requests.Session()

    def token(html: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    page = session.get(base + "/login/")
    page = session.post(
        base + "/login/",
        data={"csrfmiddlewaretoken": token(page.text), "username": username, "password": READER_PASSWORD},
        headers={"Referer": base + "/login/"},
    )
    page = session.post(
        page.url,
        data={"csrfmiddlewaretoken": token(page.text), "token": current_code()},
        headers={"Referer": page.url},
    )
    assert "Functionarissen" in page.text, "login failed"
    return session


def reader(base: str, username: str, stop: float, stats: Stats) -> None:
    start = time.perf_counter()
    try:
        session = login(base, username)
    except (AssertionError, AttributeError, requests.RequestException) as error:
        stats.record("login", time.perf_counter() - start, repr(error))
        return
    stats.record("login", time.perf_counter() - start)
    while time.monotonic() < stop:
        home = timed(stats, "home", lambda: session.get(base + "/"))
        if home is None:
            continue
        slugs = re.findall(r'href="/custodians/([^/"]+)/"', home.text)
        if not slugs:
            continue
        slug = random.choice(slugs)
        page = timed(stats, "custodian", lambda slug=slug: session.get(f"{base}/custodians/{slug}/"))
        if page is None:
            continue
        conversations = re.findall(r'href="(/conversations/\d+/)"', page.text)
        deliveries = re.findall(r'href="(/deliveries/\d+/)"', page.text)
        if conversations:
            path = random.choice(conversations)
            timed(stats, "conversation", lambda path=path: session.get(base + path))
        if deliveries:
            path = random.choice(deliveries)
            timed(stats, "receipt", lambda path=path: session.get(base + path))
        time.sleep(random.uniform(0.2, 0.8))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--uploaders", type=int, default=3)
    parser.add_argument("--readers", type=int, default=3)
    parser.add_argument("--web-processes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="chatarchief-load-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATARCHIEF_")}
    env |= {"CHATARCHIEF_DATA_DIR": str(work), "CHATARCHIEF_TASKS": "database", "CHATARCHIEF_ACTOR": "loadtest"}
    url = os.environ.get("LOADTEST_DATABASE_URL", "")
    if url:
        import psycopg

        base_url, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = url
    else:
        env.pop("DATABASE_URL", None)
    cli = [str(BIN / "chatarchief")]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True)
    tokens = []
    for n in range(args.uploaders):
        out = subprocess.run(
            [
                *cli,
                "serviceaccount",
                "add",
                f"load-{n}",
                "--organisation",
                "BZK",
                "--operation",
                "deliver",
                "--operation",
                "read_status",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        tokens.append(out.strip().splitlines()[-1])
    port = _port()
    base = f"http://127.0.0.1:{port}"
    processes = [
        subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "chatarchief.web.wsgi:application",
                "-w",
                str(args.web_processes),
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(work / "gunicorn.log", "w"),  # noqa: SIM115
        )
    ]
    processes += [
        subprocess.Popen(
            [*cli, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=open(work / f"worker{n}.log", "w")
        )  # noqa: SIM115
        for n in range(args.workers)
    ]
    try:
        for _ in range(100):
            try:
                if requests.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        os.environ.update({"DJANGO_SETTINGS_MODULE": "chatarchief.web.settings", "CHATARCHIEF_DATA_DIR": str(work)})
        if url:
            os.environ["DATABASE_URL"] = url
        else:
            os.environ.pop("DATABASE_URL", None)
        import django

        django.setup()
        readers = make_readers(args.readers)
        stats, accepted = Stats(), []
        stop = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=uploader, args=(base, t, n, stop, stats, accepted)) for n, t in enumerate(tokens)
        ]
        threads += [threading.Thread(target=reader, args=(base, name, stop, stats)) for name in readers]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        # let the workers finish what was accepted, then count
        deadline = time.monotonic() + 180
        final: dict[int, str] = {}
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {tokens[0]}"
        while time.monotonic() < deadline:
            final = {pk: session.get(f"{base}/api/v1/deliveries/{pk}").json()["receipt"]["status"] for pk in accepted}
            if all(s not in ("queued", "running") for s in final.values()):
                break
            time.sleep(2)
        archived = sum(1 for s in final.values() if s in ("ingested", "duplicate"))
        report = {
            "seconds": round(elapsed, 1),
            "users": {"uploaders": args.uploaders, "readers": args.readers},
            "topology": {
                "web_processes": args.web_processes,
                "workers": args.workers,
                "database": "postgresql" if url else "sqlite",
            },
            "requests": sum(len(v) for v in stats.times.values()),
            "errors": len(stats.errors),
            "error_samples": stats.errors[:10],
            "latency_ms": {
                kind: {
                    "n": len(v),
                    "p50": round(statistics.median(v) * 1000, 1),
                    "p95": round(sorted(v)[max(0, int(len(v) * 0.95) - 1)] * 1000, 1),
                }
                for kind, v in sorted(stats.times.items())
            },
            "uploads_accepted": len(accepted),
            "archived": archived,
            "lost": len(accepted) - archived,
            "final_statuses": {s: list(final.values()).count(s) for s in set(final.values())},
        }
        print(json.dumps(report, indent=1))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
