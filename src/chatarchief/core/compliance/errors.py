"""The error compliance rules raise for input a person gave wrongly (an agreement, a transition, a key)."""

from __future__ import annotations

from chatarchief.core.errors import ChatarchiefError


class ComplianceError(ChatarchiefError):
    """Bad compliance input, with a machine code and a Dutch and English message."""
