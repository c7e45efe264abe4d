"""Seeded builders of Telegram Desktop exports (`result.json`, its folder) for tests.

    write_folder(tmp_path / "ChatExport_2024-06-01", rich_chat())   # a group chat with every feature
    write_json(tmp_path / "result.json", minimal_export())          # the smallest single-chat export
    write_json(tmp_path / "result.json", minimal_export(full=True)) # the same chat in a full export

`msg` and `service` build one message; times count from T0 (2024-06-01 10:00 UTC).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"
PHOTO = "photos/photo_1@01-06-2024_12-00-00.jpg"
PHOTO_BYTES = b"\xff\xd8\xff\xe0 not really a jpeg"
PDF = "files/Nota minister.pdf"
PDF_BYTES = b"%PDF-1.4 nota"
T0 = 1717236000  # 2024-06-01T10:00:00Z = 12:00 in Amsterdam


def msg(ident: int, offset: int, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": ident,
        "type": "message",
        "date": dt.datetime.fromtimestamp(T0 + offset, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "date_unixtime": str(T0 + offset),
        "from": "Alice",
        "from_id": "user1",
        "text": "",
        "text_entities": [],
    }
    base.update(fields)
    return base


def service(ident: int, offset: int, action: str, **fields: Any) -> dict[str, Any]:
    base = msg(ident, offset, type="service", actor="Alice", actor_id="user1", action=action)
    del base["from"], base["from_id"]
    base.update(fields)
    return base


def rich_chat() -> dict[str, Any]:
    """A group chat exercising every feature the parser maps."""
    messages = [
        service(1, 0, "create_group", title="Crisisoverleg", members=["Alice", "Bob"]),
        msg(2, 10, text="Goedemorgen"),
        msg(
            3,
            20,
            from_="Bob",
            text=[
                {"type": "bold", "text": "Let op:"},
                " zie ",
                {"type": "text_link", "text": "de nota", "href": "https://example.org/nota"},
                " en ",
                {"type": "link", "text": "https://rijksoverheid.nl"},
                {"type": "mention", "text": "@alice"},
            ],
        ),
        msg(4, 30, text="Aangepast", edited="2024-06-01T12:05:00", edited_unixtime=str(T0 + 300)),
        service(5, 40, "set_messages_ttl", period=86400),
        service(6, 50, "set_messages_ttl", period=0),
        msg(7, 60, photo=PHOTO, width=10, height=10, text="foto van de zaal"),
        msg(8, 70, file=NOT_INCLUDED, media_type="voice_message", mime_type="audio/ogg", duration_seconds=3),
        msg(9, 80, file=PDF, file_name="Nota minister.pdf", mime_type="application/pdf", text="de nota"),
        msg(10, 90, photo=NOT_INCLUDED, self_destruct_period_seconds=10),
        msg(11, 100, location_information={"latitude": 52.08, "longitude": 4.31}, place_name="Binnenhof"),
        msg(12, 110, contact_information={"first_name": "Piet", "last_name": "Jansen", "phone_number": "+31612345678"}),
        msg(
            13,
            120,
            poll={
                "question": "Lunch?",
                "closed": True,
                "total_voters": 2,
                "answers": [{"text": "Ja", "voters": 2, "chosen": True}, {"text": "Nee", "voters": 0, "chosen": False}],
            },
        ),
        service(14, 130, "phone_call", discard_reason="missed"),
        service(15, 140, "pin_message", message_id=2),
        service(16, 150, "invite_members", members=["Carol"]),
        service(17, 160, "remove_members", members=["Alice"]),
        msg(18, 170, text="alleen lokale tijd"),
        msg(19, 180, text="geen datum"),
        {"id": 20, "type": "unsupported", "date_unixtime": str(T0 + 190), "date": "2024-06-01T12:03:10"},
        msg(21, 200, text="doorgestuurd", forwarded_from="Dave", reply_to_message_id=2),
    ]
    for item in messages:
        if "from_" in item:
            item["from"], item["from_id"] = item.pop("from_"), "user2"
    del messages[17]["date_unixtime"]  # id 18: only the local date remains
    messages[17]["date"] = "2024-06-01T12:02:50"
    del messages[18]["date_unixtime"], messages[18]["date"]  # id 19: no date at all
    return {"name": "Crisisoverleg", "type": "private_supergroup", "id": 777, "messages": messages}


def write_folder(root: Path, data: dict[str, Any]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "result.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    (root / "photos").mkdir(exist_ok=True)
    (root / PHOTO).write_bytes(PHOTO_BYTES)
    (root / "files").mkdir(exist_ok=True)
    (root / PDF).write_bytes(PDF_BYTES)
    return root


def minimal_export(*, full: bool = False, name: str = "Chatname") -> dict[str, Any]:
    """Two messages as the oldest exports write them: no ids, `from` without `from_id`, only
    `date_unixtime`, and a text of entities. Single chat (no name, no id), or a full export."""
    messages = [
        {"type": "message", "date_unixtime": "1544006350", "from": "Author 1", "text": "Minimal Message"},
        {
            "type": "message",
            "date_unixtime": "1544006964",
            "from": "Author 2",
            "text": [{"type": "bold", "text": "Link:"}, {"type": "link", "text": "https://telegram.org/"}],
        },
    ]
    if full:
        return {"chats": {"list": [{"name": name, "messages": messages}]}}
    return {"messages": messages}


def write_json(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
