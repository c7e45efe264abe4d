"""The anchored audit trail (issue 19): append-only triggers, the signed anchor log, and
`chatarchief audit verify` finding an edited row, deleted newest events, a truncated table and a
rewritten chain; `audit export` and its verifier. Tampering is raw SQL after dropping the triggers,
as an attacker with the database owner's credentials would."""

from __future__ import annotations

import datetime as dt
import json
import stat

import pytest
from django.db import DatabaseError, connection, transaction

from chatarchief.audit import anchor, chain, log, triggers
from chatarchief.audit.models import AuditEvent
from chatarchief.cli import main

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    monkeypatch.setenv("CHATARCHIEF_LANG", "en")
    triggers.install(connection)  # a committed-database test earlier may have dropped them


def _events(n: int, capture) -> list[AuditEvent]:
    """n events, each in its own committed transaction (each anchored)."""
    made = []
    for i in range(n):
        with capture(execute=True):
            made.append(log.login(f"test:{i}", True))
    return made


def _sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _verify(capsys) -> tuple[int, str]:
    code = main(["audit", "verify"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_the_database_refuses_update_and_delete():
    event = log.login("test", True)
    for statement in (
        "UPDATE audit_auditevent SET actor = 'someone else' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _sql(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).actor == "test"


def test_every_committed_transaction_is_anchored_once_signed_and_chained(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for _ in range(3):
            log.login("test", True)
    _events(2, django_capture_on_commit_callbacks)
    lines = [json.loads(line) for line in anchor.log_path().read_text().splitlines()]
    assert [line["count"] for line in lines] == [3, 4, 5]
    assert lines[-1]["hash"] == AuditEvent.objects.order_by("-id").first().hash
    assert stat.S_IMODE(anchor.key_path().stat().st_mode) == 0o600
    report = anchor.verify_all()
    assert report.intact and report.events == 5 and report.anchors == 3


def test_an_anchor_counts_on_from_the_line_before_not_the_whole_table(django_capture_on_commit_callbacks):
    """Every audited request anchors; a COUNT(*) of the whole audit table each time would grow with
    the trail. The count goes on from the newest line when its event is still there, unchanged."""
    from django.test.utils import CaptureQueriesContext

    _events(3, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as queries:
        _events(2, django_capture_on_commit_callbacks)
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("WHERE" in sql.upper() for sql in counts), counts
    lines = [json.loads(line) for line in anchor.log_path().read_text().splitlines()]
    assert [line["count"] for line in lines] == [1, 2, 3, 4, 5] == [*range(1, AuditEvent.objects.count() + 1)]
    # a newest line whose event is not in this database (another database's log): everything counted
    anchor.append(99, 10**9, "f" * 64)
    _events(1, django_capture_on_commit_callbacks)
    assert json.loads(anchor.log_path().read_text().splitlines()[-1])["count"] == 6 == AuditEvent.objects.count()


def test_an_edited_row_is_named(django_capture_on_commit_callbacks, capsys):
    events = _events(4, django_capture_on_commit_callbacks)
    triggers.remove(connection)
    _sql("UPDATE audit_auditevent SET actor = 'cli:mallory' WHERE id = %s", [events[1].pk])
    code, output = _verify(capsys)
    assert code == 1
    assert f"chain broken at event {events[1].pk} (after 1 intact events)" in output


def test_deleted_newest_events_are_found_as_a_missing_tail(django_capture_on_commit_callbacks, capsys):
    events = _events(5, django_capture_on_commit_callbacks)
    assert _verify(capsys)[0] == 0
    triggers.remove(connection)
    _sql("DELETE FROM audit_auditevent WHERE id >= %s", [events[3].pk])
    assert log.verify()[0]  # the chain alone cannot tell
    code, output = _verify(capsys)
    assert code == 1
    assert "missing tail" in output and "counted 5 events" in output and "the table has 3: 2 deleted" in output


def test_a_truncated_table_is_found(django_capture_on_commit_callbacks, capsys):
    _events(3, django_capture_on_commit_callbacks)
    triggers.remove(connection)
    _sql("DELETE FROM audit_auditevent")
    code, output = _verify(capsys)
    assert code == 1 and "missing tail" in output and "the table has 0: 3 deleted" in output


def test_a_rewritten_chain_is_found_by_its_anchors(django_capture_on_commit_callbacks, capsys):
    events = _events(4, django_capture_on_commit_callbacks)
    triggers.remove(connection)
    previous = chain.GENESIS
    for event in AuditEvent.objects.order_by("id"):  # edit the first event, then re-hash the whole chain
        actor = "cli:mallory" if event.pk == events[0].pk else event.actor
        digest = chain.digest(
            previous,
            event.at.isoformat(),
            actor,
            event.action,
            event.object_type,
            event.object_id,
            event.custodian_slug,
            event.details,
        )
        _sql(
            "UPDATE audit_auditevent SET actor = %s, previous_hash = %s, hash = %s WHERE id = %s",
            [actor, previous, digest, event.pk],
        )
        previous = digest
    assert log.verify()[0]  # a consistent chain again
    code, output = _verify(capsys)
    assert code == 1
    assert f"chain rewritten: event 1 (id {events[0].pk}) differs from anchor 0" in output


def test_an_edited_anchor_line_is_found(django_capture_on_commit_callbacks, capsys):
    _events(2, django_capture_on_commit_callbacks)
    path = anchor.log_path()
    text = path.read_text().replace('"count":1', '"count":2', 1)
    path.write_text(text)
    code, output = _verify(capsys)
    assert code == 1 and "line 1: bad signature" in output


def test_an_export_is_verifiable_and_a_change_to_it_is_found(django_capture_on_commit_callbacks, tmp_path, capsys):
    _events(3, django_capture_on_commit_callbacks)
    today = dt.date.today().isoformat()
    out = tmp_path / "extract.json"
    assert main(["audit", "export", "--from", "2020-01-01", "--to", today, "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["events"] == 3
    public = f"{anchor.key_path()}.pub"
    assert main(["audit", "verify-export", str(out), "--public-key", public]) == 0
    assert "extract intact: 3 events" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="audit.exported").exists()

    document = json.loads(out.read_text())
    document["events"][1]["actor"] = "cli:mallory"
    out.write_text(json.dumps(document))
    assert main(["audit", "verify-export", str(out)]) == 1
    assert "signature does not match" in capsys.readouterr().err

    empty = tmp_path / "empty.json"
    assert main(["audit", "export", "--from", "2001-01-01", "--to", "2001-12-31", "--out", str(empty)]) == 0
    assert main(["audit", "verify-export", str(empty)]) == 0


def test_an_unanchored_log_is_reported_until_it_is_anchored(capsys):
    log.login("test", True)  # committed only with the test's transaction: no anchor written yet
    code, output = _verify(capsys)
    assert code == 1 and "no anchor log" in output and "chatarchief audit anchor" in output
    assert main(["audit", "anchor"]) == 0
    assert "anchored: 1 events" in capsys.readouterr().out
    assert main(["audit", "verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "intact": True,
        "events": 1,
        "anchors": 1,
        "anchored_count": 1,
        "broken_id": None,
        "problem": "",
    }
