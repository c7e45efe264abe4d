"""Two-factor authentication with TOTP (django-otp): enrolment, verification, reset.

Every local account must verify a TOTP code after its password (web.security enforces it). A user
enrols once: an unconfirmed device is made, shown as a QR code (SVG drawn here, server-side) and as
text, and confirmed by the first correct code. Only an administrator (or the CLI) resets it.
Accounts that sign on through OpenID Connect skip this: their identity provider does the MFA.
"""

from __future__ import annotations

import base64
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from chatarchief.audit import log
from chatarchief.core.errors import ChatarchiefError

DEVICE_NAME = "authenticator"


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def is_enrolled(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: Any) -> TOTPDevice:
    """The unconfirmed device a user is enrolling with (made on first call, reused after)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an authenticator app."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(text: str) -> str:
    """An inline <svg> element (no XML declaration, no style attribute) encoding `text`."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    svg = svg.split("?>", 1)[-1] if svg.startswith("<?xml") else svg
    return svg.replace("<svg ", '<svg role="img" aria-label="QR-code" class="ca-qr" ', 1)


def verify(device: TOTPDevice, token: str) -> bool:
    """Check a code against a device (django-otp throttles repeated failures and refuses replays)."""
    token = (token or "").replace(" ", "").strip()
    if not token.isdigit() or len(token) != device.digits:
        device.throttle_increment(commit=True)
        return False
    return bool(device.verify_token(token))


def confirm(device: TOTPDevice, token: str, *, actor: str) -> bool:
    """Finish enrolment: the first correct code confirms the device."""
    if device.confirmed or not verify(device, token):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user, confirmed=False).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        log.totp_enrolled(actor, device.user)
    return True


def reset(username: str, *, actor: str) -> int:
    """Remove every TOTP device of a user (CLI and admin page): they enrol again at the next login."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ChatarchiefError(
            "accounts.unknown", nl=f"Gebruiker {username!r} bestaat niet.", en=f"No user {username!r}."
        )
    with transaction.atomic():
        count, _ = TOTPDevice.objects.filter(user=user).delete()
        log.totp_reset(actor, user, count)
    return count


def status(username: str) -> dict[str, Any]:
    """What the CLI shows: enrolled or not, and when the device was last used (never the secret)."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ChatarchiefError(
            "accounts.unknown", nl=f"Gebruiker {username!r} bestaat niet.", en=f"No user {username!r}."
        )
    device = confirmed_device(user)
    return {
        "username": username,
        "enrolled": device is not None,
        "last_used_at": device.last_used_at.isoformat() if device and device.last_used_at else None,
        "pending": TOTPDevice.objects.filter(user=user, confirmed=False).exists(),
    }


def provision(user: Any, key_hex: str, *, actor: str) -> TOTPDevice:
    """Give a user a confirmed device with a known key. For demo data and tests only: a known key is no secret."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key_hex, confirmed=True)
        log.totp_provisioned(actor, user)
    return device


def current_code(key_hex: str, *, drift: int = 0) -> str:
    """The TOTP code for a hex key right now (6 digits, 30 s steps, like the devices)."""
    return f"{totp(bytes.fromhex(key_hex), step=30, t0=0, digits=6, drift=drift):06d}"
