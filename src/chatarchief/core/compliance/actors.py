"""Who did it: every act the instruction forbids is attributed to the custodian, another, or unknown.

Acts: `message_deleted`, `message_edited`, `view_once`, `disappearing_enabled`, `disappearing_disabled`.
`attribute()` is the one rule for every channel; what each channel can tell (docs/compliance.md):

- **WhatsApp** (text export, no direction flag): a tombstone says who deleted ("Je hebt / U hebt dit
  bericht verwijderd", "You deleted this message" = the custodian; "Dit bericht is verwijderd", "This
  message was deleted" = the sender, someone else). A timer line names its actor in words ("Je hebt …",
  "You turned on …" = the custodian; "Bram heeft …", "Bram turned off …" = Bram). An edit or a view-once
  is the sender's act; the sender is the custodian when the export shows who the custodian is: a
  participant the parser marked as self (from a "You deleted" line), a name or number the archive
  knows for the custodian, or, in a one-to-one chat, the sender who is not the chat's title. When
  none of these places the custodian, the act of a named sender is `unknown`.
- **Signal** (v2 backup, legacy backup, Desktop): `outgoing`, the author and the self recipient are
  explicit, so every act is `custodian` or `other` (Desktop timer changes without a source: unknown).
- **Telegram**: no deletions in an export (a deleted message is simply missing); edits, self-destructing
  media and timer changes carry their author; the owner is known in a full export
  (`personal_information`) and in a one-to-one chat, else from the custodian's known Telegram id.
- **SMS** (SMS Backup & Restore): none of the acts exist; `type=2` (sent) gives the direction only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers

from chatarchief.core.model import (
    Channel,
    Conversation,
    Deleter,
    Export,
    Kind,
    Message,
    Participant,
    SystemEvent,
    kept_objects,
)


class By(StrEnum):
    CUSTODIAN = "custodian"
    OTHER = "other"
    UNKNOWN = "unknown"


class Act(StrEnum):
    MESSAGE_DELETED = "message_deleted"
    MESSAGE_EDITED = "message_edited"
    VIEW_ONCE = "view_once"
    DISAPPEARING_ENABLED = "disappearing_enabled"
    DISAPPEARING_DISABLED = "disappearing_disabled"


@dataclass(frozen=True)
class SelfIdentity:
    """Who the custodian is (and who surely is not) in one conversation, as participant keys."""

    keys: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()  # normalised names of those participants (for timer lines)
    not_self: frozenset[str] = frozenset()  # keys known to be someone else (a one-to-one chat's title)
    not_self_names: frozenset[str] = frozenset()

    @property
    def located(self) -> bool:
        return bool(self.keys)

    def is_self(self, key: str | None, name: str | None) -> bool | None:
        """True/False when known, None when the export cannot tell."""
        if key is not None and key in self.keys:
            return True
        if name is not None and normalise(name) in self.names:
            return True
        if (key is not None and key in self.not_self) or (name is not None and normalise(name) in self.not_self_names):
            return False
        return False if self.located and (key or name) else None


@dataclass(frozen=True)
class ActEvidence:
    """What the archive knows about one act, whatever the channel."""

    act: Act
    channel: str
    sender: str | None = None  # participant key of the author / actor
    sender_name: str | None = None
    outgoing: bool | None = None  # the source's direction flag
    deleted_by: str | None = None  # a tombstone's own statement: "self" or "other" (core.model.Deleter)
    system_text: str | None = None  # a WhatsApp system line (the timer's actor is only in its words)


@dataclass(frozen=True)
class Attribution:
    by: By
    actor: str  # the raw actor as the export gives it: a key, a name, "You"; "" when there is none
    basis: str  # which evidence decided: tombstone, outgoing, system_text, self_identity, not_self, none

    def details(self) -> dict[str, str]:
        """The finding's `details.by` and `details.actor` (and how it was decided)."""
        return {"by": self.by.value, "actor": self.actor, "by_basis": self.basis}


_BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff"), None)
_SELF_WORDS = re.compile(r"^(?:you|je|jij|u)\b", re.IGNORECASE)
_NAMED = re.compile(
    r"^(?P<name>.+?)\s+(?:turned|updated|changed|set|has|uses|heeft|gebruikt|zette|wijzigde|schakelde)\b"
)

_PASSIVE = frozenset({"were", "was", "is", "are", "been", "zijn", "werden", "worden", "werd"})


def normalise(text: str) -> str:
    """A name or number as compared: no bidi marks, NBSP as space, single spaces, case-folded."""
    plain = unicodedata.normalize("NFKC", text.translate(_BIDI)).replace("\u00a0", " ")
    return " ".join(plain.split()).casefold()


def phone_key(text: str | None) -> str | None:
    """A phone number in E.164 (`+31612345678`) whatever its notation (Dutch numbers without +31)."""
    if not text or sum(c.isdigit() for c in text) < 8:
        return None
    try:
        parsed = phonenumbers.parse(text.translate(_BIDI), "NL")
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def attribute(evidence: ActEvidence, identity: SelfIdentity) -> Attribution:
    """The one rule: who did this act."""
    actor = evidence.sender or evidence.sender_name or ""
    if evidence.act is Act.MESSAGE_DELETED and evidence.deleted_by:
        by = By.CUSTODIAN if evidence.deleted_by == Deleter.SELF.value else By.OTHER
        return Attribution(by, actor or ("self" if by is By.CUSTODIAN else ""), "tombstone")
    if evidence.system_text is not None and evidence.sender is None:
        return _from_system_text(evidence.system_text, identity)
    if evidence.outgoing is not None:
        return Attribution(By.CUSTODIAN if evidence.outgoing else By.OTHER, actor, "outgoing")
    if not actor:
        return Attribution(By.UNKNOWN, "", "none")
    return _from_identity(actor, evidence.sender, evidence.sender_name, identity)


def _from_identity(actor: str, key: str | None, name: str | None, identity: SelfIdentity) -> Attribution:
    verdict = identity.is_self(key, name)
    if verdict is True:
        return Attribution(By.CUSTODIAN, actor, "self_identity")
    if verdict is False:
        return Attribution(By.OTHER, actor, "not_self")
    return Attribution(By.UNKNOWN, actor, "self_unknown")


def _from_system_text(text: str, identity: SelfIdentity) -> Attribution:
    plain = " ".join(text.translate(_BIDI).replace("\u00a0", " ").split())
    own = _SELF_WORDS.match(plain)
    if own is not None:
        return Attribution(By.CUSTODIAN, own.group(0), "system_text")
    named = _NAMED.match(plain)
    if named is None:
        return Attribution(By.UNKNOWN, "", "system_text")
    name = named.group("name")
    if name.split()[-1].casefold() in _PASSIVE:  # "Disappearing messages were turned off": no actor
        return Attribution(By.UNKNOWN, "", "system_text")
    found = _from_identity(name, None, name, identity)
    return Attribution(found.by, name, "system_text" if found.by is not By.UNKNOWN else found.basis)


# ---------------------------------------------------------------- from parsed exports


def act_of(message: Message) -> Act | None:
    """The forbidden act a parsed message shows by itself, if any."""
    if message.kind is Kind.DELETED:
        return Act.MESSAGE_DELETED
    if message.kind is Kind.VIEW_ONCE:
        return Act.VIEW_ONCE
    if message.event is SystemEvent.DISAPPEARING_ENABLED:
        return Act.DISAPPEARING_ENABLED
    if message.event is SystemEvent.DISAPPEARING_DISABLED:
        return Act.DISAPPEARING_DISABLED
    if message.edited or message.revisions:
        return Act.MESSAGE_EDITED
    return None


def evidence_of(message: Message, channel: str, act: Act | None = None) -> ActEvidence | None:
    """The evidence a parsed message gives about its act (or about `act`, found elsewhere)."""
    act = act or act_of(message)
    if act is None:
        return None
    is_system = message.kind in (Kind.SYSTEM, Kind.CALL)
    return ActEvidence(
        act=act,
        channel=channel,
        sender=message.sender,
        sender_name=message.sender_name,
        outgoing=message.outgoing,
        deleted_by=message.deleted_by.value if message.deleted_by else None,
        system_text=message.body if is_system and channel == Channel.WHATSAPP.value else None,
    )


def identify_self(
    channel: str,
    participants: Iterable[Participant],
    *,
    title: str = "",
    is_group: bool | None = None,
    export_self: Participant | None = None,
    known_keys: Iterable[str] = (),
    known_names: Iterable[str] = (),
) -> SelfIdentity:
    """Where the custodian is in one conversation: marked self by the parser, known to the archive
    (keys such as `+31612345678` or `telegram:user42`, names or numbers as typed), or, in a WhatsApp
    one-to-one chat, the sender who is not the chat's title."""
    people = list(participants)
    keys = {k for k in known_keys if k}
    names = {normalise(n) for n in known_names if n and n.strip()}
    numbers = {phone_key(n) for n in [*keys, *known_names]} - {None}
    selves = {p.key for p in people if p.is_self}
    if export_self is not None:
        selves.add(export_self.key)
    for person in people:
        if person.key in keys or normalise(person.name) in names or normalise(person.key) in names:
            selves.add(person.key)
        elif phone_key(person.phone or person.key) in numbers:
            selves.add(person.key)
    not_self: set[str] = set()
    if channel == Channel.WHATSAPP.value and is_group is False and title:
        titled = {p.key for p in people if normalise(p.name) == normalise(title) or _same_number(p, title)}
        not_self = titled - selves
        rest = [p.key for p in people if p.key not in titled]
        if len(titled) == 1 and len(rest) == 1:
            selves.add(rest[0])
    self_names = {normalise(p.name) for p in people if p.key in selves}
    other_names = {normalise(p.name) for p in people if p.key in not_self}
    return SelfIdentity(frozenset(selves), frozenset(self_names), frozenset(not_self), frozenset(other_names))


def _same_number(person: Participant, title: str) -> bool:
    number = phone_key(title)
    return number is not None and number == phone_key(person.phone or person.key)


@dataclass(frozen=True)
class AttributedAct:
    conversation_key: str
    message_index: int
    act: Act
    attribution: Attribution


def attribute_conversation(
    conversation: Conversation,
    export_self: Participant | None = None,
    known_keys: Iterable[str] = (),
    known_names: Iterable[str] = (),
) -> Iterator[AttributedAct]:
    """Every act one parsed conversation shows by itself, attributed."""
    identity = identify_self(
        conversation.channel.value,
        conversation.participants,
        title=conversation.title,
        is_group=conversation.is_group,
        export_self=export_self,
        known_keys=known_keys,
        known_names=known_names,
    )
    for message in _acts(conversation):
        evidence = evidence_of(message, conversation.channel.value)
        if evidence is not None:
            yield AttributedAct(conversation.key, message.index, evidence.act, attribute(evidence, identity))


def _acts(conversation: Conversation) -> Iterator[Message]:
    return (m for m in kept_objects(conversation.messages) if act_of(m) is not None)


def attribute_export(
    export: Export, known_keys: Iterable[str] = (), known_names: Iterable[str] = ()
) -> list[AttributedAct]:
    keys, names = list(known_keys), list(known_names)
    return [
        act
        for conversation in export.conversations
        for act in attribute_conversation(conversation, export.self_participant, keys, names)
    ]
