"""Packaging: chat PDFs (normal, PDF/A-3b, redacted for Woo), Woo inventories and manifests, and MDTO
SIP transfer packages as BagIt bags. Plain Python over dataclasses; see docs/packaging.md."""
