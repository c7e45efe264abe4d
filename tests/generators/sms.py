"""Seeded writer of SMS Backup & Restore XML backups of any size (for streaming tests and benchmarks).

    stats = write_sms_backup(path, messages=200_000, seed=1)

Writes `<smses>` with `<sms>` (received/sent, some drafts) and, every `mms_every` messages, an `<mms>`
with a text part, a SMIL part and a base64 image part of `media_bytes` random bytes; some MMS are
group messages. The own number (+31600000000) appears as the From of sent MMS. Returns what was
written, so a test can assert on it.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

OWN_NUMBER = "+31600000000"
WORDS = "de het een en van ik je dat is niet op te met voor vergadering nota minister overleg morgen graag dank".split()


@dataclass
class SmsStats:
    messages: int = 0
    sms: int = 0
    mms: int = 0
    group_mms: int = 0
    attachments: int = 0
    threads: set[str] = field(default_factory=set)
    bytes_written: int = 0


def _contacts(rng: random.Random, count: int) -> list[tuple[str, str]]:
    numbers = sorted({f"06{rng.randrange(10**8):08d}" for _ in range(count * 2)})[:count]
    return [(number, f"Contact {i}") for i, number in enumerate(numbers)]


def _e164(national: str) -> str:
    return "+31" + national[1:]


def _sms(rng: random.Random, date: int, number: str, name: str) -> str:
    kind = rng.choices([1, 2, 3], weights=[60, 38, 2])[0]
    body = " ".join(rng.choices(WORDS, k=rng.randint(1, 25)))
    return (
        f'  <sms protocol="0" address={quoteattr(number)} date="{date}" type="{kind}" subject="null"'
        f' body={quoteattr(body)} toa="null" sc_toa="null" service_center="null" read="1"'
        f' status="-1" locked="0" date_sent="{date - 1000}" sub_id="1" readable_date="x"'
        f" contact_name={quoteattr(name)} />\n"
    )


def _mms(rng: random.Random, date: int, members: list[tuple[str, str]], media_bytes: int) -> str:
    sent = rng.random() < 0.4
    box = 2 if sent else 1
    address = "~".join(number for number, _ in members)
    names = ", ".join(name for _, name in members)
    sender = OWN_NUMBER if sent else members[0][0]
    addrs = [f'      <addr address="{sender}" type="137" charset="106" />']
    receivers = [n for n, _ in members if n != sender] + ([] if sent else [OWN_NUMBER])
    addrs += [f'      <addr address="{n}" type="151" charset="106" />' for n in receivers]
    image = base64.b64encode(rng.randbytes(media_bytes)).decode()
    text = " ".join(rng.choices(WORDS, k=rng.randint(1, 12)))
    return (
        f'  <mms date="{date}" ct_t="application/vnd.wap.multipart.related" msg_box="{box}" address="{address}"'
        f' m_id="gen-{date}@example.invalid" m_type="{128 if sent else 132}" read="1" text_only="0" sub="null"'
        f" contact_name={quoteattr(names)}>\n"
        "    <parts>\n"
        '      <part seq="-1" ct="application/smil" name="null" chset="null" cd="null" fn="null"'
        ' cid="&lt;smil&gt;" cl="smil.xml" text="&lt;smil&gt;&lt;/smil&gt;" />\n'
        f'      <part seq="0" ct="text/plain" name="null" chset="106" cl="text_0.txt" text={quoteattr(text)} />\n'
        f'      <part seq="1" ct="image/jpeg" name="IMG_{date}.jpg" chset="null" cl="IMG_{date}.jpg"'
        f' text="null" data="{image}" />\n'
        "    </parts>\n"
        "    <addrs>\n" + "\n".join(addrs) + "\n    </addrs>\n"
        "  </mms>\n"
    )


def write_sms_backup(
    path: str | Path,
    messages: int = 10_000,
    seed: int = 0,
    contacts: int = 200,
    mms_every: int = 50,
    media_bytes: int = 4096,
    start_ms: int = 1_700_000_000_000,
) -> SmsStats:
    """Write a backup of `messages` messages to `path`; deterministic for a given seed."""
    rng = random.Random(seed)
    people = [(_e164(number), name) for number, name in _contacts(rng, contacts)]
    stats = SmsStats()
    date = start_ms
    with open(path, "w", encoding="utf-8") as out:
        out.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        out.write(
            f'<smses count="{messages}" backup_set="gen-{seed}" backup_date="{start_ms + messages * 60_000}" type="full">\n'
        )
        for i in range(messages):
            date += rng.randint(1_000, 120_000)
            if mms_every and i % mms_every == mms_every - 1:
                members = rng.sample(people, rng.choice([1, 1, 1, 2, 3]))
                out.write(_mms(rng, date, members, media_bytes))
                stats.mms += 1
                stats.attachments += 1
                stats.group_mms += len(members) > 1
                stats.threads.add("sms:" + ",".join(sorted(n for n, _ in members)))
            else:
                number, name = rng.choice(people)
                out.write(_sms(rng, date, number, name))
                stats.sms += 1
                stats.threads.add("sms:" + number)
            stats.messages += 1
        out.write("</smses>\n")
        stats.bytes_written = out.tell()
    return stats


# -- single records, for scenario tests ---------------------------------------------------------------


def sms(address: str, date: int, body: str | None, *, kind: int = 1, **attributes: str | int | None) -> str:
    """One `<sms>`; None attributes are written as SMS Backup & Restore does, the literal "null"."""
    values = {"protocol": 0, "address": address, "date": date, "type": kind, "subject": None, "body": body}
    values |= {"read": 1, "status": -1, "locked": 0, **attributes}
    return (
        "  <sms " + " ".join(f"{k}={quoteattr('null' if v is None else str(v))}" for k, v in values.items()) + " />\n"
    )


def mms(
    address: str | None,
    date: int,
    *,
    box: int = 1,
    parts: list[dict[str, str]] | None = None,
    addrs: list[tuple[str, int]] | None = None,
    **attributes: str | int | None,
) -> str:
    """One `<mms>` with its `<part>`s (attribute dicts) and `<addr>`s ((number, type): 137 From, 151 To)."""
    values = {"date": date, "msg_box": box, "ct_t": "application/vnd.wap.multipart.related", **attributes}
    if address is not None:
        values["address"] = address
    head = " ".join(f"{k}={quoteattr('null' if v is None else str(v))}" for k, v in values.items())
    part_lines = "".join(
        "      <part " + " ".join(f"{k}={quoteattr(v)}" for k, v in part.items()) + " />\n" for part in parts or []
    )
    addr_lines = "".join(f'      <addr address="{n}" type="{t}" charset="106" />\n' for n, t in addrs or [])
    return f"  <mms {head}>\n    <parts>\n{part_lines}    </parts>\n    <addrs>\n{addr_lines}    </addrs>\n  </mms>\n"


def write_smses(path: str | Path, records: list[str], *, count: int | None = None, root: str = "smses") -> Path:
    """A backup file holding `records` (from `sms`/`mms`); `count` defaults to their number."""
    path = Path(path)
    number = len(records) if count is None else count
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        f'<{root} count="{number}" backup_set="scenario" backup_date="1700000999000" type="full">\n'
        + "".join(records)
        + f"</{root}>\n",
        encoding="utf-8",
    )
    return path


def write_calls(path: str | Path) -> Path:
    """A calls-only backup (`<calls>`), which holds no messages."""
    call = '  <call number="+15551234567" duration="30" date="1609459200000" type="1" presentation="1" />\n'
    return write_smses(path, [call], root="calls")
