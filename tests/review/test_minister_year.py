"""Acceptance (issue 16) through the archive: the generated minister year ingested as WhatsApp
exports, the contacts files imported; the rules alone (on archive rows, the custodian marked by her
name) label every conversation correctly and find every private message inside business chats."""

from __future__ import annotations

import pytest

from chatarchief.archive.services import registry
from chatarchief.compliance.models import Finding
from chatarchief.core.rules.labels import Label
from chatarchief.intake.pipeline import ingest
from chatarchief.review.classify import classify, differing_messages
from chatarchief.review.contacts import import_contacts
from tests.generators.minister_year import SELF, minister_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_archive(tmp_path):
    year = minister_year(seed=16)
    paths = year.write(tmp_path)
    custodian = registry.add_custodian("eva", name=SELF, actor="test")
    import_contacts(tmp_path / "contacts.csv", actor="test", custodian=custodian)
    import_contacts(tmp_path / "contacts.vcf", actor="test", custodian=custodian)
    for path in paths:
        assert ingest(path, custodian, actor="test").status == "ingested"
    return year, custodian


def test_rules_alone_label_the_archived_year_correctly(year_archive):
    year, custodian = year_archive
    results = classify(custodian)
    labels = {item.conversation.title: item.label.label for item in results}
    assert labels == year.conversation_truth
    truth = year.message_truth
    zone = custodian.zone
    found, wrong = set(), []
    for item in results:
        names = {p.key: p.name for p in item.conversation.participants.all()}
        senders = {m.id: m.sender_key for m in item.facts.messages}
        for row in differing_messages(item):
            local = row["sent_at"].astimezone(zone).replace(tzinfo=None)
            key = (item.conversation.title, local, names.get(senders[row["message_id"]], senders[row["message_id"]]))
            if truth.get(key) is Label(row["label"]):
                found.add(key)
            else:
                wrong.append(key)
    assert wrong == [] and found == set(truth)
    assert len(found) == 10


def test_private_and_party_chats_on_the_business_phone_are_findings(year_archive):
    year, custodian = year_archive
    flagged = Finding.objects.filter(custodian=custodian, type="private_contact").select_related("conversation")
    titles = {f.conversation.title: f.details["category"] for f in flagged}
    # the spouse and the party chair by name; the party group by its members; the campaign group has a
    # minority of known party contacts but one is enough for the phone to carry a party contact
    assert titles["Mark ❤️"] == "private" and titles["Henk Mulder"] == "party" and titles["Utrecht e.o."] == "party"
    assert all(year.conversation_truth[t] is not Label.BUSINESS for t in titles)
    assert all("Mark" not in str(f.details) for f in flagged)
