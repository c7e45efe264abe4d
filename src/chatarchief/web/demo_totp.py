"""The demo login's current TOTP code (moved to chatarchief.demo.totp; this name stays for habit).

python -m chatarchief.web.demo_totp
"""

from chatarchief.demo.totp import DEMO_TOTP_KEY, DEMO_TOTP_SECRET, current_code

__all__ = ["DEMO_TOTP_KEY", "DEMO_TOTP_SECRET", "current_code"]

if __name__ == "__main__":
    print(current_code())
