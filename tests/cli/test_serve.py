"""`chatarchief serve` survives clients that hang up; commands made for pipes still end quietly in one.

A real server process and real sockets: a client reads a response's status line and closes the
connection while the server still writes the body (a 50 KB static file). With SIGPIPE at its default
the server died of it (exit -13); only commands that write to a pipe may keep that default.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

CLI = [sys.executable, "-m", "chatarchief.cli"]
STATIC = b"GET /static/vendor/htmx.min.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHATARCHIEF_", "DATABASE_URL", "DJANGO_"))}
    env["CHATARCHIEF_DATA_DIR"] = str(tmp_path)
    return env


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited at start ({server.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def _hang_up_after_status_line(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(STATIC)
        with client.makefile("rb") as reader:
            return reader.readline()


def _status_of_full_request(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(STATIC.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        received = b""
        while chunk := client.recv(65536):
            received += chunk
        return received.split(b"\r\n", 1)[0]


def test_serve_survives_clients_that_hang_up(tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=_environment(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, server)
        for _ in range(20):
            assert _hang_up_after_status_line(port).startswith(b"HTTP/1.1 200")
            time.sleep(0.05)
            assert server.poll() is None, f"the server died when a client hung up (exit {server.returncode})"
        assert _status_of_full_request(port) == b"HTTP/1.1 200 OK"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_command_for_pipes_ends_quietly_when_the_reader_stops(tmp_path: Path) -> None:
    """`custodian list` into a reader that stops at once: no traceback (SIGPIPE's default, as before)."""
    env = _environment(tmp_path)
    subprocess.run([*CLI, "migrate"], env=env, check=True, capture_output=True, timeout=120)
    script = (
        "from chatarchief.cli.base import setup_django; setup_django()\n"
        "from chatarchief.archive.models import Custodian\n"
        "Custodian.objects.bulk_create([Custodian(slug=f'c{i}', name='x' * 100) for i in range(3000)])\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=120)
    lister = subprocess.Popen([*CLI, "custodian", "list"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert lister.stdout is not None and lister.stderr is not None
    lister.stdout.read(10)
    lister.stdout.close()
    errors = lister.stderr.read()
    assert lister.wait(timeout=120) == -signal.SIGPIPE
    assert b"Traceback" not in errors and b"BrokenPipeError" not in errors
