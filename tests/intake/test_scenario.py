"""Acceptance: twelve monthly exports of one chat, in any order, give one and the same archive."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from chatarchief.archive.models import Delivery
from chatarchief.archive.services import readout, registry
from chatarchief.compliance import readout as compliance_readout
from chatarchief.compliance.services import status
from chatarchief.intake.pipeline import ingest
from tests.intake.scenario import UNIQUE_MESSAGES, write_exports

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return write_exports(tmp_path_factory.mktemp("scenario"))


def _ingest_all(slug: str, files) -> list:
    custodian = registry.add_custodian(slug, name="Mark Minister", actor="test", organisation="AZ")
    outcomes = [ingest(path, custodian, actor="test", exported_at=when) for path, when in files]
    return custodian, outcomes


def _normalised_messages(custodian):
    """The `messages` output without the ids that depend on ingest order (delivery ids → file hash)."""
    sha = dict(Delivery.objects.filter(custodian=custodian).values_list("pk", "sha256"))
    rows = []
    for row in readout.iter_messages(custodian):
        row = dict(row)
        row.pop("id")
        row.pop("conversation_id")
        row["versions"] = [{**v, "delivery_id": sha[v["delivery_id"]]} for v in row["versions"]]
        rows.append(row)
    return sorted(rows, key=lambda r: (r["sent_at"], r["sender"] or "", r["body"] or "", r["kind"]))


def _normalised_findings(custodian):
    sha = dict(Delivery.objects.filter(custodian=custodian).values_list("pk", "sha256"))
    bodies = {m["id"]: m["body"] for m in readout.iter_messages(custodian)}
    rows = []
    for f in compliance_readout.findings(status(custodian)):
        details = {k: v for k, v in f["details"].items() if k != "days"}
        rows.append(
            (
                f["type"],
                f["message_sent_at"],
                bodies.get(f["message_id"]),
                sha.get(f["delivery_id"]),
                repr(sorted(details.items())),
            )
        )
    return sorted(rows, key=repr)


def test_every_order_gives_the_same_archive(exports):
    orders = {
        "chronological": list(exports),
        "reversed": list(reversed(exports)),
        "shuffled": random.Random(20250101).sample(exports, len(exports)),
    }
    results = {}
    for name, files in orders.items():
        custodian, outcomes = _ingest_all(f"mark-{name}", files)
        assert [o.status for o in outcomes].count("failed") == 0, [o.as_dict() for o in outcomes if o.error]
        assert [o.status for o in outcomes].count("duplicate") == 1
        results[name] = (_normalised_messages(custodian), _normalised_findings(custodian))
    first_messages, first_findings = results["chronological"]
    for name, (messages, found) in results.items():
        assert messages == first_messages, name
        assert found == first_findings, name


def test_the_archive_holds_each_message_once_with_its_history(exports):
    custodian, outcomes = _ingest_all("mark-detail", exports)
    messages = list(readout.iter_messages(custodian))
    assert len(messages) == UNIQUE_MESSAGES
    assert len({m["conversation_id"] for m in messages}) == 1
    by_body = {m["body"]: m for m in messages if m["body"]}

    deleted = by_body["Vertrouwelijk: de begroting wordt 40 miljoen lager."]
    assert deleted["state"] == "deleted"
    assert [v["kind"] for v in deleted["versions"]] == ["text", "deleted"]

    gone = by_body["Dit hoort hier niet, ik haal het weg."]
    assert gone["state"] == "missing"

    edited = by_body["Overleg donderdag om 11:00."]
    assert edited["edited"] is True
    assert [v["body"] for v in edited["versions"]] == ["Overleg donderdag om 10:00.", "Overleg donderdag om 11:00."]

    assert sum(1 for m in messages if m["body"] == "Ok") == 2
    assert Counter(m["kind"] for m in messages)["view_once"] == 1

    photo = by_body["Zie de bijlage."]
    assert photo["kind"] == "media" and photo["attachments"][0]["sha256"]

    night = sorted((m["sent_at"], m["body"]) for m in messages if m["sent_at"].startswith("2025-10-26T02"))
    assert night == [
        ("2025-10-26T02:10:00+02:00", "Nachtelijke update 1"),
        ("2025-10-26T02:15:00+01:00", "Na het terugzetten van de klok"),
        ("2025-10-26T02:40:00+02:00", "Nachtelijke update 2"),
        ("2025-10-26T02:50:00+01:00", "Tweede keer 02:50"),
    ]

    found = Counter(f["type"] for f in compliance_readout.findings(status(custodian)))
    assert found["message_deleted"] == 1
    assert found["message_missing"] == 1
    assert found["message_edited"] == 1
    assert found["view_once"] == 1
    assert found["disappearing_enabled"] == 1
    assert found["disappearing_disabled"] == 1
    assert found["delivery_overdue"] == 1  # from the December export until today
    details = {f["type"]: f["details"] for f in compliance_readout.findings(status(custodian))}
    assert details["message_deleted"] == {
        "by": "other",
        "actor": "Anne",
        "by_basis": "tombstone",
        "content_preserved": True,
    }
    assert details["disappearing_enabled"]["timer_seconds"] == 7 * 24 * 3600


def test_counts_per_delivery_tell_what_changed(exports):
    custodian, outcomes = _ingest_all("mark-counts", exports)
    by_month = {n + 1: o.counts for n, o in enumerate(outcomes[:12])}
    assert by_month[1]["new"] == by_month[1]["messages"] == 3
    assert by_month[4]["deleted"] == 1
    assert by_month[5]["missing"] == 1
    assert by_month[6]["edited"] == 1
    assert outcomes[12].status == "duplicate" and outcomes[12].counts["new"] == 0
    for counts in by_month.values():
        assert (
            counts["new"] + counts["unchanged"] + counts["enriched"] + counts["deleted"] + counts["edited"]
            == counts["messages"]
        )
