"""Properties (hypothesis): re-ingesting is a no-op, and any order of deliveries gives one archive."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatarchief.archive.models import Custodian
from chatarchief.archive.services import registry
from chatarchief.intake.pipeline import ingest
from tests.intake.scenario import write_exports
from tests.intake.test_scenario import _normalised_findings, _normalised_messages

pytestmark = pytest.mark.django_db

_counter = iter(range(10_000))


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return write_exports(tmp_path_factory.mktemp("property"))[:12]


def _archive(files):
    custodian = registry.add_custodian(f"p{next(_counter)}", name="P", actor="t")
    for path, when in files:
        assert ingest(path, custodian, actor="t", exported_at=when).status == "ingested"
    return custodian


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_subset_in_any_order_gives_the_archive_of_that_subset(exports, data):
    chosen = data.draw(st.lists(st.sampled_from(range(12)), min_size=2, max_size=5, unique=True))
    files = [exports[i] for i in chosen]
    in_order = _archive(sorted(files, key=lambda f: f[1]))
    shuffled = _archive(data.draw(st.permutations(files)))
    assert _normalised_messages(in_order) == _normalised_messages(shuffled)
    assert _normalised_findings(in_order) == _normalised_findings(shuffled)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(month=st.integers(min_value=0, max_value=11))
def test_reingesting_the_same_messages_in_a_new_file_changes_nothing(exports, month, tmp_path_factory):
    path, when = exports[month]
    custodian = _archive([(path, when)])
    before = _normalised_messages(custodian)
    copy = tmp_path_factory.mktemp("copy") / path.name
    copy.write_bytes(path.read_bytes() + (b"\n" if path.suffix == ".txt" else b""))
    if path.suffix == ".zip":
        import zipfile

        with zipfile.ZipFile(copy, "a") as archive:
            archive.comment = b"again"
    outcome = ingest(copy, Custodian.objects.get(pk=custodian.pk), actor="t", exported_at=when)
    assert outcome.status == "ingested"
    assert outcome.counts["new"] == 0 and outcome.counts["unchanged"] == outcome.counts["messages"]
    assert _normalised_messages(custodian) == before
