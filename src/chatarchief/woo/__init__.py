"""Woo requests: search record, documents across holders, assessment, redaction, publication package."""
