"""The CLI's command functions (Django is set up before this module is imported)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from chatarchief.archive.models import Custodian
from chatarchief.archive.services import readout, registry
from chatarchief.archive.services.ingest import ingest
from chatarchief.audit import log
from chatarchief.cli import _actor, _lang, command, print_json
from chatarchief.compliance import cadence
from chatarchief.core.errors import ChatarchiefError


@command("migrate")
def migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    return 0


@command("serve")
def serve(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    # the development server also serves the static files (production: collectstatic behind a web server)
    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, insecure_serving=True)
    return 0


@command("demo")
def demo(args: argparse.Namespace) -> int:
    from chatarchief.web.demo import load_demo

    for line in load_demo(actor=_actor()):
        print(line)
    return 0


@command("organisation add")
def organisation_add(args: argparse.Namespace) -> int:
    organisation = registry.add_organisation(args.code, args.name, actor=_actor())
    print(f"{organisation.code}: {organisation.name}")
    return 0


@command("custodian add")
def custodian_add(args: argparse.Namespace) -> int:
    custodian = registry.add_custodian(
        args.slug,
        name=args.name,
        actor=_actor(),
        organisation=args.organisation,
        category=args.category,
        function=args.function,
        phones=args.phone,
    )
    print(f"{custodian.slug}: {custodian.name}")
    return 0


@command("custodian list")
def custodian_list(args: argparse.Namespace) -> int:
    rows = [
        {**registry.custodian_summary(c), "phone_numbers": c.phone_numbers}
        for c in Custodian.objects.select_related("organisation").order_by("slug")
    ]
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            print(f"{row['slug']:24} {row['name']:30} {row['organisation'] or '-':8} {row['category']}")
    return 0


def _read_secret(path: str | None) -> str | None:
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError as exc:
        raise ChatarchiefError(
            "cli.secret_file",
            nl=f"Kan het sleutelbestand niet lezen ({exc.strerror}).",
            en=f"Cannot read the key file ({exc.strerror}).",
            file=path,
        ) from None


def _progress_bar(enabled: bool) -> Any:
    if not enabled:
        return None
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        transient=True,
    )


@command("ingest")
def ingest_command(args: argparse.Namespace) -> int:
    custodian = registry.get_custodian(args.custodian)
    secret = _read_secret(args.passphrase_file)
    lang = _lang()
    results = []
    bar = _progress_bar(not args.json and sys.stderr.isatty())
    failed = False
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
        for path in args.paths:
            tasks.clear()
            if not os.path.exists(path):
                results.append(_missing_file(path, lang))
                failed = True
                continue
            outcome = ingest(
                path,
                custodian,
                actor=_actor(),
                file_name=os.path.basename(path.rstrip("/")),
                exported_at=args.exported_at,
                secret=secret,
                progress=progress,
            )
            results.append(outcome.as_dict(lang))
            failed = failed or outcome.status == "failed"
    finally:
        if bar is not None:
            bar.stop()
    if args.json:
        print_json({"deliveries": results})
    else:
        for row in results:
            _print_receipt(row)
    return 1 if failed else 0


def _missing_file(path: str, lang: str) -> dict[str, Any]:
    message = f"{path}: " + ("bestand bestaat niet" if lang == "nl" else "no such file")
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
    label = {"ingested": "VERWERKT", "duplicate": "DUBBEL"}.get(row["status"], row["status"])
    titles = ", ".join(c["title"] for c in row["conversations"][:3])
    print(
        f"{label:9} {row['file']} [{row['format']}] {titles}: {counts.get('messages', 0)} berichten, "
        f"{counts.get('new', 0)} nieuw, {counts.get('deleted', 0)} verwijderd, {counts.get('edited', 0)} bewerkt, "
        f"{counts.get('missing', 0)} ontbrekend (sha256 {row['sha256'][:12]}…)"
    )


@command("messages")
def messages_command(args: argparse.Namespace) -> int:
    custodian = registry.get_custodian(args.custodian)
    count = 0
    out = sys.stdout
    for row in readout.iter_messages(custodian, args.conversation):
        out.write(json.dumps(row, ensure_ascii=False))
        out.write("\n")
        count += 1
    log.content_read(
        _actor(), "messages.export", custodian, custodian.slug, count=count, conversation=args.conversation
    )
    return 0


@command("findings")
def findings_command(args: argparse.Namespace) -> int:
    custodian = registry.get_custodian(args.custodian)
    cadence.refresh(custodian)
    rows = readout.findings(custodian)
    log.findings_listed(_actor(), custodian.slug, len(rows))
    print_json(rows)
    return 0


@command("audit verify")
def audit_verify(args: argparse.Namespace) -> int:
    intact, count, broken = log.verify()
    if intact:
        print(f"audit log intact: {count} events")
        return 0
    print(f"audit log BROKEN at event {broken} (after {count} intact events)", file=sys.stderr)
    return 1


@command("user add")
def user_add(args: argparse.Namespace) -> int:
    from chatarchief.web.accounts import add_user

    password = _read_secret(args.password_file) or ""
    user = add_user(
        args.username,
        password,
        actor=_actor(),
        role=args.role,
        custodian_slug=args.custodian,
        organisation_code=args.organisation,
    )
    print(f"user {user.username} added")
    return 0


@command("keys rename-blobs")
def keys_rename_blobs(args: argparse.Namespace) -> int:
    from chatarchief.archive.services import blobs

    report = blobs.rename_legacy_blobs()
    log.blobs_renamed(_actor(), report)
    if args.json:
        print_json(report)
    else:
        print(f"{report['legacy']} blobs under a plain SHA-256: {report['renamed']} moved to their keyed names")
        for failure in report["failed"]:
            print(f"FAILED {failure['sha256']}: {failure['message']}", file=sys.stderr)
    return 1 if report["failed"] else 0


@command("keys rotate")
def keys_rotate(args: argparse.Namespace) -> int:
    from chatarchief.archive.services import blob_keys, blobs

    new = blob_keys.read_key_file(args.new_key_file)[0]
    key_file = blob_keys.promote_in_key_file(new)
    provider = blob_keys.LocalKeyProvider(new)
    bar = _progress_bar(not args.json and sys.stderr.isatty())
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
    log.master_key_rotated(_actor(), report)
    if args.json:
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


@command("serviceaccount add")
def serviceaccount_add(args: argparse.Namespace) -> int:
    from chatarchief.api.accounts import add_service_account

    account, token = add_service_account(args.name, args.organisation, args.operation, actor=_actor())
    print(f"service account {account.name} ({account.organisation.code}): {', '.join(account.operations)}")
    print("token (shown once, store it now):")
    print(token)
    return 0


@command("user totp-reset")
def user_totp_reset(args: argparse.Namespace) -> int:
    from chatarchief.access import otp

    removed = otp.reset(args.username, actor=_actor())
    print(f"{args.username}: {removed} TOTP device(s) removed; the user enrols again at the next login")
    return 0


@command("user totp-status")
def user_totp_status(args: argparse.Namespace) -> int:
    from chatarchief.access import otp

    print_json(otp.status(args.username))
    return 0
