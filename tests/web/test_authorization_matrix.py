"""Authorization matrix: every URL pattern × every role × own / same-organisation / other-organisation
target (and anonymous), against ONE table of expectations below.

The URL resolver is walked, so a new endpoint without a row in TABLE fails `test_every_url_has_a_row`.
Rows are keyed by URL name; add a row for each new endpoint (the API adds its rows here too).

Every request runs while chatarchief.access.services notes its decisions: a route that points at an
object (a row with a `target`) must have asked about that object's custodian (or, for users and
service accounts, asked anything at all), whether it let the caller through or not. So a new route
that reads a custodian's data without asking access.services fails here, without a test of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from chatarchief.access.services import Consultation, recording
from tests.web.world import COLUMNS, ROLES, World, body_marker, build, media_marker

pytestmark = pytest.mark.django_db

EVERY = frozenset(ROLES)
NONE: frozenset[str] = frozenset()
METADATA_ORG = frozenset({"reviewer", "woo_coordinator", "auditor", "admin"})  # organisation-wide metadata
CONTENT_OWN = frozenset({"custodian", "reviewer"})
WOO = frozenset({"woo_coordinator"})


@dataclass(frozen=True)
class Row:
    """Expectations for one URL name.

    target: which object the URL points at (None: no object; then `allow` has the single key "-").
    allow: column -> roles that are let through. ok: statuses that count as "let through".
    anon: "login" (redirected to the login page) or a set of statuses for anonymous callers.
    """

    allow: dict[str, frozenset[str]]
    target: str | None = None
    method: str = "get"
    ok: frozenset[int] = frozenset({200})
    anon: str | frozenset[int] = "login"
    data: Callable[[World, str], dict[str, Any]] | None = None
    optional: bool = False  # only mounted in some configurations (OIDC)


def per_column(own: frozenset[str], same_org: frozenset[str], other_org: frozenset[str]) -> dict[str, frozenset[str]]:
    return {"own": own, "same_org": same_org, "other_org": other_org}


def everywhere(roles: frozenset[str]) -> dict[str, frozenset[str]]:
    return {"-": roles}


def _org_of(world: World, column: str) -> dict[str, Any]:
    return {"role": "auditor", "organisation": world.orgs["B" if column == "other_org" else "A"].pk}


TABLE: dict[str, Row] = {
    # public and session pages
    "login": Row(everywhere(EVERY), anon=frozenset({200})),
    "set_language": Row(
        everywhere(EVERY),
        method="post",
        ok=frozenset({302}),
        anon=frozenset({302}),
        data=lambda w, c: {"language": "en", "next": "/"},
    ),
    "logout": Row(everywhere(EVERY), method="post", ok=frozenset({302})),
    "otp_verify": Row(everywhere(EVERY), ok=frozenset({302})),  # already verified: straight on
    "otp_setup": Row(everywhere(EVERY), ok=frozenset({302})),
    "reauth": Row(everywhere(EVERY)),
    # operations probes (no login; /metrics open on loopback, which the test client is)
    "healthz": Row(everywhere(EVERY), anon=frozenset({200})),
    "readyz": Row(everywhere(EVERY), anon=frozenset({200})),
    "metrics": Row(everywhere(EVERY), anon=frozenset({200})),
    # archive pages
    "home": Row(everywhere(EVERY)),
    "upload": Row(everywhere(frozenset({"custodian", "operator"}))),
    "custodian": Row(per_column(EVERY, METADATA_ORG, NONE), target="custodian"),
    "custodian_audit": Row(
        per_column(frozenset({"auditor", "admin"}), frozenset({"auditor", "admin"}), NONE), target="custodian"
    ),
    "delivery": Row(per_column(EVERY, METADATA_ORG, NONE), target="delivery"),
    "conversation": Row(per_column(CONTENT_OWN, frozenset({"reviewer"}), NONE), target="conversation"),
    "attachment": Row(per_column(CONTENT_OWN, frozenset({"reviewer"}), NONE), target="attachment"),
    # administration (sessions in this test re-authenticated recently; see test_auth_flow for the detour)
    "users": Row(everywhere(frozenset({"admin"}))),
    "user_grant": Row(
        per_column(frozenset({"admin"}), frozenset({"admin"}), NONE),
        target="managed",
        method="post",
        ok=frozenset({302}),
        data=_org_of,
    ),
    "grant_revoke": Row(
        per_column(frozenset({"admin"}), frozenset({"admin"}), NONE),
        target="revocable",
        method="post",
        ok=frozenset({302}),
    ),
    "user_totp_reset": Row(
        per_column(frozenset({"admin"}), frozenset({"admin"}), NONE),
        target="managed",
        method="post",
        ok=frozenset({302}),
    ),
    "user_disable": Row(
        per_column(frozenset({"admin"}), frozenset({"admin"}), NONE),
        target="managed",
        method="post",
        ok=frozenset({302}),
    ),
    "serviceaccount_revoke": Row(
        per_column(frozenset({"admin"}), frozenset({"admin"}), NONE),
        target="service_account",
        method="post",
        ok=frozenset({302}),
    ),
    # the weekly review (issue 16): reviewers decide and confirm, custodians propose for their own
    # archive; decisions and tombstones (no content) also for auditors and admins of the organisation
    "review_queue": Row(per_column(CONTENT_OWN, frozenset({"reviewer"}), NONE), target="custodian"),
    "review_decide": Row(
        per_column(frozenset({"reviewer"}), frozenset({"reviewer"}), NONE),
        target="custodian",
        method="post",
        ok=frozenset({302}),
        data=lambda w, c: {"label": "business", "reason": "zakelijk", "conversation": w.archives[c].conversation.pk},
    ),
    "review_propose": Row(
        per_column(frozenset({"custodian"}), NONE, NONE),
        target="custodian",
        method="post",
        ok=frozenset({302}),
        data=lambda w, c: {"label": "private", "reason": "privé", "conversation": w.archives[c].conversation.pk},
    ),
    "review_decisions": Row(
        per_column(
            frozenset({"custodian", "reviewer", "auditor", "admin"}), frozenset({"reviewer", "auditor", "admin"}), NONE
        ),
        target="custodian",
    ),
    "review_confirm": Row(
        per_column(frozenset({"reviewer"}), frozenset({"reviewer"}), NONE),
        target="decision",
        method="post",
        ok=frozenset({302}),
    ),
    "review_agenda": Row(everywhere(frozenset({"reviewer"}))),
    "review_standup": Row(
        everywhere(frozenset({"reviewer"})),
        method="post",
        ok=frozenset({302}),
        data=lambda w, c: {"organisation": "A", "action": "open", "held_on": "2026-01-05", "attendees": "anna, bram"},
    ),
    "review_retrain": Row(
        everywhere(frozenset({"reviewer"})), method="post", ok=frozenset({302}), data=lambda w, c: {"organisation": "A"}
    ),
    # preservation (issue 19): legal holds for records managers, Woo coordinators, auditors and admins;
    # destruction lists for records managers, admins, operators and auditors; approval by a records
    # manager and an admin or operator (each POST approves a fresh list on the own custodian)
    "hold_list": Row(everywhere(frozenset({"reviewer", "woo_coordinator", "auditor", "admin"}))),
    "hold_add": Row(
        everywhere(frozenset({"reviewer", "woo_coordinator", "admin"})),
        method="post",
        ok=frozenset({302}),
        data=lambda w, c: {"custodian": w.archives["own"].custodian.slug, "reason": "Woo-verzoek"},
    ),
    "hold_remove": Row(
        everywhere(frozenset({"reviewer", "woo_coordinator", "admin"})),
        method="post",
        ok=frozenset({302}),
        data=lambda w, c: {"hold": _hold(w)},
    ),
    "disposition_list": Row(everywhere(frozenset({"reviewer", "admin", "operator", "auditor"}))),
    "disposition_approve": Row(
        everywhere(frozenset({"reviewer", "admin", "operator"})),
        method="post",
        ok=frozenset({302}),
        data=lambda w, c: {"list": _disposition_list(w)},
    ),
    # full-text search (issue 18): the form for everyone; hits only from archives the user may read
    "search": Row(everywhere(EVERY)),
    # Woo requests (issue 18): coordinators only, and content only in the requests they are assigned
    # to (each column has a request on that column's custodian; only the "own" one is assigned)
    "woo_list": Row(everywhere(WOO)),
    "woo_create": Row(everywhere(WOO)),
    "woo_detail": Row(per_column(WOO, NONE, NONE), target="woo_request"),
    "woo_search": Row(
        per_column(WOO, NONE, NONE),
        target="woo_request",
        method="post",
        ok=frozenset({302}),
        data=lambda w, c: {"query": "tweede"},
    ),
    "woo_extend": Row(per_column(WOO, NONE, NONE), target="woo_request", method="post", ok=frozenset({302})),
    "woo_export": Row(per_column(WOO, NONE, NONE), target="woo_request", method="post", ok=frozenset({302})),
    "woo_document": Row(per_column(WOO, NONE, NONE), target="woo_document"),
    "woo_assess": Row(
        per_column(WOO, NONE, NONE),
        target="woo_document",
        method="post",
        ok=frozenset({302}),
        data=lambda w, c: {"decision": "openbaar"},
    ),
    "woo_confirm": Row(per_column(WOO, NONE, NONE), target="woo_document", method="post", ok=frozenset({302})),
    "woo_redact": Row(
        per_column(WOO, NONE, NONE),
        target="woo_document",
        method="post",
        ok=frozenset({302}),
        data=lambda w, c: {"kind": "phrase", "text": "tweede", "ground": "5.1.2e"},
    ),
    "woo_unredact": Row(per_column(WOO, NONE, NONE), target="woo_redaction", method="post", ok=frozenset({302})),
    # single sign-on (mounted only with CHATARCHIEF_OIDC_ENABLED=1; see tests/access/test_oidc.py)
    # compliance (issue 17): every role sees the dashboard and the findings of whom it may see (auditors
    # included: metadata, never content); operators, reviewers and admins take workflow steps
    "compliance_dashboard": Row(everywhere(EVERY)),
    "compliance_custodian": Row(per_column(EVERY, METADATA_ORG, NONE), target="custodian"),
    "findings": Row(everywhere(EVERY)),
    "compliance_report": Row(everywhere(EVERY)),
    "reminders_preview": Row(everywhere(EVERY)),
    "receipt_pdf": Row(per_column(EVERY, METADATA_ORG, NONE), target="delivery"),
    "receipt_signature": Row(per_column(EVERY, METADATA_ORG, NONE), target="delivery"),
    "finding": Row(per_column(EVERY, METADATA_ORG, NONE), target="finding"),
    "findings_bulk": Row(
        everywhere(EVERY), method="post", ok=frozenset({302}), data=lambda w, c: {"target": "explained", "note": "x"}
    ),
    "oidc_authentication_init": Row(everywhere(EVERY), ok=frozenset({302}), anon=frozenset({302}), optional=True),
    "oidc_authentication_callback": Row(everywhere(EVERY), ok=frozenset({302}), anon=frozenset({302}), optional=True),
    "oidc_logout": Row(everywhere(EVERY), method="post", ok=frozenset({302}), optional=True),
    # integration API (/api/v1): bearer tokens of service accounts only, so a web session opens nothing
    # there: 401 for every role and column (listed as "let through" with ok={401}); the schema is public.
    # The token x operation x organisation matrix is tests/api/test_api_matrix.py.
    "api:api-root": Row(everywhere(NONE), anon=frozenset({404})),
    "api:openapi-json": Row(everywhere(EVERY), anon=frozenset({200})),
    "api:docs": Row(everywhere(EVERY), anon=frozenset({200})),  # the schema as a page for people, public too
    "api:deliver": Row(everywhere(EVERY), method="post", ok=frozenset({401}), anon=frozenset({401})),
    "api:list_custodians": Row(everywhere(EVERY), ok=frozenset({401}), anon=frozenset({401})),
    "api:get_delivery": Row(
        per_column(EVERY, EVERY, EVERY), target="delivery", ok=frozenset({401}), anon=frozenset({401})
    ),
    "api:get_compliance": Row(
        per_column(EVERY, EVERY, EVERY), target="custodian", ok=frozenset({401}), anon=frozenset({401})
    ),
}


def _hold(world: World) -> int:
    """A legal hold on the own archive (for the lifting rows)."""
    from chatarchief.preservation import holds

    return holds.add(actor="test", custodian=world.archives["own"].custodian, reason="Rechtszaak").pk


def _disposition_list(world: World) -> int:
    """A proposed destruction list of the own archive's conversation (for the approval rows)."""
    import datetime as dt

    from chatarchief.preservation.models import DispositionItem, DispositionList

    archive = world.archives["own"]
    record = DispositionList.objects.create(as_of=dt.date(2030, 1, 1), proposed_by="test")
    DispositionItem.objects.create(
        disposition=record,
        custodian=archive.custodian,
        conversation=archive.conversation,
        conversation_ref=archive.conversation.pk,
        channel=archive.conversation.channel,
        category_code="2.1",
        expired_on=dt.date(2029, 1, 1),
        message_count=1,
    )
    return record.pk


def url_names(patterns: list[Any] | None = None, prefix: str = "") -> list[str]:
    """Every URL name of the project, namespaced ("api:..."); an unnamed pattern shows as "<unnamed:...>"."""
    names = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            space = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names.extend(url_names(entry.url_patterns, space))
        elif isinstance(entry, URLPattern):
            names.append(f"{prefix}{entry.name}" if entry.name else f"<unnamed:{entry.pattern}>")
    return names


def _kwargs(world: World, row: Row, column: str) -> dict[str, Any]:
    if row.target is None:
        return {}
    archive = world.archives[column]
    if row.target == "custodian":
        return {"slug": archive.custodian.slug}
    if row.target == "managed":
        return {"pk": world.managed[column].pk}
    if row.target == "decision":
        return {"pk": _awaiting_decision(world, column).pk}
    if row.target == "finding":
        return {"pk": _finding(world, column).pk}
    if row.target == "revocable":
        return {"pk": world.revocable[column].pk}
    if row.target == "service_account":
        return {"pk": world.service_accounts[column].pk}
    if row.target.startswith("woo_"):
        return _woo_kwargs(world, row.target, column)
    return {"pk": getattr(archive, row.target).pk}


def _finding(world: World, column: str) -> Any:
    """A finding on the column's custodian (the world's chats carry none of their own)."""
    from chatarchief.compliance.models import Finding

    archive = world.archives[column]
    finding, _ = Finding.objects.get_or_create(
        custodian=archive.custodian,
        type="message_deleted",
        subject="matrix",
        defaults={"details": {"by": "other", "actor": "Bob", "by_basis": "tombstone"}, "delivery": archive.delivery},
    )
    return finding


def _woo_kwargs(world: World, target: str, column: str) -> dict[str, Any]:
    """A Woo request on the column's custodian (assigned to the coordinator only for "own"), with one
    document (the column's chat on its day) and one redaction."""
    import datetime as dt

    from chatarchief.woo.models import Document, Redaction, WooRequest

    archive = world.archives[column]
    request, created = WooRequest.objects.get_or_create(
        reference=f"WOO-{column}",
        defaults={
            "subject": "Overleg",
            "requester": "Verzoeker",
            "received": dt.date(2026, 1, 10),
            "period_from": dt.date(2026, 1, 1),
            "period_to": dt.date(2026, 1, 31),
            "created_by": "test",
        },
    )
    if created:
        request.custodians.set([archive.custodian])
        if column == "own":
            request.coordinators.add(world.users["woo_coordinator"])
        Document.objects.create(
            request=request,
            number=1,
            chat=str(archive.conversation.pk),
            day=dt.date(2026, 1, 2),
            day_to=dt.date(2026, 1, 2),
            title=archive.conversation.title,
            conversation_ids=[archive.conversation.pk],
            holders=[archive.custodian.slug],
            time_zone=archive.custodian.zone_name,
        )
    document = request.documents.get(number=1)
    if target == "woo_request":
        return {"pk": request.pk}
    if target == "woo_document":
        return {"pk": request.pk, "number": document.number}
    redaction = Redaction.objects.filter(document=document).first() or Redaction.objects.create(
        document=document, kind="phrase", ground="5.1.2e", text="tweede", created_by="test"
    )
    return {"pk": request.pk, "number": document.number, "redaction": redaction.pk}


def _awaiting_decision(world: World, column: str) -> Any:
    """A private decision on the last message of the column's chat, by a reviewer outside the world."""
    from django.utils import timezone

    from chatarchief.review.models import Decision

    archive = world.archives[column]
    message = archive.conversation.messages.order_by("-sent_at_ms").first()
    return Decision.objects.create(
        custodian=archive.custodian,
        conversation=archive.conversation,
        conversation_ref=archive.conversation.pk,
        message_ids=[message.pk],
        label="private",
        reason="privé",
        status="awaiting_confirmation",
        decided_by_name="another-reviewer",
        decided_at=timezone.now(),
    )


# Targets that are not part of a custodian's archive (users and service accounts to administer).
ADMIN_TARGETS = frozenset({"managed", "revocable", "service_account"})


def _unasked(world: World, row: Row, column: str, status: int, asked: list[Consultation]) -> str | None:
    """Why this request broke the rule that an object route asks access.services, or None."""
    if row.target is None or status == 401:  # no object, or nobody authenticated (the API): nothing read
        return None
    if row.target in ADMIN_TARGETS:
        return None if asked else "asked access.services nothing"
    custodian = world.archives[column].custodian
    if any(note.custodian_id == custodian.pk for note in asked):
        return None
    return f"never asked access.services about custodian {custodian.slug} (asked: {asked})"


def _columns(row: Row) -> tuple[str, ...]:
    return COLUMNS if row.target else ("-",)


def _call(client: Any, name: str, row: Row, world: World, column: str) -> Any:
    url = reverse(name, kwargs=_kwargs(world, row, column))
    data = row.data(world, column) if row.data else {}
    return getattr(client, row.method)(url, data)


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _leaks(world: World, content: bytes, allowed_column: str | None) -> list[str]:
    """Markers of archives other than the one this response may show."""
    found = []
    for column, archive in world.archives.items():
        if column == allowed_column:
            continue
        for marker in (body_marker(archive.custodian.slug), media_marker(archive.custodian.slug)):
            if marker.encode() in content:
                found.append(marker)
    return found


def test_every_url_has_a_row() -> None:
    names = set(url_names())
    missing = sorted(n for n in names if n not in TABLE)
    assert not missing, f"URL patterns without a row in the authorization TABLE: {missing}"
    stale = sorted(n for n, row in TABLE.items() if n not in names and not row.optional)
    assert not stale, f"rows for URL names that no longer exist: {stale}"


@pytest.mark.parametrize("role", [None, *ROLES])
def test_matrix(role: str | None, tmp_path: Any) -> None:
    world = build(tmp_path)
    failures = []
    for name in url_names():
        row = TABLE.get(name)
        if row is None:
            continue  # reported by test_every_url_has_a_row
        for column in _columns(row):
            client = world.client(role)
            with recording() as asked:
                response = _call(client, name, row, world, column)
            content = _body(response)
            where = f"{name} [{column}] as {role or 'anonymous'}: {response.status_code}"
            if role is not None and (problem := _unasked(world, row, column, response.status_code, asked)):
                failures.append(f"{where}: {problem}")
            if role is None:
                if row.anon == "login":
                    if response.status_code != 302 or not response["Location"].startswith("/login/"):
                        failures.append(f"{where}, expected a redirect to the login page")
                elif response.status_code not in row.anon:
                    failures.append(f"{where}, expected {sorted(row.anon)}")
                leaks = _leaks(world, content, None)
            elif role in row.allow[column]:
                if response.status_code not in row.ok:
                    failures.append(f"{where}, expected allow {sorted(row.ok)}")
                elif response.status_code == 302 and name != "logout" and response["Location"].startswith("/login/"):
                    failures.append(f"{where}, allowed but bounced to {response['Location']}")
                leaks = _leaks(world, content, column if column != "-" else None)
            else:
                if response.status_code not in (403, 404):
                    failures.append(f"{where}, expected deny 403/404")
                leaks = _leaks(world, content, None)
            if leaks:
                failures.append(f"{where}: content leaked {leaks}")
    assert not failures, "\n".join(failures)


def test_auditor_never_sees_message_content(tmp_path: Any) -> None:
    """An auditor (metadata, findings, audit trail) opens no message body or media anywhere."""
    world = build(tmp_path)
    client = world.client("auditor")
    own = world.archives["own"]
    assert client.get(reverse("conversation", kwargs={"pk": own.conversation.pk})).status_code in (403, 404)
    assert client.get(reverse("attachment", kwargs={"pk": own.attachment.pk})).status_code in (403, 404)
    custodian_page = client.get(reverse("custodian", kwargs={"slug": own.custodian.slug}))
    assert custodian_page.status_code == 200
    page = custodian_page.content.decode()
    assert own.conversation.title in page  # metadata yes
    assert reverse("conversation", kwargs={"pk": own.conversation.pk}) not in page  # no link into content
    assert client.get(reverse("custodian_audit", kwargs={"slug": own.custodian.slug})).status_code == 200
    for name in url_names():
        row = TABLE.get(name)
        if row is None or row.method != "get":
            continue
        for column in _columns(row):
            content = _body(_call(client, name, row, world, column))
            assert not _leaks(world, content, None), f"{name} [{column}] shows message content to an auditor"


def test_admin_and_woo_coordinator_read_no_content(tmp_path: Any) -> None:
    world = build(tmp_path)
    for role in ("admin", "woo_coordinator", "operator"):
        client = world.client(role)
        for archive in world.archives.values():
            response = client.get(reverse("conversation", kwargs={"pk": archive.conversation.pk}))
            assert response.status_code in (403, 404), role
            assert body_marker(archive.custodian.slug).encode() not in response.content
