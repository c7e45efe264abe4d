"""Exclusion: a confirmed private or party decision takes its content out of the archive.

`execute(decision, actor=...)` is the ONE entry point (the CLI's `review confirm`, the web's
confirm button and any task call it; checks that must hold before anything is excluded, such as
legal holds, belong here). In one transaction, with SQLite's secure_delete on:

1. identity: the conversation's (or each message's) keyed fingerprint is kept, so later exports of
   it are excluded at ingest (`review.ingest_hook`); never its content;
2. a tombstone: conversation id, channel, period, message count, label, rules, decision, both
   reviewers, time; no text, no title, no sender names;
3. content: search entries, findings, absences, versions, attachments and messages (and for a
   conversation its participants, coverage and the conversation itself) are deleted;
4. originals: each delivery that held excluded content is destroyed or gets a derived original
   (`review.originals`);
5. blobs: media and originals no longer referenced by anything left are deleted, their files
   removed from the store after the commit;
6. the organisation's suggestion model is dropped (its vocabulary may hold excluded words).

After the commit the freed space is scrubbed (`review.scrub`). Irreversible; audited with numbers only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from chatarchief.archive.models import (
    Absence,
    Attachment,
    Blob,
    Conversation,
    Coverage,
    Custodian,
    Delivery,
    Message,
    MessageVersion,
    Participant,
)
from chatarchief.archive.services import blobs
from chatarchief.audit import log
from chatarchief.compliance.models import Finding, FindingType
from chatarchief.core.errors import ChatarchiefError
from chatarchief.core.identity import match_key
from chatarchief.review import fingerprints, originals, scrub
from chatarchief.review.constants import EXCLUDED_LABELS, DecisionStatus
from chatarchief.review.models import (
    Decision,
    ExcludedConversation,
    ExcludedMessage,
    SuggestionModelStore,
    Tombstone,
)
from chatarchief.search import services as search

CHUNK = 500


@dataclass
class ExclusionResult:
    excluded_messages: int = 0
    destroyed_originals: int = 0
    derived_originals: int = 0
    removed_media: int = 0

    def as_dict(self) -> dict[str, int]:
        return vars(self).copy()


def _not_excludable(decision: Decision) -> ChatarchiefError:
    return ChatarchiefError(
        "review.not_excludable",
        nl=f"Besluit {decision.pk} is niet privé of partijpolitiek, of de inhoud is al verwijderd.",
        en=f"Decision {decision.pk} is not private or party-political, or its content is already gone.",
    )


def execute(decision: Decision, *, actor: str) -> ExclusionResult:
    """Carry out a confirmed private or party decision (see the module's docstring). Safe to run
    twice: an executed decision returns its recorded result."""
    if decision.label not in EXCLUDED_LABELS:
        raise _not_excludable(decision)
    from chatarchief.preservation import holds  # a legal hold refuses the exclusion, naming the hold

    holds.require_exclusion_allowed(decision, actor=actor)
    removed: list[str] = []
    with scrub.secure_delete(), transaction.atomic():
        decision = Decision.objects.select_for_update().select_related("custodian").get(pk=decision.pk)
        if decision.status == DecisionStatus.EXCLUDED:
            return ExclusionResult(**{k: int(decision.result.get(k, 0)) for k in vars(ExclusionResult())})
        if decision.conversation_id is None:
            raise _not_excludable(decision)
        result = _exclude(decision, removed)
        decision.status = DecisionStatus.EXCLUDED
        decision.result = result.as_dict()
        decision.save(update_fields=["status", "result"])
        log.exclusion_executed(actor, decision, result.as_dict())
        transaction.on_commit(lambda: remove_files(removed))
    scrub.after_exclusion()
    from chatarchief.archive.services import timeline

    timeline.forget([decision.conversation_id])  # its calendar and counts no longer hold
    return result


def remove_files(sha256s: list[str]) -> int:
    """Remove the blob files of these (already unreferenced) blobs from the store."""
    store = blobs.store()
    return sum(1 for sha256 in sha256s if store.remove(sha256))


def _exclude(decision: Decision, removed: list[str]) -> ExclusionResult:
    custodian = decision.custodian
    conversation = Conversation.objects.get(pk=decision.conversation_id)
    whole = not decision.message_ids
    messages = Message.objects.filter(conversation=conversation)
    if not whole:
        messages = messages.filter(pk__in=decision.message_ids)
    ids = list(messages.values_list("id", flat=True))
    conv_fp = fingerprints.conversation_fingerprint(custodian.pk, conversation.channel, conversation.key)
    _keep_identity(decision, conversation, conv_fp, ids, whole)
    _tombstone(decision, conversation, ids, whole)
    deliveries = list(Delivery.objects.filter(coverage__conversation=conversation).distinct().order_by("id"))
    media = purge_messages(ids)
    if whole:
        purge_conversation(conversation)
    result = ExclusionResult(excluded_messages=len(ids))
    candidates = list(media)
    excluded = excluded_for(custodian)
    for delivery in deliveries:
        delivery.refresh_from_db()
        change = originals.rewrite(delivery, custodian, excluded, covers_remaining=delivery.coverage.exists())
        if change.kind == "destroyed":
            result.destroyed_originals += 1
        elif change.kind == "derived":
            result.derived_originals += 1
        candidates += originals.apply(delivery, change, decision)
    gone = delete_unreferenced(candidates)
    result.removed_media = len(set(gone) & set(media))
    removed += gone
    if custodian.organisation_id:
        SuggestionModelStore.objects.filter(organisation_id=custodian.organisation_id).delete()
    return result


def excluded_for(custodian: Custodian) -> originals.Excluded:
    """Every fingerprint of what was excluded for a custodian."""
    return originals.Excluded(
        conversations=set(
            ExcludedConversation.objects.filter(custodian=custodian).values_list("fingerprint", flat=True)
        ),
        messages={
            f"{c}:{m}"
            for c, m in ExcludedMessage.objects.filter(custodian=custodian).values_list(
                "conversation_fingerprint", "fingerprint"
            )
        },
    )


def _keep_identity(decision: Decision, conversation: Conversation, conv_fp: str, ids: list[int], whole: bool) -> None:
    custodian_id = decision.custodian_id
    if whole:
        ExcludedConversation.objects.get_or_create(
            custodian_id=custodian_id,
            fingerprint=conv_fp,
            defaults={"conversation_ref": conversation.pk, "decision": decision},
        )
        return
    rows = Message.objects.filter(pk__in=ids).values_list(
        "sender_key", "sent_at_ms", "digest", "occurrence", "native_id"
    )
    for sender, sent_at_ms, digest, occurrence, native_id in rows:
        for fp in fingerprints.message_fingerprints(
            match_key(sender, sent_at_ms // 60_000, digest, occurrence), native_id
        ):
            ExcludedMessage.objects.get_or_create(
                custodian_id=custodian_id,
                conversation_fingerprint=conv_fp,
                fingerprint=fp,
                defaults={"decision": decision},
            )


def _tombstone(decision: Decision, conversation: Conversation, ids: list[int], whole: bool) -> Tombstone:
    span = Message.objects.filter(pk__in=ids).aggregate(first=Min("sent_at_ms"), last=Max("sent_at_ms")) if ids else {}
    return Tombstone.objects.create(
        custodian_id=decision.custodian_id,
        decision=decision,
        conversation_ref=conversation.pk,
        channel=conversation.channel,
        scope="conversation" if whole else "messages",
        message_refs=[] if whole else sorted(ids),
        period_from=_moment(span.get("first")),
        period_to=_moment(span.get("last")),
        message_count=len(ids),
        label=decision.label,
        rules=[{k: r.get(k) for k in ("rule", "version", "label", "reason")} for r in decision.rules],
        decided_by_name=decision.decided_by_name,
        confirmed_by_name=decision.confirmed_by_name,
        decided_at=decision.decided_at,
        excluded_at=timezone.now(),
    )


def _moment(ms: int | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC) if ms is not None else None


def purge_messages(ids: list[int]) -> list[str]:
    """Delete messages with everything that holds their content; returns their media blobs' SHA-256s."""
    media: list[str] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        search.remove_messages(chunk)
        Finding.objects.filter(message_id__in=chunk).delete()
        Absence.objects.filter(message_id__in=chunk).delete()
        MessageVersion.objects.filter(message_id__in=chunk).delete()
        attachments = Attachment.objects.filter(message_id__in=chunk)
        media += [sha for sha in attachments.values_list("blob_id", flat=True) if sha]
        attachments.delete()
        Message.objects.filter(pk__in=chunk).delete()
    return sorted(set(media))


def purge_conversation(conversation: Conversation) -> None:
    search.remove_conversation(conversation.pk)
    # a private_contact finding stays (it tells compliance the business phone carried the chat): the
    # conversation's id is in its subject, its details name no one
    Finding.objects.filter(conversation=conversation, type=FindingType.PRIVATE_CONTACT).update(conversation=None)
    Finding.objects.filter(conversation=conversation).delete()
    Participant.objects.filter(conversation=conversation).delete()
    Coverage.objects.filter(conversation=conversation).delete()
    conversation.delete()


def delete_unreferenced(candidates: list[Any]) -> list[str]:
    """Delete the Blob rows among `candidates` that nothing references any more; their SHA-256s."""
    gone = []
    for sha256 in sorted(set(candidates)):
        if (
            Attachment.objects.filter(blob_id=sha256).exists()
            or Delivery.objects.filter(original_id=sha256).exists()
            or Delivery.objects.filter(derived_original_id=sha256).exists()
        ):
            continue
        Blob.objects.filter(pk=sha256).delete()
        gone.append(sha256)
    return gone
