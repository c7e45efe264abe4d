"""A prepared chat document as HTML laid out like a chat, every text escaped.

Input is a `RenderDocument` (redactions already applied): its texts are runs of strings and boxes,
and this module only escapes and arranges them. Own messages sit on the right, the others on the
left with the sender's name; system events are centred; a day heading starts each day. Nothing
creates a link, a bookmark or an alt text, so no text ends up anywhere but on the page.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from chatarchief.core.packaging.document import MessageKind
from chatarchief.core.packaging.pdf import Resource, resource_url
from chatarchief.core.packaging.redaction import (
    Box,
    RenderAttachment,
    RenderDocument,
    RenderMessage,
    Rich,
    plain_text,
)

CHAT_CSS = """
@page {
  @top-left { content: element(head); width: 100%; vertical-align: bottom; }
  @bottom-left { content: element(foot); width: 70%; vertical-align: top; }
  @bottom-right { font-size: 7.5pt; color: #555; vertical-align: top; }
}
.head { position: running(head); font-size: 8pt; color: #333; border-bottom: 0.5pt solid #999; padding-bottom: 1mm; }
.head .num { font-weight: bold; }
.foot { position: running(foot); font-size: 7.5pt; color: #555; }
.title { font-size: 13pt; font-weight: bold; margin: 0 0 1mm 0; }
.meta-list { font-size: 8pt; color: #333; margin: 0 0 4mm 0; }
.day { text-align: center; margin: 3mm 0 2mm 0; font-size: 8pt; color: #444; }
.day span { background: #e8eef3; padding: 0.6mm 3mm; border-radius: 2mm; }
.msg { width: 76%; margin: 0 0 1.6mm 0; padding: 1.4mm 2.4mm; border-radius: 2.2mm; background: #f1f1f1;
  overflow-wrap: anywhere; page-break-inside: avoid; }
.out { margin-left: 24%; background: #dcf3d0; }
.sys { width: auto; margin: 1mm 12%; background: none; text-align: center; color: #555; font-style: italic; font-size: 8pt; }
.who { font-weight: bold; font-size: 8pt; color: #1c4f73; }
.body { white-space: pre-wrap; }
.when { text-align: right; font-size: 7pt; color: #666; }
.flag { font-size: 7pt; color: #8a3b00; }
.att { margin: 1mm 0; }
.att img { max-width: 100%; max-height: 90mm; }
.file { font-size: 8pt; color: #333; }
.fname { font-size: 6.5pt; color: #666; }
.ver { font-size: 8pt; color: #555; border-left: 0.8pt solid #bbb; padding-left: 2mm; margin-top: 1mm; white-space: pre-wrap; }
.x { background: #000; color: #fff; font-weight: bold; font-style: normal; font-size: 7.5pt; padding: 0 1.2mm;
  white-space: nowrap; }
.xb { display: block; background: #000; color: #fff; font-weight: bold; text-align: center; padding: 5mm 2mm; }
"""

LABELS = {
    "nl": {
        "page": "Pagina",
        "document": "Document",
        "holders": "Aangeleverd door",
        "zone": "Tijden in",
        "edited": "bewerkt",
        "deleted_later": "later verwijderd door de afzender; de gearchiveerde tekst staat hierboven",
        "versions": "Eerdere versie",
        "omitted": "Media niet meegeleverd",
        "unreadable": "Afbeelding kon niet worden weergegeven",
        "file": "Bijlage",
        "view_once": "Eenmalig bekijken",
        "deleted": "Dit bericht is verwijderd",
        "redacted": "Gelakt",
        "days": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
        "months": (
            "januari", "februari", "maart", "april", "mei", "juni",
            "juli", "augustus", "september", "oktober", "november", "december",
        ),
    },
    "en": {
        "page": "Page",
        "document": "Document",
        "holders": "Handed in by",
        "zone": "Times in",
        "edited": "edited",
        "deleted_later": "later deleted by the sender; the archived text is shown above",
        "versions": "Earlier version",
        "omitted": "Media not included",
        "unreadable": "Picture could not be shown",
        "file": "Attachment",
        "view_once": "View once",
        "deleted": "This message was deleted",
        "redacted": "Redacted",
        "days": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "months": (
            "January", "February", "March", "April", "May", "June",
            "July", "August", "September", "October", "November", "December",
        ),
    },
}  # fmt: skip


def _labels(lang: str) -> dict:  # type: ignore[type-arg]
    return LABELS["nl" if lang.startswith("nl") else "en"]


def chat_css(lang: str) -> str:
    """The chat style sheet, with the page numbering in the document's language."""
    page = _labels(lang)["page"]
    return CHAT_CSS + f'@page {{ @bottom-right {{ content: "{page} " counter(page) " / " counter(pages); }} }}'


def rich_html(rich: Rich) -> str:
    """Escaped text with each box as a black span holding only its ground codes."""
    return "".join(
        escape(_printable(part)) if isinstance(part, str) else f'<span class="x">{escape(part.label)}</span>'
        for part in rich
    )


def _printable(text: str) -> str:
    """Drop control characters other than new line and tab (they have no glyph and upset layout)."""
    return "".join(ch for ch in text if ch >= " " or ch in "\n\t")


def day_heading(day: dt.date, lang: str) -> str:
    labels = _labels(lang)
    return f"{labels['days'][day.weekday()]} {day.day} {labels['months'][day.month - 1]} {day.year}"


def chat_html(doc: RenderDocument) -> tuple[str, dict[str, Resource]]:
    """The HTML of a prepared document and the pictures it refers to."""
    labels = _labels(doc.lang)
    resources: dict[str, Resource] = {}
    parts = [
        f'<!DOCTYPE html><html lang="{escape(doc.lang)}"><head><meta charset="utf-8">',
        f"<title>{escape(_printable(plain_text(doc.title)))}</title>",
        "</head><body>",
        f'<div class="head"><span class="num">{escape(labels["document"])} {escape(_printable(doc.number))}</span>'
        f" · {rich_html(doc.title)}</div>",
        '<div class="foot">' + "<br>".join(rich_html(line) for line in doc.footer_lines) + "</div>",
        f'<div class="title">{rich_html(doc.title)}</div>',
        _meta_list(doc, labels),
    ]
    current_day: dt.date | None = None
    for message in doc.messages:
        if message.day != current_day:
            current_day = message.day
            parts.append(f'<div class="day"><span>{escape(day_heading(message.day, doc.lang))}</span></div>')
        parts.append(_message_html(message, labels, resources))
    parts.append("</body></html>")
    return "".join(parts), resources


def _meta_list(doc: RenderDocument, labels: dict) -> str:  # type: ignore[type-arg]
    lines = [rich_html(line) for line in doc.header_lines]
    if doc.holders:
        lines.append(f"{escape(labels['holders'])}: " + ", ".join(rich_html(holder) for holder in doc.holders))
    lines.append(f"{escape(labels['zone'])}: {escape(doc.time_zone)}")
    return '<div class="meta-list">' + "<br>".join(lines) + "</div>"


def _message_html(message: RenderMessage, labels: dict, resources: dict[str, Resource]) -> str:  # type: ignore[type-arg]
    if message.kind in (MessageKind.SYSTEM, MessageKind.CALL) and not message.whole:
        text = rich_html(message.event or message.body)
        return f'<div class="msg sys">{text} · {escape(message.time)}</div>'
    classes = "msg out" if message.outgoing else "msg"
    inner = []
    if message.sender and not message.outgoing:
        inner.append(f'<div class="who">{rich_html(message.sender)}</div>')
    if message.whole:
        inner.append(_box_block(message.whole))
    else:
        inner.extend(_attachment_html(att, labels, resources) for att in message.attachments)
        if message.kind in (MessageKind.VIEW_ONCE, MessageKind.DELETED) and not message.body:
            inner.append(f'<div class="file">{escape(labels[message.kind.value])}</div>')
        if message.body:
            inner.append(f'<div class="body">{rich_html(message.body)}</div>')
        elif message.event:
            inner.append(f'<div class="body">{rich_html(message.event)}</div>')
        for version in message.versions:
            when = f" ({escape(version.time)})" if version.time else ""
            inner.append(f'<div class="ver">{escape(labels["versions"])}{when}: {rich_html(version.body)}</div>')
        if message.deleted:
            inner.append(f'<div class="flag">{escape(labels["deleted_later"])}</div>')
    flags = f" · {escape(labels['edited'])}" if message.edited and not message.whole else ""
    inner.append(f'<div class="when">{escape(message.time)}{flags}</div>')
    return f'<div class="{classes}">' + "".join(inner) + "</div>"


def _box_block(box: Box) -> str:
    return f'<div class="xb">{escape(box.label)}</div>'


def _attachment_html(att: RenderAttachment, labels: dict, resources: dict[str, Resource]) -> str:  # type: ignore[type-arg]
    if att.kind == "box" and att.box:
        return f'<div class="att">{_box_block(att.box)}</div>'
    caption = f'<div class="body">{rich_html(att.caption)}</div>' if att.caption else ""
    if att.kind == "image" and att.image:
        name = f"m{len(resources)}"
        resources[name] = Resource(att.image.data, att.image.mime_type)
        file_name = f'<div class="fname">{rich_html(att.name)}</div>' if att.name else ""
        return f'<div class="att"><img src="{resource_url(name)}" alt="">{file_name}{caption}</div>'
    label = {"omitted": labels["omitted"], "unreadable": labels["unreadable"]}.get(att.kind, labels["file"])
    name_html = f": {rich_html(att.name)}" if att.name else ""
    return f'<div class="att file">{escape(label)}{name_html}</div>{caption}'
