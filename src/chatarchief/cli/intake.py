"""Handing in exports: `chatarchief ingest`."""

from __future__ import annotations

import datetime as dt
import os
import sys
from typing import Any

import click

from chatarchief.cli.base import (
    actor,
    iso_datetime,
    json_option,
    lang,
    principal,
    print_json,
    progress_bar,
    read_secret,
    writes_to_pipe,
)


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--custodian", required=True)
@click.option(
    "--exported-at",
    callback=iso_datetime,
    help="when the custodian secured the chats (ISO 8601; without an offset: in the custodian's time zone)",
)
@click.option("--passphrase-file", help="file holding the Signal passphrase / recovery key / Desktop key")
@click.option("--queue", "queued", is_flag=True, help="keep the originals and leave the processing to a worker")
@json_option()
@writes_to_pipe
def ingest(
    paths: tuple[str, ...],
    custodian: str,
    exported_at: dt.datetime | None,
    passphrase_file: str | None,
    queued: bool,
    as_json: bool,
) -> int:
    """hand in export files or folders for a custodian"""
    from chatarchief.access import services as access
    from chatarchief.access.constants import Action
    from chatarchief.archive.services import registry
    from chatarchief.intake.pipeline import ingest as ingest_path

    target = registry.get_custodian(custodian)
    access.require(principal(), Action.DELIVER, target)
    secret = read_secret(passphrase_file)
    language = lang()
    results = []
    bar = progress_bar(not as_json and sys.stderr.isatty())
    tasks: dict[str, Any] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if bar is None:
            return
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total or None)
        bar.update(tasks[stage], completed=done, total=total or None)

    if bar is not None:
        bar.start()
    try:
        for path in paths:
            tasks.clear()
            if not os.path.exists(path):
                results.append(_missing_file(path, language))
                continue
            if queued:
                from chatarchief.intake.queue import submit

                outcome = submit(path, target, actor=actor(), exported_at=exported_at, secret=secret)
            else:
                outcome = ingest_path(
                    path,
                    target,
                    actor=actor(),
                    exported_at=exported_at,
                    secret=secret,
                    progress=progress,
                )
            results.append(outcome.as_dict(language))
    finally:
        if bar is not None:
            bar.stop()
    if as_json:
        print_json({"deliveries": results})
    else:
        for row in results:
            _print_receipt(row)
    return 1 if any(row["status"] == "failed" for row in results) else 0


def _missing_file(path: str, language: str) -> dict[str, Any]:
    message = f"{path}: " + ("bestand bestaat niet" if language == "nl" else "no such file")
    return {
        "delivery_id": None,
        "file": os.path.basename(path),
        "sha256": None,
        "status": "failed",
        "format": None,
        "exported_at": None,
        "conversation": None,
        "conversations": [],
        "counts": {},
        "error": {"code": "cli.no_such_file", "message": message},
    }


def _print_receipt(row: dict[str, Any]) -> None:
    if row["error"]:
        print(f"MISLUKT  {row['file']}: {row['error']['message']}", file=sys.stderr)
        return
    counts = row["counts"]
    label = {"ingested": "VERWERKT", "duplicate": "DUBBEL", "queued": "WACHTRIJ"}.get(row["status"], row["status"])
    titles = ", ".join(c["title"] for c in row["conversations"][:3])
    print(
        f"{label:9} {row['file']} [{row['format']}] {titles}: {counts.get('messages', 0)} berichten, "
        f"{counts.get('new', 0)} nieuw, {counts.get('deleted', 0)} verwijderd, {counts.get('edited', 0)} bewerkt, "
        f"{counts.get('missing', 0)} ontbrekend (sha256 {row['sha256'][:12]}…)"
    )


COMMANDS = [ingest]
