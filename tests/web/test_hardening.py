"""Web hardening: production settings pass `check --deploy`, strict CSP-compatible templates, CSRF,
custom error pages without debug output, upload size limits."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

import chatarchief
from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.services import registry

SRC = Path(chatarchief.__file__).resolve().parent


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHATARCHIEF_", "DJANGO_"))}
    env.update(
        CHATARCHIEF_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        CHATARCHIEF_ALLOWED_HOSTS="archief.example.nl",
        CHATARCHIEF_DATA_DIR=str(tmp_path),
        CHATARCHIEF_MASTER_KEY=base64.b64encode(os.urandom(32)).decode(),
        DJANGO_SETTINGS_MODULE="chatarchief.web.settings",
    )
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_are_strict(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_NAME, s.PASSWORD_HASHERS[0].rsplit('.', 1)[-1])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=_production_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "31536000",
        "__Host-chatarchief_session",
        "Argon2PasswordHasher",
    ], result.stderr


def test_debug_is_refused_in_production(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=_production_env(tmp_path, CHATARCHIEF_DEBUG="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "CHATARCHIEF_DEBUG=1 is refused" in result.stderr


def _templates() -> list[Path]:
    return sorted(p for p in SRC.rglob("templates/**/*.html"))


def _pdf_only(path: Path) -> bool:
    """`*_pdf.html`: rendered by WeasyPrint into a PDF on the server (receipts, reports), never served to a
    browser, so the page's CSP does not apply; they carry their print CSS inline to be self-contained."""
    return path.name.endswith("_pdf.html")


def test_templates_have_no_inline_script_or_style() -> None:
    """Strict CSP (script-src/style-src 'self'): no inline <script>, no style attributes or elements, no on*= handlers."""
    problems = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        if _pdf_only(path):
            if "<script" in text:
                problems.append(f"{path.name}: script in a PDF template")
            continue
        for match in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in match.group(0):
                problems.append(f"{path.name}: inline {match.group(0)}")
        if re.search(r"\sstyle\s*=", text) or "<style" in text:
            problems.append(f"{path.name}: inline style")
        if re.search(r"\son[a-z]+\s*=", text):
            problems.append(f"{path.name}: event handler attribute")
        if "javascript:" in text.lower():
            problems.append(f"{path.name}: javascript: URL")
    assert len(_templates()) >= 10
    assert not problems, problems


@pytest.mark.django_db
def test_error_pages_are_ours_and_show_no_debug_output(client: Client) -> None:
    missing = client.get("/bestaat-niet/")
    assert missing.status_code == 404 and "Niet gevonden" in missing.content.decode()
    quiet = Client(raise_request_exception=False)
    with override_settings(ROOT_URLCONF="tests.web.urls_boom"):
        user = get_user_model().objects.create_user("iemand")
        quiet.force_login(user)
        from tests.web.world import pass_second_factor

        pass_second_factor(quiet, user)
        broken = quiet.get("/boom/")
    assert broken.status_code == 500
    text = broken.content.decode()
    assert "Er ging iets mis" in text and "geheime interne fout" not in text and "Traceback" not in text


@pytest.mark.django_db
def test_csrf_is_enforced_with_our_page() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403 and "CSRF" in response.content.decode()


@pytest.mark.django_db
def test_upload_size_limit(client: Client, settings: Any) -> None:
    registry.add_organisation("BZK", "BZK", actor="test")
    custodian = registry.add_custodian("m", name="M", actor="test", organisation="BZK")
    user = get_user_model().objects.create_user("operator")
    grant(user, Role.OPERATOR, custodian=custodian)
    client.force_login(user)
    settings.MAX_UPLOAD_SIZE = 100
    big = SimpleUploadedFile("WhatsApp-chat met X.txt", b"x" * 500)
    response = client.post(reverse("upload"), {"custodian": custodian.pk, "files": big})
    assert response.status_code == 200 and "te groot" in response.content.decode()
    assert not custodian.deliveries.exists()


@pytest.mark.django_db
def test_an_upload_is_ingested_and_its_spool_removed(client: Client, settings: Any, tmp_path: Any) -> None:
    settings.UPLOAD_DIR = tmp_path / "uploads"
    registry.add_organisation("BZK", "BZK", actor="test")
    custodian = registry.add_custodian("m", name="M", actor="test", organisation="BZK")
    user = get_user_model().objects.create_user("operator")
    grant(user, Role.OPERATOR, custodian=custodian)
    client.force_login(user)
    chat = b"01-02-2024 10:00 - Anne: Goedemorgen\n01-02-2024 10:01 - Bram: Hoi\n"
    response = client.post(
        reverse("upload"), {"custodian": custodian.pk, "files": SimpleUploadedFile("WhatsApp-chat met Anne.txt", chat)}
    )
    delivery = custodian.deliveries.get()
    assert response.status_code == 302 and response["Location"] == reverse("delivery", args=[delivery.pk])
    assert delivery.status == "ingested" and delivery.counts["messages"] == 2
    assert list(settings.UPLOAD_DIR.iterdir()) == []  # the spool is gone; the original is in the blob store
