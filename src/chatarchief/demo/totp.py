"""The demo user's known TOTP key (demo data only, never for real accounts), and its current code.

    python -m chatarchief.demo.totp      # prints the 6-digit code to log in as `demo` now

No Django set-up needed: the key is a constant (the RFC 6238 test key "12345678901234567890").
"""

from __future__ import annotations

from django_otp.oath import totp

DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
DEMO_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # noqa: S105 (the demo key in base32, for authenticator apps)


def current_code() -> str:
    return f"{totp(bytes.fromhex(DEMO_TOTP_KEY), step=30, t0=0, digits=6):06d}"


if __name__ == "__main__":
    print(current_code())
