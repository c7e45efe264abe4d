"""Writer of a small Signal Desktop profile (SQLCipher db.sqlite + config.json + attachments.noindex).

    write_profile(tmp_path / "Signal", key_hex=KEY_HEX)

The schema is the subset chatarchief reads, with newer column names (`serviceId`, `sourceServiceId`).
It covers what the peer fixture lacks: incoming messages, a group (with masterKey and membersV2), a
message deleted for everyone, an edit with history, a timer change, view-once, a keychange.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

KEY_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
BRAM_ACI = "7b06fc8b-d487-490c-9fa4-7367e771d32f"
NOOR_ACI = "abad75c5-dff4-4928-833f-45339b049218"
MASTER_KEY = bytes(range(32))
PHOTO = b"\x89PNG\r\n\x1a\n" + b"fake image bytes " * 10

SCHEMA = [
    "CREATE TABLE conversations(id STRING PRIMARY KEY, json TEXT, type STRING, members TEXT, name TEXT, profileName TEXT,"
    " profileFamilyName TEXT, profileFullName TEXT, e164 TEXT, serviceId TEXT, groupId TEXT)",
    "CREATE TABLE messages(rowid INTEGER PRIMARY KEY, id STRING, json TEXT, sent_at INTEGER, received_at INTEGER,"
    " conversationId STRING, type STRING, body TEXT, sourceServiceId TEXT, expireTimer INTEGER, isErased INTEGER,"
    " isViewOnce INTEGER, hasAttachments INTEGER)",
    "CREATE TABLE items(id STRING PRIMARY KEY, json TEXT)",
]


def default_conversations() -> list[tuple]:
    group_json = {
        "masterKey": base64.b64encode(MASTER_KEY).decode(),
        "membersV2": [{"aci": BRAM_ACI}, {"aci": NOOR_ACI}],
    }
    return [
        ("c-bram", "{}", "private", None, "Bram de Boer", "Bram", None, None, "+31611110002", BRAM_ACI, None),
        ("c-noor", "{}", "private", None, None, "Noor", "Hendriks", "Noor Hendriks", "+31611110003", NOOR_ACI, None),
        (
            "c-group",
            json.dumps(group_json),
            "group",
            None,
            "Werkgroep Archief",
            None,
            None,
            None,
            None,
            None,
            "Z3JvdXA=",
        ),
    ]


def message_row(
    rowid: int, conv: str, kind: str, sent: int, body: str | None, source: str | None = None, **extra
) -> tuple:
    """One `messages` row; `json=` adds keys to the row's json, other keywords fill columns."""
    data = {
        "id": f"m-{rowid}",
        "conversationId": conv,
        "type": kind,
        "sent_at": sent,
        "body": body,
        **extra.pop("json", {}),
    }
    return (
        rowid,
        f"m-{rowid}",
        json.dumps(data),
        sent,
        rowid,
        conv,
        kind,
        body,
        source,
        extra.get("expireTimer"),
        extra.get("isErased"),
        extra.get("isViewOnce"),
        1 if data.get("attachments") else 0,
    )


def default_messages() -> list[tuple]:
    photo = {"contentType": "image/png", "size": len(PHOTO), "fileName": "kast.png", "path": "ab/photo"}
    edits = [
        {"body": "Overleg om 11:00", "timestamp": 1730816400000},
        {"body": "Overleg om 10:00", "timestamp": 1730815200000},
    ]
    return [
        message_row(1, "c-bram", "incoming", 1730448900000, "Goedemorgen! Één vraag 😊", BRAM_ACI),
        message_row(2, "c-bram", "outgoing", 1730449230000, "Ja, ik kijk er vandaag naar."),
        message_row(
            3,
            "c-bram",
            "timer-notification",
            1730966400000,
            None,
            BRAM_ACI,
            json={"expirationTimerUpdate": {"expireTimer": 604800, "source": "+31611110002"}},
        ),
        message_row(4, "c-bram", "incoming", 1730966490000, "Verdwijnt", BRAM_ACI, expireTimer=604800),
        message_row(
            5,
            "c-bram",
            "timer-notification",
            1730967000000,
            None,
            None,
            json={"expirationTimerUpdate": {"expireTimer": 0, "fromSync": True}},
        ),
        message_row(
            6, "c-bram", "incoming", 1731057120000, None, BRAM_ACI, isErased=1, json={"deletedForEveryone": True}
        ),
        message_row(
            7,
            "c-group",
            "outgoing",
            1730815200000,
            "Overleg om 11:00",
            json={"editHistory": edits, "editMessageTimestamp": 1730816400000},
        ),
        message_row(8, "c-group", "incoming", 1730891400000, "Foto", NOOR_ACI, json={"attachments": [photo]}),
        message_row(9, "c-group", "incoming", 1730910600000, None, NOOR_ACI, isViewOnce=1),
        message_row(10, "c-noor", "keychange", 1730900000000, None, NOOR_ACI),
        message_row(11, "c-group", "story", 1730900000001, "a story", NOOR_ACI),
    ]


def original_messages() -> list[tuple]:
    """`default_messages()` as they were before the edit: row 7 with its first text, no history."""
    return [
        message_row(7, "c-group", "outgoing", 1730815200000, "Overleg om 10:00") if row[0] == 7 else row
        for row in default_messages()
    ]


def write_profile(
    root: Path,
    key_hex: str = KEY_HEX,
    config: dict | None = None,
    *,
    messages: list[tuple] | None = None,
    conversations: list[tuple] | None = None,
    files: dict[str, bytes] | None = None,
) -> Path:
    """Write the profile under `root` (default content, or the `messages`/`conversations` rows given,
    and `files` under attachments.noindex/ by relative path); returns `root`."""
    import sqlcipher3

    (root / "sql").mkdir(parents=True, exist_ok=True)
    (root / "attachments.noindex" / "ab").mkdir(parents=True, exist_ok=True)
    for relative, data in {"ab/photo": PHOTO, **(files or {})}.items():
        (root / "attachments.noindex" / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / "attachments.noindex" / relative).write_bytes(data)
    (root / "config.json").write_text(json.dumps(config if config is not None else {"key": key_hex}))
    connection = sqlcipher3.connect(str(root / "sql" / "db.sqlite"))
    connection.execute(f"PRAGMA key = \"x'{key_hex}'\"")
    for pragma in (
        "cipher_page_size = 4096",
        "kdf_iter = 64000",
        "cipher_hmac_algorithm = HMAC_SHA512",
        "cipher_kdf_algorithm = PBKDF2_HMAC_SHA512",
    ):
        connection.execute(f"PRAGMA {pragma}")
    for statement in SCHEMA:
        connection.execute(statement)
    rows = conversations if conversations is not None else default_conversations()
    connection.executemany("INSERT INTO conversations VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    rows = messages if messages is not None else default_messages()
    connection.executemany("INSERT INTO messages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    connection.execute(
        "INSERT INTO items VALUES ('number_id', ?)", (json.dumps({"id": "number_id", "value": "+31611110001.1"}),)
    )
    connection.execute(
        "INSERT INTO items VALUES ('uuid_id', ?)",
        (json.dumps({"id": "uuid_id", "value": "b3f00c2d-02f8-40e8-9734-69bd708b8268.1"}),),
    )
    connection.commit()
    connection.close()
    return root


# -- a contact known only by phone number, three outgoing messages with media --------------------------

IMAGE = b"\x89PNG\r\n\x1a\n" + b"an image" * 20
VOICE = b"OggS" + b"a voice note" * 30
PHONE_ONLY = [("c-test", "{}", "private", None, "Test", None, None, None, "+441231231234", None, None)]


def _attachment(path: str, content_type: str, size: int, **extra) -> dict:
    return {"contentType": content_type, "size": size, "path": path, **extra}


def phone_only_messages(image_size: int = len(IMAGE)) -> list[tuple]:
    """Three outgoing messages to a contact known only by phone number: a text, an image, a voice note."""
    return [
        message_row(1, "c-test", "outgoing", 1660160018284, "Hello"),
        message_row(
            2,
            "c-test",
            "outgoing",
            1660160030000,
            None,
            json={"attachments": [_attachment("12/image", "image/png", image_size, fileName="image.png")]},
        ),
        message_row(
            3,
            "c-test",
            "outgoing",
            1660160040000,
            None,
            json={"attachments": [_attachment("34/voice", "audio/ogg", len(VOICE), flags=1)]},
        ),
    ]


def write_phone_only_profile(root: Path, image_size: int = len(IMAGE), files: dict[str, bytes] | None = None) -> Path:
    """A profile with one phone-only contact ("Test", +441231231234) and `phone_only_messages`."""
    media = {"12/image": IMAGE, "34/voice": VOICE} if files is None else files
    return write_profile(root, conversations=PHONE_ONLY, messages=phone_only_messages(image_size), files=media)
