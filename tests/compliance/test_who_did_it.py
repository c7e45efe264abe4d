"""`details.by` and `details.actor` on every act finding, on every channel, as stored after an ingest
(issue 17 item 1): the archive's findings agree with `core.compliance.actors` on the same file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from chatarchief.archive.services import registry
from chatarchief.compliance.models import Finding
from chatarchief.core.compliance.actors import attribute_export
from chatarchief.intake.pipeline import ingest
from tests.core.compliance import builders
from tests.generators.signal_android import PASSPHRASE
from tests.generators.sms import write_sms_backup
from tests.paths import SHARED_CORPUS, SHARED_FIXTURES

pytestmark = pytest.mark.django_db

ACTS = {"message_deleted", "message_edited", "view_once", "disappearing_enabled", "disappearing_disabled"}


def _custodian(name: str = "Anne de Vries", phones: list[str] | None = None):
    return registry.add_custodian("anne", name=name, actor="test", organisation="BZK", phones=phones or [])


def _stored(custodian) -> Counter:
    found = Finding.objects.filter(custodian=custodian, type__in=ACTS)
    for finding in found:
        assert {"by", "actor", "by_basis"} <= finding.details.keys(), finding.details
    return Counter((f.type, f.details["by"]) for f in found)


def _parsed(export) -> Counter:
    return Counter((a.act.value, a.attribution.by.value) for a in attribute_export(export))


def _both_ways(*, deletions: bool = True) -> Counter:
    acts = ["message_edited", "view_once"] + (["message_deleted"] if deletions else [])
    expected = Counter({(act, by): 1 for act in acts for by in ("custodian", "other")})
    expected[("disappearing_enabled", "custodian")] = 1
    expected[("disappearing_disabled", "other")] = 1
    return expected


def _ingest(path: Path, custodian, secret: str | None = None) -> None:
    outcome = ingest(path, custodian, actor="test", secret=secret)
    assert outcome.status == "ingested", outcome.as_dict()


@pytest.mark.parametrize("platform", ["android", "ios"])
@pytest.mark.parametrize("locale", ["nl", "en"])
def test_whatsapp_group_own_and_others_acts(tmp_path, platform, locale):
    custodian = _custodian()
    export = builders.whatsapp_export(tmp_path, platform=platform, locale=locale, title="Crisisteam")
    _ingest(_only_txt(tmp_path), custodian)
    assert _stored(custodian) == _both_ways() == _parsed(export)
    timer = Finding.objects.get(custodian=custodian, type="disappearing_enabled").details
    assert timer["actor"] in ("Je", "You") and timer["by_basis"] == "system_text"
    assert timer["timer_seconds"] == 7 * 86400
    other = Finding.objects.get(custodian=custodian, type="disappearing_disabled").details
    assert other["actor"] == "Bram"


def _only_txt(folder: Path) -> Path:
    (path,) = folder.glob("*.txt")
    return path


def test_whatsapp_without_a_self_marker_uses_the_custodians_name(tmp_path):
    """No "You deleted" line: the archive knows the custodian's name, so an edit is still placed."""
    custodian = _custodian()
    builders.whatsapp_export(tmp_path, platform="android", locale="nl", title="Crisisteam", own_deletion=False)
    _ingest(_only_txt(tmp_path), custodian)
    stored = _stored(custodian)
    assert stored[("message_edited", "custodian")] == 1 and stored[("message_edited", "other")] == 1
    assert stored[("message_deleted", "other")] == 1


def test_whatsapp_with_an_unknown_custodian_name_says_unknown(tmp_path):
    custodian = _custodian(name="Iemand Anders")
    builders.whatsapp_export(tmp_path, platform="android", locale="en", title="Crisisteam", own_deletion=False)
    _ingest(_only_txt(tmp_path), custodian)
    stored = _stored(custodian)
    assert stored[("message_edited", "unknown")] == 2  # the export cannot tell who Anne is
    assert stored[("message_deleted", "other")] == 1  # a tombstone's own words still tell
    assert stored[("disappearing_enabled", "custodian")] == 1  # "You turned on ..."


def test_signal_legacy_backup(tmp_path):
    custodian = _custodian(phones=[builders.SELF_PHONE])
    path = builders.signal_android_backup(tmp_path)
    _ingest(path, custodian, PASSPHRASE)
    export = builders.parse("signal_android", path, tmp_path / "p", PASSPHRASE)
    assert _stored(custodian) == _both_ways() == _parsed(export)
    own = Finding.objects.filter(custodian=custodian, type__in=ACTS, details__by="custodian")
    assert {f.details["actor"] for f in own} == {builders.SELF_PHONE}


def test_signal_v2_backup(tmp_path):
    custodian = _custodian()
    path = builders.signal_v2_backup(tmp_path)
    _ingest(path, custodian, builders.V2_KEY)
    assert _stored(custodian) == _both_ways()


def test_signal_desktop(tmp_path):
    custodian = _custodian()
    path = builders.signal_desktop_profile(tmp_path / "Signal")
    _ingest(path, custodian)
    assert _stored(custodian) == _both_ways()


def test_telegram_full_export(tmp_path):
    custodian = _custodian()
    path = builders.telegram_export(tmp_path, full=True)
    _ingest(path, custodian)
    assert _stored(custodian) == _both_ways(deletions=False)  # Telegram exports hold no deletions


def test_sms_has_no_acts_only_sms_used(tmp_path):
    custodian = _custodian()
    path = tmp_path / "sms.xml"
    write_sms_backup(path, 50, seed=3)
    _ingest(path, custodian)
    assert _stored(custodian) == Counter()
    assert Finding.objects.filter(custodian=custodian, type="sms_used").exists()


@SHARED_CORPUS
def test_signal_v2_shared_fixture_own_edit_and_timer_and_bram_deletion():
    custodian = _custodian(name="Test Gebruiker")
    backups = SHARED_FIXTURES / "signal-v2" / "SignalBackups"
    key = "ISUB S8TL K9WT K5NS KTBN 71SG 1A8G 24RC T9I1 1E1M CBMY PMY2 NSAU KLNZ DKVH 6RT1"
    for name in ("signal-backup-2024-11-08-10-00-00", "signal-backup-2024-11-15-10-00-00"):
        _ingest(backups / name, custodian, key)
    assert set(_stored(custodian)) == {
        ("message_edited", "custodian"),  # Test Gebruiker edited
        ("view_once", "other"),  # Noor
        ("disappearing_enabled", "other"),  # Bram switched it on
        ("disappearing_disabled", "custodian"),  # Test Gebruiker switched it off
        ("message_deleted", "other"),  # Bram deleted for everyone
    }
