"""TOTP enrolment, verification, reset and the demo device."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP

from chatarchief.access import otp
from chatarchief.audit.models import AuditEvent
from chatarchief.core.errors import ChatarchiefError
from chatarchief.demo.totp import DEMO_TOTP_KEY, DEMO_TOTP_SECRET, current_code

pytestmark = pytest.mark.django_db


def test_enrol_confirm_verify_and_no_replay() -> None:
    user = get_user_model().objects.create_user("jan")
    device = otp.pending_device(user)
    assert otp.pending_device(user).pk == device.pk and not otp.is_enrolled(user)
    assert not otp.confirm(device, "12345", actor="t") and not otp.confirm(device, "abcdef", actor="t")
    device.throttling_failure_count = 0
    device.save()
    code = otp.current_code(device.key)
    assert otp.confirm(device, code, actor="t")
    assert otp.is_enrolled(user) and otp.confirmed_device(user).pk == device.pk
    assert not otp.verify(device, code)  # the same code twice: refused
    assert AuditEvent.objects.filter(action="auth.totp_enrolled").exists()


def test_secret_text_and_qr_svg() -> None:
    user = get_user_model().objects.create_user("jan")
    device = otp.provision(user, DEMO_TOTP_KEY, actor="t")
    assert otp.secret_text(device).replace(" ", "") == DEMO_TOTP_SECRET
    svg = otp.qr_svg(device.config_url)
    assert svg.startswith("<svg ") and "<?xml" not in svg and "style=" not in svg and "<script" not in svg
    assert "otpauth" not in svg  # the secret travels only inside the QR matrix


def test_reset_and_status() -> None:
    user = get_user_model().objects.create_user("jan")
    otp.provision(user, DEMO_TOTP_KEY, actor="t")
    assert otp.status("jan")["enrolled"] is True
    assert otp.reset("jan", actor="cli:root") == 1
    assert otp.status("jan") == {"username": "jan", "enrolled": False, "last_used_at": None, "pending": False}
    with pytest.raises(ChatarchiefError) as error:
        otp.reset("niemand", actor="cli:root")
    assert error.value.code == "accounts.unknown"


def test_demo_code_matches_rfc6238() -> None:
    totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY))
    totp.time = 59
    assert f"{totp.token():06d}"[-6:] == "287082"  # RFC 6238 appendix B, SHA-1, T=59 (last six digits)
    assert len(current_code()) == 6 and current_code().isdigit()
