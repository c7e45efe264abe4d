"""Facts from a parsed conversation (`core.model.Conversation`), e.g. to classify at ingest.

The Django side builds `ConversationFacts` from archive rows itself; this adapter serves the core
(tests, benchmarks, classification of an export before it is stored).
"""

from __future__ import annotations

from collections.abc import Collection

from chatarchief.core.model import Conversation, Kind
from chatarchief.core.rules.labels import ConversationFacts, MessageFacts, ParticipantFacts
from chatarchief.core.rules.text import fold_name

_TEXT_KINDS = frozenset((Kind.TEXT, Kind.MEDIA))  # media: the caption


def facts_from_conversation(conversation: Conversation, *, self_names: Collection[str] = ()) -> ConversationFacts:
    """The conversation as the rules see it. Message ids are the messages' `index`.

    `self_names`: the custodian's names and phone numbers as exports show them, to mark them
    `is_self` where the export does not (WhatsApp knows its owner only from "you deleted" lines).
    """
    own = {fold_name(name) for name in self_names}
    participants = [
        ParticipantFacts(
            key=p.key,
            name=p.name,
            phone=p.phone,
            is_self=p.is_self or fold_name(p.name) in own or fold_name(p.key) in own,
            native_id=p.native_id,
        )
        for p in conversation.participants
    ]
    messages = [
        MessageFacts(m.index, m.sender, m.body if m.kind in _TEXT_KINDS else "", m.sent_at)
        for m in conversation.messages
        if m.sender is not None
    ]
    return ConversationFacts(
        title=conversation.title,
        is_group=bool(conversation.is_group),
        channel=str(conversation.channel),
        participants=participants,
        messages=messages,
        id=conversation.key,
    )
