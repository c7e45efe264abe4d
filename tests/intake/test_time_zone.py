"""One time-zone rule for a naive `exported_at` (issue 14, item 11): the custodian's zone, whether
it came through the CLI, the web upload or the API; `custodian add --time-zone` sets that zone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.api.accounts import add_service_account
from chatarchief.archive.models import Custodian, Delivery
from chatarchief.cli import main
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

NAIVE = "2026-01-03T10:00:00"
# Curaçao: UTC-4 all year, neither the installation's zone (Europe/Amsterdam) nor UTC
INSTANT = dt.datetime(2026, 1, 3, 14, 0, tzinfo=dt.UTC)


def _chat(tag: str) -> bytes:
    return f"02-01-2026 09:00 - Anna: bericht via {tag}\n02-01-2026 09:01 - Bert: ok\n".encode()


def test_custodian_add_sets_the_time_zone_and_refuses_an_unknown_one(capsys):
    assert main(["organisation", "add", "BZK", "--name", "BZK"]) == 0
    assert main(["custodian", "add", "gouv", "--name", "Gouverneur", "--time-zone", "America/Curacao"]) == 0
    assert Custodian.objects.get(slug="gouv").time_zone == "America/Curacao"
    assert main(["custodian", "add", "x", "--name", "X", "--time-zone", "Europe/Nergens"]) == 2
    assert "Onbekende tijdzone 'Europe/Nergens'" in capsys.readouterr().err
    assert not Custodian.objects.filter(slug="x").exists()
    assert main(["custodian", "add", "standaard", "--name", "S"]) == 0
    assert Custodian.objects.get(slug="standaard").time_zone == "Europe/Amsterdam"  # CHATARCHIEF_TIME_ZONE


def test_the_same_naive_moment_is_the_same_instant_through_cli_web_and_api(tmp_path: Path):
    assert main(["organisation", "add", "BZK", "--name", "BZK"]) == 0
    assert (
        main(["custodian", "add", "gouv", "--name", "G", "--organisation", "BZK", "--time-zone", "America/Curacao"])
        == 0
    )
    custodian = Custodian.objects.get(slug="gouv")

    path = tmp_path / "WhatsApp-chat met Anna.txt"
    path.write_bytes(_chat("cli"))
    assert main(["ingest", str(path), "--custodian", "gouv", "--exported-at", NAIVE]) == 0

    operator = get_user_model().objects.create_user("operator")
    grant(operator, Role.OPERATOR, custodian=custodian)
    web = Client()
    web.force_login(operator)
    from tests.web.world import pass_second_factor

    pass_second_factor(web, operator)
    upload = SimpleUploadedFile("WhatsApp-chat met Anna.txt", _chat("web"))
    form = {"custodian": custodian.pk, "files": upload, "exported_at": NAIVE[:16]}
    assert web.post(reverse("upload"), form).status_code == 302

    token = add_service_account("mdm", "BZK", ["deliver"], actor="test")[1]
    answer = Client().post(
        "/api/v1/deliveries",
        {
            "custodian": "gouv",
            "file": SimpleUploadedFile("WhatsApp-chat met Anna.txt", _chat("api")),
            "exported_at": NAIVE,
        },
        **bearer(token),
    )
    assert answer.status_code == 201, answer.content

    deliveries = Delivery.objects.filter(custodian=custodian).order_by("id")
    assert [d.delivered_by_label.split(":")[0] for d in deliveries] == ["cli", "web", "api"]
    assert [d.status for d in deliveries] == ["ingested"] * 3
    assert [d.exported_at for d in deliveries] == [INSTANT] * 3
