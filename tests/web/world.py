"""A small archive for web tests: organisations A and B, custodians with a chat, media and a delivery,
and one user per role. Message bodies and media carry markers that must never leak to the wrong role."""

from __future__ import annotations

import datetime as dt
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from chatarchief.access.authn import AUTH_AT
from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.api.accounts import add_service_account
from chatarchief.archive.models import Attachment, Conversation, Custodian, Delivery, Organisation
from chatarchief.archive.services import registry
from chatarchief.intake.pipeline import ingest
from tests.generators.whatsapp import Spec, render_export

ROLES = [r.value for r in Role]
COLUMNS = ("own", "same_org", "other_org")  # the custodian the role holder is tied to / a colleague / elsewhere


def body_marker(slug: str) -> str:
    return f"GEHEIME-INHOUD-{slug}"


def media_marker(slug: str) -> str:
    return f"MEDIA-INHOUD-{slug}"


def pass_second_factor(client: Client, user: Any, *, recent_auth: bool = False) -> None:
    """Test helper: mark a force-logged-in session as TOTP-verified (as django_otp.login does)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    if recent_auth:
        session[AUTH_AT] = int(time.time())
    session.save()


class VerifiedClient(Client):
    """A test client whose `force_login` also passes the second factor (test-only; see tests/conftest.py)."""

    def force_login(self, user: Any, backend: str | None = None) -> None:
        super().force_login(user, backend)
        pass_second_factor(self, user)


@dataclass
class Archive:
    custodian: Custodian
    conversation: Conversation
    attachment: Attachment
    delivery: Delivery


@dataclass
class World:
    orgs: dict[str, Organisation]
    archives: dict[str, Archive]  # by column: own (a1), same_org (a2), other_org (b1)
    users: dict[str, Any]  # by role
    managed: dict[str, Any] = field(default_factory=dict)  # by column: users an admin may manage
    revocable: dict[str, Any] = field(default_factory=dict)  # by column: a grant to revoke
    service_accounts: dict[str, Any] = field(default_factory=dict)  # by column: an API account of that organisation

    def client(self, role: str | None, *, recent_auth: bool = True) -> Client:
        client = Client()
        if role is not None:
            client.force_login(self.users[role])
            pass_second_factor(client, self.users[role], recent_auth=recent_auth)
        return client


def _archive(tmp: Path, slug: str, org: str) -> Archive:
    custodian = registry.add_custodian(slug, name=f"Functionaris {slug}", actor="test", organisation=org)
    at = dt.datetime(2026, 1, 2, 9, 0)
    specs = [
        Spec("Anna", at, body_marker(slug)),
        Spec("Bob", at + dt.timedelta(minutes=1), "foto", kind="media", media=f"IMG-20260102-WA00{len(slug)}1.jpg"),
        Spec("Anna", at + dt.timedelta(minutes=2), f"tweede {body_marker(slug)}"),
    ]
    media = specs[1].media
    text = render_export(specs, title=f"Overleg {slug}")
    path = tmp / f"{slug}.zip"
    with zipfile.ZipFile(path, "w") as archive:  # media bytes carry a marker, so a leak of the file shows
        archive.writestr(f"WhatsApp-chat met Overleg {slug}.txt", text)
        archive.writestr(str(media), media_marker(slug).encode())
    outcome = ingest(path, custodian, actor="test", file_name=f"WhatsApp Chat met Overleg {slug}.zip")
    assert outcome.status == "ingested", outcome.error
    conversation = Conversation.objects.get(custodian=custodian)
    attachment = Attachment.objects.filter(message__conversation=conversation).exclude(blob_id=None).first()
    assert attachment is not None
    return Archive(custodian, conversation, attachment, outcome.delivery)


def build(tmp: Path) -> World:
    orgs = {code: registry.add_organisation(code, f"Ministerie {code}", actor="test") for code in ("A", "B")}
    archives = {
        "own": _archive(tmp, "a1", "A"),
        "same_org": _archive(tmp, "a2", "A"),
        "other_org": _archive(tmp, "b1", "B"),
    }
    User = get_user_model()
    users = {}
    for role in ROLES:
        user = User.objects.create_user(f"user-{role}")
        if role in (Role.CUSTODIAN, Role.OPERATOR):
            grant(user, role, custodian=archives["own"].custodian)
        else:
            grant(user, role, organisation=orgs["A"])
        users[role] = user
    world = World(orgs, archives, users)
    for column in COLUMNS:
        org = orgs["B" if column == "other_org" else "A"]
        managed = User.objects.create_user(f"managed-{column}")
        grant(managed, Role.AUDITOR, organisation=org)
        world.revocable[column] = grant(managed, Role.WOO_COORDINATOR, organisation=org)
        TOTPDevice.objects.create(user=managed, name="phone", confirmed=True)
        world.managed[column] = managed
        world.service_accounts[column] = add_service_account(f"sa-{column}", org.code, ["deliver"], actor="test")[0]
    return world
