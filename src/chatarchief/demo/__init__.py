"""The demo archive (`chatarchief.demo.load`): `from chatarchief.demo import load_demo, DEMO_USER,
DEMO_PASSWORD` as before. Loaded on first use, so that `python -m chatarchief.demo.totp` (the demo
login's code, no Django set-up) does not need Django's settings."""

from __future__ import annotations

from typing import Any

__all__ = ["DEMO_PASSWORD", "DEMO_USER", "load_demo"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from chatarchief.demo import load

        return getattr(load, name)
    raise AttributeError(f"module 'chatarchief.demo' has no attribute {name!r}")
