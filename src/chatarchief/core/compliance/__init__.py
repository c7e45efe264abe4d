"""Compliance rules as plain functions over dataclasses (no Django; the `compliance` app persists them).

- `agreements`: the afspraken (how often, who secures, which channels, from when) and the one in force.
- `cadence`: securing moments against the agreements over time: gaps, the open gap, never delivered.
- `status`: the timing state (ok, due, overdue) and the traffic light of one custodian.
- `workflow`: the findings' statuses and the transitions allowed between them.
- `actors`: who did an act (deleted, edited, view-once, timers): the custodian, another, or unknown.
- `reminders`: which reminders are due on a day, to whom, with a key that never repeats.
- `roster`: the custodian roster import (CSV, XLSX) and who is in scope on a date (phases, pilot).
- `report`, `report_writers`, `chart`: the ADR report as data, its CSV/XLSX/JSON writers, the SVG chart.
- `receipts`: the receipt's "what changed" sentences; `signing`: the detached Ed25519 signature of its PDF.

See docs/compliance.md for the rules in words.
"""
