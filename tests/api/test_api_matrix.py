"""Authorization matrix of the integration API, from ONE table.

Every route of the ninja router needs a row (a new endpoint without one fails `test_every_route_has_a_row`).
Each row says which operation the route needs and how to call it on a target of the account's own
organisation, of the other organisation, or on nothing at all; every route is then tried with no
token, with a token lacking the operation, and with one holding it: 401 / 403 / 2xx / 404 / 404.
Each call runs while chatarchief.access.services notes its decisions: a route called on a target of
either organisation must have asked about that target's custodian, and every call with a token must
have asked something (a new route that decides by itself fails here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from chatarchief.access.services import recording
from chatarchief.api.api import api
from chatarchief.api.constants import Operation
from chatarchief.archive.models import Delivery
from chatarchief.audit.models import AuditEvent
from chatarchief.intake.pipeline import ingest
from tests.api.conftest import bearer, upload, whatsapp_text

pytestmark = pytest.mark.django_db

ALL = [op.value for op in Operation]


@dataclass(frozen=True)
class Row:
    operation: str | None  # None: any operation will do
    ok: int
    call: Callable[[Any, dict[str, str], str], Any]  # (client, headers, target) -> response
    target: Callable[[Any], tuple[str, str, str]]  # world -> (own, other, missing)


def _deliver(client, headers, slug):
    return client.post(
        "/api/v1/deliveries",
        {"custodian": slug, "file": upload("WhatsApp-chat met Anna.txt", whatsapp_text(slug).encode())},
        **headers,
    )


def _slugs(world) -> tuple[str, str, str]:
    return world.own.slug, world.other.slug, "bestaat-niet"


def _deliveries(world) -> tuple[str, str, str]:
    made = []
    for custodian in (world.own, world.other):
        path = world.tmp / f"{custodian.slug}.txt"
        path.write_text(whatsapp_text(f"voor {custodian.slug}"), encoding="utf-8")
        made.append(str(ingest(path, custodian, actor="test").delivery.pk))
    return made[0], made[1], "999999"


MATRIX: dict[tuple[str, str], Row] = {
    ("POST", "/deliveries"): Row("deliver", 201, _deliver, _slugs),
    ("GET", "/deliveries/{pk}"): Row(
        "read_status", 200, lambda c, h, t: c.get(f"/api/v1/deliveries/{t}", **h), _deliveries
    ),
    ("GET", "/custodians"): Row(None, 200, lambda c, h, t: c.get("/api/v1/custodians", **h), _slugs),
    ("GET", "/custodians/{slug}/compliance"): Row(
        "read_compliance", 200, lambda c, h, t: c.get(f"/api/v1/custodians/{t}/compliance", **h), _slugs
    ),
}


def routes() -> set[tuple[str, str]]:
    found = set()
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for method in operation.methods:
                    found.add((method, prefix + path))
    return found


def test_every_route_has_a_row():
    assert routes() == set(MATRIX)


@pytest.fixture
def targets(world, tmp_path):
    world.tmp = tmp_path
    return {key: row.target(world) for key, row in MATRIX.items()}


CASES = [
    (key, case)
    for key in MATRIX
    for case in ("no_token", "without_operation", "own", "other", "missing")
    if not (case == "without_operation" and MATRIX[key].operation is None)  # any operation gives access
]


@pytest.mark.parametrize(("key", "case"), CASES, ids=[f"{m} {p} {c}" for (m, p), c in CASES])
def test_matrix(world, client, targets, key, case):
    row = MATRIX[key]
    own, other, missing = targets[key]
    if case == "without_operation":
        operations = [op for op in ALL if op != row.operation]
    else:
        operations = [row.operation] if row.operation else ["read_status"]
    headers = {} if case == "no_token" else bearer(world.token("sa-under-test", operations))
    target = {"other": other, "missing": missing}.get(case, own)
    deliveries_before = Delivery.objects.count()
    with recording() as asked:
        response = row.call(client, headers, target)
    if case != "no_token":
        assert asked, "the route decided without chatarchief.access.services"
    if case in ("own", "other") and key != ("GET", "/custodians"):
        custodian = world.own if case == "own" else world.other
        assert custodian.pk in {note.custodian_id for note in asked}, asked
    expected = {"no_token": 401, "without_operation": 403, "own": row.ok}.get(case, 404)
    if key == ("GET", "/custodians") and case in ("other", "missing"):
        expected = 200  # a list: scoped, never 404
    assert response.status_code == expected, response.content
    if expected == 200 and key == ("GET", "/custodians"):
        assert [c["slug"] for c in response.json()] == [own]  # the other organisation never shows
    if expected in (401, 403, 404):
        assert Delivery.objects.count() == deliveries_before  # refused: nothing was received
        assert set(response.json()) == {"code", "detail"}
    if expected in (403,) or (expected == 404 and case == "other"):
        assert AuditEvent.objects.filter(actor="api:sa-under-test", action="api.denied").exists()


def test_service_accounts_never_get_content_access(world):
    from chatarchief.access.constants import Action
    from chatarchief.api.accounts import custodians_for_service_account
    from chatarchief.api.models import ServiceAccount

    world.token("sa-all", ALL)
    account = ServiceAccount.objects.get(name="sa-all")
    assert list(custodians_for_service_account(account, Action.READ_CONTENT)) == []
    assert list(custodians_for_service_account(account, Action.ADMINISTER)) == []
    assert list(custodians_for_service_account(account, Action.DELIVER)) == [world.own]
    assert list(custodians_for_service_account(account, Action.VIEW_METADATA)) == [world.own]
