"""Every page of the web app, for the page-wide checks (tests/web/test_accessibility.py: axe-core and
reflow in a browser; tests/web/test_words.py: no raw codes in either language).

The list is built from the authorization matrix (TABLE in test_authorization_matrix.py), so a route
added there is checked here without anyone editing this file:

- a GET row that some role (or an anonymous caller) receives with 200 is a page: it is visited once, as
  the first role of ROLE_PREFERENCE that may see it, on that role's own archive ("own" column);
- a POST row is an action (its result is a redirect to a page that is itself checked);
- `api:*` rows are the JSON API for service accounts (except `api:docs`, an HTML page like any other);
- every other row (a GET that answers 302 to everyone, a media file, a redirect to an identity provider)
  must be named in SPECIAL (how to reach it) or NOT_PAGES (why it is no page), or `visits()` fails
  loudly with the URL name, so a new route cannot slip past the checks.

On top come the error pages and the demo archive's pages (a chat with a deletion, an edit, system
events and findings), which show more than the matrix's small world.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from chatarchief.archive.models import Conversation, Custodian
from chatarchief.demo import DEMO_PASSWORD, DEMO_USER, load_demo  # the demo archive (one place to import it)
from chatarchief.demo.totp import DEMO_TOTP_KEY
from tests.web.test_authorization_matrix import TABLE, Row, url_names
from tests.web.test_authorization_matrix import _kwargs as matrix_kwargs
from tests.web.world import World, pass_second_factor

__all__ = ["DEMO_PASSWORD", "DEMO_TOTP_KEY", "DEMO_USER", "Visit", "all_visits", "client_for", "load_demo"]

# who looks at a page that several roles may open: the role that sees the most of it comes first
ROLE_PREFERENCE = ("reviewer", "custodian", "operator", "admin", "auditor", "woo_coordinator")

# pages that need a session in a particular state: URL name -> session kind (see `client_for`)
SPECIAL: dict[str, str] = {
    "otp_verify": "password_only",  # password given, TOTP code not yet
    "otp_setup": "unenrolled",  # password given, no authenticator app yet (QR code)
}

# URL names that are no page, with the reason (POST actions and `api:*` are recognised by themselves)
NOT_PAGES: dict[str, str] = {
    "attachment": "a media file (image inline, anything else as a download), shown inside the conversation page",
    "oidc_authentication_init": "a redirect to the identity provider",
    "receipt_pdf": "a PDF download (the signed receipt), linked from the delivery page",
    "receipt_signature": "a JSON download (the receipt's detached signature), linked from the delivery page",
    "oidc_authentication_callback": "the identity provider's redirect back; ends on a page or the login page",
    "healthz": "a JSON probe for the load balancer (docs/operations.md)",
    "readyz": "a JSON probe for the load balancer (docs/operations.md)",
    "metrics": "Prometheus text for the monitoring system (docs/operations.md)",
}


@dataclass(frozen=True)
class Visit:
    """One page to check: the URL to open and the session to open it with."""

    name: str  # URL name, or "error:404" and the like
    path: str
    session: str | None  # None: anonymous; a role name; "password_only", "unenrolled", "demo"
    expect: int = 200

    @property
    def label(self) -> str:
        return f"{self.name} {self.path} as {self.session or 'anonymous'}"


def _is_action(name: str, row: Row) -> bool:
    return row.method != "get" or (name.startswith("api:") and name != "api:docs")


def _matrix_visit(world: World, name: str, row: Row) -> Visit | None:
    """The visit of a GET row that answers 200, or None when no one gets a 200 there."""
    if 200 not in row.ok and not (isinstance(row.anon, frozenset) and 200 in row.anon):
        return None
    path = reverse(name, kwargs=matrix_kwargs(world, row, "own"))  # the matrix's rule, for any kind of target
    if isinstance(row.anon, frozenset) and 200 in row.anon:
        return Visit(name, path, None)
    role = next((r for r in ROLE_PREFERENCE if r in row.allow["own" if row.target else "-"]), None)
    return Visit(name, path, role) if role else None


def matrix_visits(world: World) -> list[Visit]:
    """One visit per page of the authorization matrix; fails on a route it cannot place."""
    visits, unplaced = [], []
    for name in url_names():
        row = TABLE.get(name)
        if row is None:
            unplaced.append(f"{name} (no row in the authorization TABLE)")
        elif name in NOT_PAGES or _is_action(name, row):
            continue
        elif name in SPECIAL:
            visits.append(Visit(name, reverse(name), SPECIAL[name]))
        elif (visit := _matrix_visit(world, name, row)) is not None:
            visits.append(visit)
        else:
            unplaced.append(name)
    assert not unplaced, (
        f"routes that the page checks cannot visit: {unplaced}. A page answers 200 to a role in the "
        "authorization TABLE; otherwise name it in tests/web/pages.py: SPECIAL (how to reach it) or NOT_PAGES (why "
        "it is no page)."
    )
    return visits


def extra_visits() -> list[Visit]:
    """The error pages and the demo archive (load_demo must have run)."""
    demo = Custodian.objects.get(slug="minister-bzk")
    conversation = Conversation.objects.filter(custodian=demo).order_by("pk").first()
    delivery = demo.deliveries.order_by("-pk").first()
    assert conversation is not None and delivery is not None, "the demo archive is missing"
    return [
        Visit("error:404", "/bestaat-niet/", "reviewer", expect=404),
        Visit("error:403", reverse("upload"), "auditor", expect=403),
        Visit("demo:home", reverse("home"), "demo"),
        Visit("demo:custodian", reverse("custodian", kwargs={"slug": demo.slug}), "demo"),
        Visit("demo:conversation", reverse("conversation", kwargs={"pk": conversation.pk}), "demo"),
        Visit("demo:delivery", reverse("delivery", kwargs={"pk": delivery.pk}), "demo"),
        Visit("demo:upload", reverse("upload"), "demo"),
    ]


def all_visits(world: World) -> list[Visit]:
    return matrix_visits(world) + extra_visits()


def client_for(world: World, session: str | None) -> Client:
    """A test client whose session is in the state the visit needs (no second factor unless verified)."""
    if session is None:
        return Client()
    if session in world.users:
        return world.client(session)
    User = get_user_model()
    if session == "demo":
        client = Client()
        user = User.objects.get(username=DEMO_USER)
        client.force_login(user)
        pass_second_factor(client, user, recent_auth=True)
        return client
    client = Client()
    user, _created = User.objects.get_or_create(username=f"page-check-{session.replace('_', '-')}")
    if session == "password_only" and not TOTPDevice.objects.filter(user=user).exists():
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    assert session in ("password_only", "unenrolled"), f"unknown session kind {session!r}"
    client.force_login(user)
    return client
