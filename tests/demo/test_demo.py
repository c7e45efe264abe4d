"""The demo (issue 14, item 5): never in production, never mixed into organisations or custodians
it did not create, its login made once."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from chatarchief.access import otp
from chatarchief.access.models import RoleGrant
from chatarchief.archive.models import Custodian, Delivery, Organisation
from chatarchief.archive.services import registry
from chatarchief.cli import main
from chatarchief.demo import DEMO_USER, load_demo
from chatarchief.demo.totp import DEMO_TOTP_KEY

pytestmark = pytest.mark.django_db


def test_the_demo_refuses_to_run_in_production(settings, capsys):
    settings.PRODUCTION = True
    assert main(["demo"]) == 2
    assert "Geen demogegevens in productie" in capsys.readouterr().err
    assert not get_user_model().objects.exists()
    assert not Organisation.objects.exists() and not Custodian.objects.exists()


def test_the_demo_never_attaches_itself_to_an_organisation_it_did_not_create(capsys):
    real = registry.add_organisation("FIN", "Financiën", actor="beheer")
    registry.add_custodian("sg-echt", name="Echte SG", actor="beheer", organisation="FIN")
    assert main(["demo"]) == 2
    assert "deze bestaan al: FIN" in capsys.readouterr().err
    assert not get_user_model().objects.filter(username=DEMO_USER).exists()
    assert not RoleGrant.objects.filter(organisation=real).exists()
    assert list(Organisation.objects.values_list("code", flat=True)) == ["FIN"]


def test_a_second_run_keeps_the_login_as_it_is(capsys):
    assert main(["demo"]) == 0
    demo = get_user_model().objects.get(username=DEMO_USER)
    assert otp.confirmed_device(demo).key == DEMO_TOTP_KEY
    grants = sorted(RoleGrant.objects.filter(user=demo).values_list("role", "organisation__code", "custodian__slug"))
    otp.reset(DEMO_USER, actor="beheer")  # an administrator took the known secret away
    lines = list(load_demo(actor="test"))
    assert not TOTPDevice.objects.filter(user=demo).exists()  # not provisioned again
    assert sorted(RoleGrant.objects.filter(user=demo).values_list("role", "organisation__code", "custodian__slug")) == (
        grants
    )
    assert [line.split(":")[1].split()[0] for line in lines if line.startswith("ingest")] == ["duplicate"] * 2
    assert Delivery.objects.filter(status="ingested").count() == 2


def test_the_readmes_totp_command_prints_the_code_without_django_settings():
    """`python -m chatarchief.web.demo_totp` (README, `make run`) runs on its own, with no settings."""
    import os
    import subprocess
    import sys

    from chatarchief.demo.totp import current_code

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    for module in ("chatarchief.web.demo_totp", "chatarchief.demo.totp"):
        before = current_code()
        done = subprocess.run([sys.executable, "-m", module], env=env, capture_output=True, text=True, timeout=60)
        after = current_code()
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() in {before, after}  # the 30-second step may turn while it runs
