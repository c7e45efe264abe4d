"""Master keys of the encrypted blob store: `chatarchief keys rotate`, `chatarchief keys rename-blobs`."""

from __future__ import annotations

import sys

import click

from chatarchief.cli.base import actor, json_option, print_json, progress_bar, writes_to_pipe


@click.group("keys")
def keys() -> None:
    """master keys of the encrypted blob store"""


@keys.command("rotate")
@click.option("--new-key-file", required=True, help="file holding the new master key (base64)")
@json_option("print the report as JSON")
@writes_to_pipe
def rotate(new_key_file: str, as_json: bool) -> int:
    """re-wrap every blob's data key under a new master key"""
    from chatarchief.archive.services import blob_keys, blobs
    from chatarchief.audit import log

    new = blob_keys.read_key_file(new_key_file)[0]
    key_file = blob_keys.promote_in_key_file(new)
    provider = blob_keys.LocalKeyProvider(new)
    bar = progress_bar(not as_json and sys.stderr.isatty())
    task = bar.add_task("rewrap", total=None) if bar is not None else None
    if bar is not None:
        bar.start()
    try:
        report = blobs.rotate(
            provider, (lambda done, total: bar.update(task, completed=done, total=total)) if bar else None
        )
    finally:
        if bar is not None:
            bar.stop()
        blob_keys.reset()
    log.master_key_rotated(actor(), report)
    if as_json:
        print_json(report)
    else:
        print(
            f"{report['blobs']} blobs: {report['rewrapped']} re-wrapped, {report['unchanged']} already under {report['key_id']}"
        )
        for failure in report["failed"]:
            print(f"FAILED {failure['sha256']}: {failure['message']}", file=sys.stderr)
        if key_file is None:
            print(
                "Now set CHATARCHIEF_MASTER_KEY to the new key; keep the old one in CHATARCHIEF_PREVIOUS_MASTER_KEYS "
                "until every process runs with the new key."
            )
    return 1 if report["failed"] else 0


@keys.command("rename-blobs")
@json_option()
@writes_to_pipe
def rename_blobs(as_json: bool) -> int:
    """move an older store's blobs from plain SHA-256 names to keyed names"""
    from chatarchief.archive.services import blobs
    from chatarchief.audit import log

    report = blobs.rename_legacy_blobs()
    log.blobs_renamed(actor(), report)
    if as_json:
        print_json(report)
    else:
        print(f"{report['legacy']} blobs under a plain SHA-256: {report['renamed']} moved to their keyed names")
        for failure in report["failed"]:
            print(f"FAILED {failure['sha256']}: {failure['message']}", file=sys.stderr)
    return 1 if report["failed"] else 0


COMMANDS = [keys]
