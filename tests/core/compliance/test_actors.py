"""Who did it: `by` per act type per channel, from files the project's own parsers read."""

from __future__ import annotations

import pytest

from chatarchief.core.compliance.actors import (
    Act,
    ActEvidence,
    AttributedAct,
    By,
    SelfIdentity,
    attribute,
    attribute_export,
    identify_self,
)
from chatarchief.core.model import Participant
from tests.core.compliance import builders
from tests.generators.signal_android import PASSPHRASE
from tests.generators.sms import write_sms_backup
from tests.paths import SHARED_FIXTURES

# The builders' scenario: the custodian and Bram each delete, edit and send view-once media; the
# custodian switches the timer on, Bram switches it off.
EVERY_ACT_BOTH_WAYS = {
    *((act, by) for act in (Act.MESSAGE_DELETED, Act.MESSAGE_EDITED, Act.VIEW_ONCE) for by in (By.CUSTODIAN, By.OTHER)),
    (Act.DISAPPEARING_ENABLED, By.CUSTODIAN),
    (Act.DISAPPEARING_DISABLED, By.OTHER),
}


def acts(found: list[AttributedAct]) -> set[tuple[Act, By]]:
    return {(a.act, a.attribution.by) for a in found}


def test_every_act_is_attributed_on_signal_legacy_backup(tmp_path):
    export = builders.parse("signal_android", builders.signal_android_backup(tmp_path), tmp_path, PASSPHRASE)
    found = attribute_export(export)
    assert len(found) == 8 and acts(found) == EVERY_ACT_BOTH_WAYS
    own = {a.attribution.actor for a in found if a.attribution.by is By.CUSTODIAN}
    assert own == {builders.SELF_PHONE}  # the raw actor is kept beside `by`


def test_every_act_is_attributed_on_signal_v2(tmp_path):
    export = builders.parse("signal_v2", builders.signal_v2_backup(tmp_path), tmp_path, builders.V2_KEY)
    found = attribute_export(export)
    assert len(found) == 8 and acts(found) == EVERY_ACT_BOTH_WAYS
    timers = {a.act: a.attribution for a in found if a.act.value.startswith("disappearing")}
    assert timers[Act.DISAPPEARING_ENABLED].actor == "signal:self"  # directionless update: by its author
    assert timers[Act.DISAPPEARING_DISABLED].actor == builders.BRAM_PHONE


def test_every_act_is_attributed_on_signal_desktop(tmp_path):
    export = builders.parse("signal_desktop", builders.signal_desktop_profile(tmp_path / "Signal"), tmp_path)
    found = attribute_export(export)
    assert len(found) == 8 and acts(found) == EVERY_ACT_BOTH_WAYS


@pytest.mark.skipif(not (SHARED_FIXTURES / "signal-v2").is_dir(), reason="../shared/fixtures/signal-v2 is absent")
def test_signal_v2_shared_fixture_own_edit_and_timer_and_bram_deletion(tmp_path):
    backups = SHARED_FIXTURES / "signal-v2" / "SignalBackups"
    key = "ISUB  S8TL  K9WT  K5NS  KTBN  71SG  1A8G  24RC  T9I1  1E1M  CBMY  PMY2  NSAU  KLNZ  DKVH  6RT1"
    found = attribute_export(builders.parse("signal_v2", backups / "signal-backup-2024-11-15-10-00-00", tmp_path, key))
    assert acts(found) == {
        (Act.MESSAGE_EDITED, By.CUSTODIAN),  # Test Gebruiker edited twice
        (Act.VIEW_ONCE, By.OTHER),  # Noor
        (Act.DISAPPEARING_ENABLED, By.OTHER),  # Bram switched it on
        (Act.DISAPPEARING_DISABLED, By.CUSTODIAN),  # Test Gebruiker switched it off
        (Act.MESSAGE_DELETED, By.OTHER),  # Bram deleted for everyone
    }


def test_telegram_full_export_knows_the_owner(tmp_path):
    export = builders.parse("telegram", builders.telegram_export(tmp_path, full=True), tmp_path)
    found = attribute_export(export)
    # Telegram exports do not record deletions: the other four acts, each both ways
    assert acts(found) == {(act, by) for act, by in EVERY_ACT_BOTH_WAYS if act is not Act.MESSAGE_DELETED}


def test_telegram_group_chat_export_needs_the_custodians_id(tmp_path):
    export = builders.parse("telegram", builders.telegram_export(tmp_path, full=False), tmp_path)
    assert {a.attribution.by for a in attribute_export(export)} == {By.UNKNOWN}
    known = attribute_export(export, known_keys=["telegram:user100"])
    assert acts(known) == {(act, by) for act, by in EVERY_ACT_BOTH_WAYS if act is not Act.MESSAGE_DELETED}


@pytest.mark.parametrize("platform", ["android", "ios"])
@pytest.mark.parametrize("locale", ["nl", "en"])
def test_whatsapp_group_where_the_custodian_deleted_something(tmp_path, platform, locale):
    export = builders.whatsapp_export(tmp_path, platform=platform, locale=locale, title="Crisisteam")
    found = attribute_export(export)
    assert len(found) == 8 and acts(found) == EVERY_ACT_BOTH_WAYS
    own_timer = next(a for a in found if a.act is Act.DISAPPEARING_ENABLED).attribution
    assert own_timer.actor in ("Je", "You") and own_timer.basis == "system_text"
    other_timer = next(a for a in found if a.act is Act.DISAPPEARING_DISABLED).attribution
    assert other_timer.actor == "Bram"


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_whatsapp_group_without_a_self_marker_is_unknown_until_the_name_is_known(tmp_path, locale):
    export = builders.whatsapp_export(
        tmp_path, platform="android", locale=locale, title="Crisisteam", own_deletion=False
    )
    found = attribute_export(export)
    by_act = {(a.act, a.attribution.actor): a.attribution.by for a in found}
    # words and tombstones still tell; an edit or a view-once by a named sender cannot
    assert by_act[(Act.MESSAGE_DELETED, "Bram")] is By.OTHER
    assert by_act[(Act.DISAPPEARING_ENABLED, "Je" if locale == "nl" else "You")] is By.CUSTODIAN
    assert by_act[(Act.MESSAGE_EDITED, "Anne de Vries")] is By.UNKNOWN
    assert by_act[(Act.VIEW_ONCE, "Bram")] is By.UNKNOWN
    assert by_act[(Act.DISAPPEARING_DISABLED, "Bram")] is By.UNKNOWN
    known = attribute_export(export, known_names=["anne  de vries"])
    assert {a.attribution.by for a in known} == {By.CUSTODIAN, By.OTHER}
    assert len(known) == 7


def test_whatsapp_one_to_one_chat_places_the_custodian_by_the_title(tmp_path):
    export = builders.whatsapp_export(tmp_path, platform="ios", locale="nl", title="Bram", own_deletion=False)
    assert acts(attribute_export(export)) == EVERY_ACT_BOTH_WAYS - {(Act.MESSAGE_DELETED, By.CUSTODIAN)}


def test_sms_has_none_of_the_acts_only_a_direction(tmp_path):
    path = tmp_path / "sms.xml"
    write_sms_backup(path, 200, seed=3)
    export = builders.parse("sms_backup_restore", path, tmp_path)
    messages = [m for c in export.conversations for m in c.messages]
    assert {m.outgoing for m in messages} == {True, False}  # type=2 sent vs received
    assert attribute_export(export) == []


# ---------------------------------------------------------------- the rule itself


def test_the_source_direction_beats_a_guessed_identity():
    identity = SelfIdentity(keys=frozenset({"me"}))
    evidence = ActEvidence(Act.MESSAGE_EDITED, "signal", sender="someone", outgoing=True)
    assert attribute(evidence, identity).by is By.CUSTODIAN
    incoming = ActEvidence(Act.MESSAGE_EDITED, "signal", sender="me", outgoing=False)
    assert attribute(incoming, identity).by is By.OTHER


def test_no_actor_at_all_is_unknown_and_details_keep_the_raw_actor():
    found = attribute(ActEvidence(Act.DISAPPEARING_ENABLED, "signal"), SelfIdentity(keys=frozenset({"signal:self"})))
    assert found.details() == {"by": "unknown", "actor": "", "by_basis": "none"}
    passive = ActEvidence(Act.DISAPPEARING_DISABLED, "whatsapp", system_text="Disappearing messages were turned off.")
    assert attribute(passive, SelfIdentity(keys=frozenset({"Anne"}))).by is By.UNKNOWN


def test_identify_self_matches_numbers_in_any_notation():
    people = [Participant("+31612345678", "+31 6 12345678", phone="+31612345678"), Participant("Bram", "Bram")]
    found = identify_self("whatsapp", people, title="Crisisteam", is_group=True, known_names=["06-12345678 "])
    assert found.keys == frozenset({"+31612345678"})
    by_key = identify_self("whatsapp", people, title="Crisisteam", is_group=True, known_keys=["+31612345678"])
    assert by_key.keys == frozenset({"+31612345678"})
    assert by_key.is_self("Bram", "Bram") is False
    assert identify_self("whatsapp", people, is_group=True).is_self("Bram", "Bram") is None
