"""Fixtures for the integration API: two organisations, a custodian in each, service accounts."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chatarchief.api.accounts import add_service_account
from chatarchief.archive.services import registry

LRM = "\u200e"


def whatsapp_text(unique: str) -> str:
    """A small Dutch Android WhatsApp export."""
    return (
        "02-01-2026 09:00 - Berichten en gesprekken worden end-to-end versleuteld.\n"
        f"02-01-2026 09:01 - Anna: {unique}\n"
        "02-01-2026 09:03 - Bert: Prima, tot morgen\n"
    )


def whatsapp_zip(unique: str, media: bytes) -> bytes:
    """An Android export zip with one media file."""
    text = whatsapp_text(unique) + f"02-01-2026 09:02 - Anna: {LRM}IMG-20260102-WA0001.jpg (bestand bijgevoegd)\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("WhatsApp-chat met Anna.txt", text)
        archive.writestr("IMG-20260102-WA0001.jpg", media)
    return buffer.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@dataclass
class World:
    own: Any  # custodian of organisation BZK
    other: Any  # custodian of organisation FIN

    def token(self, name: str, operations: list[str], organisation: str = "BZK") -> str:
        return add_service_account(name, organisation, operations, actor="test")[1]


@pytest.fixture
def world(db) -> World:
    registry.add_organisation("BZK", "Binnenlandse Zaken", actor="test")
    registry.add_organisation("FIN", "Financiën", actor="test")
    own = registry.add_custodian("anna-bzk", name="Anna de Vries", actor="test", organisation="BZK")
    other = registry.add_custodian("piet-fin", name="Piet Jansen", actor="test", organisation="FIN")
    return World(own, other)


def bearer(token: str | None) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}


@pytest.fixture
def client() -> Client:
    return Client()
