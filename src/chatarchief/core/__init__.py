"""Plain-Python core: parsers, identity, reconciliation, rules. No Django imports here (a test enforces it)."""
