"""Agreements over time, term and phase, never delivered, every traffic-light state, and the
`chatarchief agreement` and `chatarchief status` contracts (issue 17 items 2, 3 and 9)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.contrib.auth import get_user_model

from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.models import Delivery, DeliveryStatus
from chatarchief.archive.services import registry
from chatarchief.audit.models import AuditEvent
from chatarchief.cli import main
from chatarchief.compliance.models import CustodianScope, Finding, Phase
from chatarchief.compliance.services import refresh_cadence

pytestmark = pytest.mark.django_db

UTC = dt.UTC
STATUS_KEYS = {
    "slug",
    "organisation",
    "agreement",
    "last_secured_at",
    "next_due_at",
    "state",
    "light",
    "open_findings",
    "breaches_by_custodian",
}


def at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def secured(custodian, *days: str) -> None:
    for day in days:
        Delivery.objects.create(
            custodian=custodian,
            file_name=f"export-{day}.zip",
            sha256=hashlib.sha256(day.encode()).hexdigest(),
            status=DeliveryStatus.INGESTED,
            exported_at=at(day),
        )


def cli_json(capsys, *args: str) -> dict:
    capsys.readouterr()
    assert main(list(args)) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def status_of(capsys, slug: str, day: str) -> dict:
    rows = cli_json(capsys, "status", "--at", day, "--json")["custodians"]
    return next(r for r in rows if r["slug"] == slug)


@pytest.fixture
def anna():
    return registry.add_custodian("anna", name="Anna de Wit", actor="test", organisation="BZK")


def test_agreement_versions_over_time_weekly_then_monthly(anna, capsys):
    weekly = cli_json(
        capsys, "agreement", "set", "anna", "--frequency", "weekly", "--secured-by", "doc-direkt",
        "--channel", "whatsapp", "--channel", "signal", "--from", "2025-01-01", "--json",
    )  # fmt: skip
    assert weekly["agreement"]["frequency"] == "weekly" and weekly["agreement"]["channels"] == ["whatsapp", "signal"]
    assert (
        main(["agreement", "set", "anna", "--frequency", "monthly", "--secured-by", "self", "--from", "2025-03-01"])
        == 0
    )
    in_feb = cli_json(capsys, "agreement", "show", "anna", "--at", "2025-02-01", "--json")
    in_mar = cli_json(capsys, "agreement", "show", "anna", "--at", "2025-03-15", "--json")
    assert in_feb["agreement"]["frequency"] == "weekly" and in_feb["agreement"]["secured_by"] == "doc-direkt"
    assert in_mar["agreement"]["frequency"] == "monthly" and in_mar["agreement"]["period_days"] == 31
    assert len(in_mar["versions"]) == 2 and in_mar["agreement"]["recorded_by"].startswith("cli:")
    assert AuditEvent.objects.filter(action="agreement.recorded", custodian_slug="anna").count() == 2

    # weekly in January and February: a gap over 7 days is a finding; monthly from March: 20 days is fine
    secured(anna, "2025-01-03", "2025-01-09", "2025-01-20", "2025-03-05", "2025-03-25", "2025-04-14")
    found = refresh_cadence(anna, at("2025-04-20"))
    gaps = sorted((f.details["from"][:10], f.details["frequency"]) for f in found)
    assert gaps == [("2025-01-09", "weekly"), ("2025-01-20", "weekly")]  # 11 days; 44 days until 5 March
    row = status_of(capsys, "anna", "2025-04-20")
    assert row["agreement"]["frequency"] == "monthly" and row["state"] == "ok"


def test_a_secretary_must_be_an_operator_with_a_grant(anna, capsys):
    get_user_model().objects.create_user("piet")
    assert main(["agreement", "set", "anna", "--frequency", "monthly", "--secured-by", "secretary",
                 "--secretary", "piet", "--from", "2025-01-01"]) == 2  # fmt: skip
    assert "piet" in capsys.readouterr().err
    grant(get_user_model().objects.get(username="piet"), Role.OPERATOR, custodian=anna)
    shown = cli_json(capsys, "agreement", "set", "anna", "--frequency", "monthly", "--secured-by", "secretary",
                     "--secretary", "piet", "--from", "2025-01-01", "--json")  # fmt: skip
    assert shown["agreement"]["secretary"] == "piet"


def test_never_delivered_is_overdue_from_the_agreement_start_plus_the_period(anna, capsys):
    assert (
        main(["agreement", "set", "anna", "--frequency", "weekly", "--secured-by", "self", "--from", "2025-05-01"]) == 0
    )
    early = status_of(capsys, "anna", "2025-05-06")
    assert early["state"] == "due" and early["light"] == "orange" and early["last_secured_at"] is None
    late = status_of(capsys, "anna", "2025-05-20")
    assert late["state"] == "overdue" and late["light"] == "red"
    assert late["open_findings"] == {"delivery_overdue": 1} and late["breaches_by_custodian"] == 1
    # a term that starts later moves the clock
    CustodianScope.objects.create(custodian=anna, term_start=dt.date(2025, 5, 15))
    assert status_of(capsys, "anna", "2025-05-20")["state"] == "due"  # 15 May + 7 days: due on the 22nd


def test_a_term_that_ends_takes_the_custodian_out_of_the_cadence(anna, capsys):
    CustodianScope.objects.create(custodian=anna, term_start=dt.date(2025, 1, 1), term_end=dt.date(2025, 3, 31))
    secured(anna, "2025-01-10", "2025-02-05", "2025-03-01")
    during = status_of(capsys, "anna", "2025-03-20")
    assert during["state"] == "ok" and during["light"] == "green"
    after = status_of(capsys, "anna", "2025-09-01")  # months without a delivery, after the term
    assert after["state"] == "ok" and after["next_due_at"] is None and after["open_findings"] == {}
    assert registry.get_custodian("anna")  # stays in the archive


def test_a_phase_that_starts_later(anna, capsys):
    Phase.objects.create(code="fase-2", name="Fase 2", starts_on=dt.date(2025, 6, 1))
    CustodianScope.objects.create(custodian=anna, term_start=dt.date(2024, 1, 1), phase="fase-2")
    before = status_of(capsys, "anna", "2025-05-01")
    assert before["state"] == "ok" and before["open_findings"] == {}
    assert status_of(capsys, "anna", "2025-07-03")["state"] == "overdue"  # 1 June + 31 days passed
    assert status_of(capsys, "anna", "2025-06-20")["state"] == "ok"
    Phase.objects.filter(code="fase-2").update(starts_on=None)  # not scheduled: nobody in scope
    assert status_of(capsys, "anna", "2025-12-01")["state"] == "ok"


def _finding(custodian, type_: str, by: str, n: int = 1) -> Finding:
    delivery = custodian.deliveries.order_by("-exported_at").first()  # found in the last delivery
    return Finding.objects.create(
        custodian=custodian,
        type=type_,
        subject=f"test:{type_}:{by}:{n}",
        details={"by": by, "actor": "x"},
        delivery=delivery,
    )


def test_every_traffic_light_state(capsys):
    names = ["groen", "bijna", "anderen", "te-laat", "eigen"]
    people = {n: registry.add_custodian(n, name=n, actor="t", organisation="FIN") for n in names}
    secured(people["groen"], "2025-06-25")
    secured(people["bijna"], "2025-06-05")  # due 6 July: within 7 days of 1 July
    secured(people["anderen"], "2025-06-25")
    _finding(people["anderen"], "message_deleted", "other")
    secured(people["te-laat"], "2025-05-01", "2025-05-20")
    secured(people["eigen"], "2025-06-25")
    _finding(people["eigen"], "message_edited", "custodian")
    rows = {
        r["slug"]: r
        for r in cli_json(capsys, "status", "--organisation", "FIN", "--at", "2025-07-01", "--json")["custodians"]
    }
    assert set(rows) == set(names)
    assert all(set(r) == STATUS_KEYS for r in rows.values())
    assert {n: (rows[n]["state"], rows[n]["light"]) for n in names} == {
        "groen": ("ok", "green"),
        "bijna": ("due", "orange"),
        "anderen": ("ok", "orange"),
        "te-laat": ("overdue", "red"),
        "eigen": ("ok", "red"),
    }
    assert rows["eigen"]["breaches_by_custodian"] == 1 and rows["anderen"]["breaches_by_custodian"] == 0
    assert rows["anderen"]["open_findings"] == {"message_deleted": 1}
    assert rows["groen"]["organisation"] == "FIN" and rows["groen"]["agreement"]["default"] is True
    # --at ignores later deliveries
    secured(people["te-laat"], "2025-07-10")
    assert status_of(capsys, "te-laat", "2025-07-01")["state"] == "overdue"


def test_explaining_a_breach_turns_the_light(capsys):
    eigen = registry.add_custodian("eigen", name="Eigen", actor="t", organisation="FIN")
    secured(eigen, "2025-06-25")
    finding = _finding(eigen, "message_deleted", "custodian")
    assert status_of(capsys, "eigen", "2025-07-01")["light"] == "red"
    done = cli_json(
        capsys, "finding", "explain", str(finding.pk), "--note", "Zakelijk bericht, elders bewaard", "--json"
    )
    assert done == {"done": [{"id": finding.pk, "status": "explained"}], "refused": []}
    finding.refresh_from_db()
    assert (finding.status, finding.status_note) == ("explained", "Zakelijk bericht, elders bewaard")
    assert finding.status_by.startswith("cli:") and finding.steps.count() == 1
    assert AuditEvent.objects.filter(action="finding.stepped", object_id=str(finding.pk)).exists()
    assert status_of(capsys, "eigen", "2025-07-01")["light"] == "green"
    # open -> closed is refused (explain first); accepted risk from explained is fine
    other = _finding(eigen, "view_once", "custodian", 2)
    capsys.readouterr()
    assert main(["finding", "close", str(other.pk), "--note", "x"]) == 2
    assert "kan niet naar 'afgehandeld'" in capsys.readouterr().err
    other.refresh_from_db()
    assert other.status == "open"
    assert main(["finding", "accept", str(finding.pk), "--note", "Risico aanvaard"]) == 0
    finding.refresh_from_db()
    assert finding.status == "accepted_risk" and finding.steps.count() == 2


def test_status_unknown_organisation_is_a_clear_error(capsys):
    assert main(["status", "--organisation", "XYZ", "--json"]) == 2
    assert "XYZ" in capsys.readouterr().err


def test_phase_set_and_list(anna, capsys):
    CustodianScope.objects.create(custodian=anna, term_start=dt.date(2024, 1, 1), phase="pilot")
    assert main(["phase", "set", "pilot", "--name", "Pilot BZK", "--starts", "2025-02-01"]) == 0
    assert cli_json(capsys, "phase", "list", "--json") == [
        {"code": "pilot", "name": "Pilot BZK", "starts_on": "2025-02-01"}
    ]
    assert status_of(capsys, "anna", "2025-01-20")["state"] == "ok"  # the pilot has not started
    assert status_of(capsys, "anna", "2025-03-10")["state"] == "overdue"  # 1 February + 31 days
    assert AuditEvent.objects.filter(action="phase.set").count() == 1
    assert main(["phase", "set", "met spatie"]) == 2
