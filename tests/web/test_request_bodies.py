"""Request bodies are refused before anything reads them: anonymous uploads, password-only sessions,
bodies over CHATARCHIEF_MAX_UPLOAD_BYTES and bodies without a length, for the web upload and the API.

The requests carry a WSGI input that fails the test if any byte of it is read, and CSRF checks are
enforced as in production (the test client skips them by default, and the CSRF middleware is what
used to read an anonymous upload to disk).
"""

from __future__ import annotations

import http.client
import signal
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.api.accounts import add_service_account
from chatarchief.archive.services import registry
from tests.web.world import pass_second_factor

HUGE = 10 * 1024**3
MULTIPART = "multipart/form-data; boundary=----grens"
CSRF_COOKIE = "a" * 32  # well-formed, so the CSRF middleware goes on to read the form for its token


class UnreadableBody:
    """A WSGI input that records (and fails) any read: the proof that a body was not read or spooled."""

    def __init__(self) -> None:
        self.reads = 0

    def _read(self, *args: Any) -> bytes:
        self.reads += 1
        raise AssertionError("the request body was read")

    read = readline = readlines = _read

    def __iter__(self) -> Any:
        return self._read()


def _post(client: Client, path: str, *, length: int | None, chunked: bool = False, **headers: str) -> Any:
    body = UnreadableBody()
    extra: dict[str, Any] = {"wsgi.input": body, "CONTENT_TYPE": MULTIPART, **headers}
    if length is not None:
        extra["CONTENT_LENGTH"] = str(length)
    if chunked:
        extra["HTTP_TRANSFER_ENCODING"] = "chunked"
    response = client.generic("POST", path, b"", **extra)
    assert body.reads == 0
    return response


@pytest.fixture
def operator(db: Any) -> Any:
    registry.add_organisation("BZK", "BZK", actor="test")
    custodian = registry.add_custodian("m", name="M", actor="test", organisation="BZK")
    user = get_user_model().objects.create_user("operator")
    grant(user, Role.OPERATOR, custodian=custodian)
    return user


def _client(user: Any = None, *, verified: bool = True) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
        if verified:
            pass_second_factor(client, user)
    return client


def test_an_anonymous_upload_is_sent_to_the_login_page_unread(operator: Any) -> None:
    response = _post(_client(), reverse("upload"), length=HUGE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_password_only_session_cannot_upload_before_its_second_factor(operator: Any) -> None:
    response = _post(_client(operator, verified=False), reverse("upload"), length=50 * 1024**2)
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp_setup"))


def test_an_upload_over_the_limit_is_refused_unread(operator: Any, settings: Any) -> None:
    settings.MAX_UPLOAD_SIZE = 10 * 1024**2
    response = _post(_client(operator), reverse("upload"), length=11 * 1024**2)
    assert response.status_code == 413
    assert "groter dan de toegestane" in response.content.decode()
    english = _post(_client(operator), reverse("upload"), length=11 * 1024**2, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 413 and "larger than the allowed" in english.content.decode()


def test_an_upload_without_a_length_is_refused_unread(operator: Any) -> None:
    response = _post(_client(operator), reverse("upload"), length=None, chunked=True)
    assert response.status_code == 411 and "Content-Length" in response.content.decode()


@pytest.mark.parametrize("path", ["login", "set_language"])
def test_anonymous_forms_take_small_bodies_only(db: Any, path: str) -> None:
    response = _post(_client(), reverse(path), length=2 * 1024**2)
    assert response.status_code == 413


def test_forms_of_a_logged_in_user_take_small_bodies_only(operator: Any) -> None:
    response = _post(_client(operator), reverse("reauth"), length=2 * 1024**2)
    assert response.status_code == 413


def test_the_api_refuses_without_a_token_before_reading(operator: Any) -> None:
    response = _post(_client(), "/api/v1/deliveries", length=50 * 1024**2)
    assert response.status_code == 401 and response.json()["code"] == "api.unauthenticated"


def test_the_api_refuses_a_body_over_the_limit_or_without_a_length_unread(operator: Any, settings: Any) -> None:
    token = add_service_account("mdm", "BZK", ["deliver"], actor="test")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    settings.MAX_UPLOAD_SIZE = 10 * 1024**2
    too_large = _post(_client(), "/api/v1/deliveries", length=HUGE, **auth)
    assert too_large.status_code == 413 and too_large.json()["code"] in {"request.too_large", "api.too_large"}
    unmeasured = _post(_client(), "/api/v1/deliveries", length=None, chunked=True, **auth)
    assert unmeasured.status_code == 411 and unmeasured.json()["code"] == "request.length_required"
    anonymous_chunked = _post(_client(), "/api/v1/deliveries", length=None, chunked=True)
    assert anonymous_chunked.status_code == 411


def _status_line(host: str, port: int, request: bytes) -> bytes:
    """Send `request` (headers only), read the whole answer, return its status line."""
    with socket.create_connection((host, port), timeout=15) as sock:
        sock.sendall(request)
        response = http.client.HTTPResponse(sock)
        response.begin()
        response.read()  # all of it: a server still writing to a closed socket would get SIGPIPE
        return f"HTTP/1.1 {response.status} {response.reason}".encode()


@pytest.fixture
def python_sigpipe() -> Iterator[None]:
    """The live server runs in this process; keep Python's SIGPIPE handling (ignored: EPIPE is an
    exception) even when an earlier test ran a CLI command that reset it."""
    previous = signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    yield
    signal.signal(signal.SIGPIPE, previous)


@pytest.mark.django_db(transaction=True)
def test_a_live_server_answers_an_anonymous_huge_upload_without_waiting_for_its_body(
    live_server: Any, python_sigpipe: None
) -> None:
    """Raw HTTP: only the headers of a 256 MiB upload are sent. A server that reads the body before the
    login check waits for bytes that never come (the socket times out); ours answers at once."""
    host, port = live_server.url.removeprefix("http://").split(":")
    headers = (
        f"POST /upload/ HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {MULTIPART}\r\n"
        f"Content-Length: {256 * 1024**2}\r\nCookie: csrftoken={CSRF_COOKIE}\r\n\r\n"
    )
    line = _status_line(host, int(port), headers.encode())
    assert line.startswith(b"HTTP/1.1 302"), line
    chunked = (
        f"POST /upload/ HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {MULTIPART}\r\n"
        f"Transfer-Encoding: chunked\r\nCookie: csrftoken={CSRF_COOKIE}\r\n\r\n"
    )
    assert _status_line(host, int(port), chunked.encode()).startswith(b"HTTP/1.1 302")
