"""Signal edits through the real ingest (issue 14 item 2): one message, two versions, whatever the order.

For each Signal form, two generated backups of the same account: the first holds a message as it was
sent, the second the same message after the owner edited it (backup v2: one ChatItem whose dateSent is
the edit's time, the original in revisions[0]; legacy `.backup`: the original row superseded by a
revision row; Desktop: the row with its editHistory). Ingested in either order, the archive holds one
message with two versions, one `message_edited` finding and no `message_missing` finding.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from chatarchief.archive.services import readout, registry
from chatarchief.compliance import readout as compliance_readout
from chatarchief.compliance.services import status
from chatarchief.intake.pipeline import ingest
from tests.generators import signal_v2_backup as v2
from tests.generators.signal_android import PASSPHRASE, small_account_rows, write_small_backup
from tests.generators.signal_desktop_profile import default_messages, original_messages, write_profile

pytestmark = pytest.mark.django_db

ORIGINAL, EDITED = "Vergadering om 14:00", "Vergadering om 15:00"
V2_SENT, V2_EDITED = 1730815200000, 1730816400000  # 2024-11-05 14:00 and 14:20 UTC


def _v2(tmp_path: Path, edited: bool) -> tuple[Path, str | None, dt.datetime | None]:
    items = [
        v2.Item(v2.CHAT_BRAM, v2.BRAM, V2_SENT - 60_000, "Hoe laat is de vergadering?"),
        v2.Item(v2.CHAT_BRAM, v2.SELF, V2_EDITED, EDITED, revisions=[(V2_SENT, ORIGINAL)])
        if edited
        else v2.Item(v2.CHAT_BRAM, v2.SELF, V2_SENT, ORIGINAL),
    ]
    name, when = (
        ("signal-backup-2024-11-05-15-00-00", 1730818800000)
        if edited
        else ("signal-backup-2024-11-05-14-10-00", 1730815800000)
    )
    root = tmp_path / ("edited" if edited else "original") / "SignalBackups"
    return v2.write_snapshot(root, name, items, backup_time_ms=when), v2.RECOVERY_KEY, None


def _legacy(tmp_path: Path, edited: bool) -> tuple[Path, str | None, dt.datetime | None]:
    folder = tmp_path / ("edited" if edited else "original")
    folder.mkdir()
    # Backup times (Amsterdam, CEST): the original at 12:06:30, before the edit at 12:07; the edit at 12:10.
    name = "signal-2024-06-01-12-10-00.backup" if edited else "signal-2024-06-01-12-06-30.backup"
    return write_small_backup(folder / name, rows=small_account_rows(edited=edited)), PASSPHRASE, None


def _desktop(tmp_path: Path, edited: bool) -> tuple[Path, str | None, dt.datetime | None]:
    root = tmp_path / ("edited" if edited else "original") / "Signal"
    messages = default_messages() if edited else original_messages()
    when = dt.datetime(2024, 11, 20 if edited else 5, 12, 0, tzinfo=dt.UTC)  # after the edit / between send and edit
    return write_profile(root, messages=messages), None, when


FORMATS = {"signal_v2": _v2, "signal_android": _legacy, "signal_desktop": _desktop}
# When the edited message was first sent: the archive shows it there, whichever backup came first.
FIRST_SENT = {"signal_v2": V2_SENT, "signal_android": 1717236000000 + 6 * 60_000, "signal_desktop": 1730815200000}


@pytest.mark.parametrize("order", ["original_first", "edited_first"])
@pytest.mark.parametrize("name", list(FORMATS))
def test_an_edit_is_one_message_with_two_versions_in_either_order(tmp_path, name, order):
    custodian = registry.add_custodian(f"bewerkt-{name.replace('_', '-')}", name="Test Gebruiker", actor="test")
    write = FORMATS[name]
    backups = [write(tmp_path, edited=False), write(tmp_path, edited=True)]
    if order == "edited_first":
        backups.reverse()
    for path, secret, exported_at in backups:
        outcome = ingest(path, custodian, actor="t", secret=secret, exported_at=exported_at)
        assert outcome.status == "ingested", outcome.as_dict()
        assert outcome.delivery.format == name
    messages = list(readout.iter_messages(custodian))
    edited = [m for m in messages if m["edited"]]
    assert len(edited) == 1, [(m["body"], m["sent_at"], m["state"]) for m in messages]
    (message,) = edited
    assert message["state"] == "current"
    assert dt.datetime.fromisoformat(message["sent_at"]).timestamp() * 1000 == FIRST_SENT[name]
    assert len(message["versions"]) == 2
    bodies = [v["body"] for v in message["versions"]]
    assert bodies[-1] == message["body"] and message["body"] != bodies[0]
    assert not any(m["body"] == bodies[0] for m in messages if not m["edited"])  # the original is no second message
    types = Counter(f["type"] for f in compliance_readout.findings(status(custodian)))
    assert types["message_edited"] == 1
    assert types["message_missing"] == 0
