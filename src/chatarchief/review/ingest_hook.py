"""Exclusion at ingest: what was excluded never comes back.

Registered with `intake.pipeline.register_exclusion_hook` (see apps.py):

- `filter_export` runs after parsing, before any media is kept or anything is loaded: it drops the
  conversations decided private or party (by their keyed fingerprint) and the excluded messages of
  business conversations (by their identity fingerprints). They are counted (`counts.excluded` on
  the receipt), never stored.
- `after_ingest` runs when the delivery is processed: an original that brought excluded content is
  destroyed or replaced by a derived original, as at the exclusion itself; a duplicate of an
  original that was destroyed or derived follows its earlier twin.
"""

from __future__ import annotations

from django.db import transaction

from chatarchief.archive.models import Delivery, DeliveryStatus
from chatarchief.audit import log
from chatarchief.compliance import private_contacts
from chatarchief.core.identity import occurrence_keys
from chatarchief.core.model import Export
from chatarchief.review import fingerprints, originals, scrub
from chatarchief.review.constants import EXCLUDED_LABELS, DecisionStatus
from chatarchief.review.models import Decision, ExcludedConversation, ExcludedMessage, OriginalChange

ACTOR = "system:review"


def excluded_conversation_ids() -> set[int]:
    """Conversations decided private or party (awaiting confirmation or excluded): never in a search."""
    return set(
        Decision.objects.filter(
            label__in=EXCLUDED_LABELS,
            message_ids=[],
            status__in=(DecisionStatus.AWAITING_CONFIRMATION, DecisionStatus.EXCLUDED),
            conversation__isnull=False,
        ).values_list("conversation_id", flat=True)
    )


class ReviewExclusionHook:
    def __init__(self) -> None:
        self.seen: dict[int, list[tuple[int, str]]] = {}  # delivery -> excluded conversations (id, label)

    def filter_export(self, delivery: Delivery, export: Export) -> int:
        custodian_id = delivery.custodian_id
        has_conversations = ExcludedConversation.objects.filter(custodian_id=custodian_id).exists()
        has_messages = ExcludedMessage.objects.filter(custodian_id=custodian_id).exists()
        if not has_conversations and not has_messages:
            return 0
        from chatarchief.review.exclusion import excluded_for

        excluded = excluded_for(delivery.custodian)
        dropped = 0
        kept = []
        for conversation in export.conversations:
            conv_fp = fingerprints.conversation_fingerprint(custodian_id, str(conversation.channel), conversation.key)
            if conv_fp in excluded.conversations:
                dropped += len(conversation.messages)
                self.seen.setdefault(delivery.pk, []).append(_excluded_conversation(custodian_id, conv_fp))
                continue
            kept.append(conversation)
            prefix = f"{conv_fp}:"
            if not any(item.startswith(prefix) for item in excluded.messages):
                continue
            originals.hash_media(conversation.messages)
            keys = occurrence_keys(conversation.messages)
            fps = fingerprints.many(keys.match)
            remaining = []
            for position, message in enumerate(conversation.messages):
                native = fingerprints.fingerprint("native", message.native_id) if message.native_id else None
                if prefix + fps[position] in excluded.messages or (native and prefix + native in excluded.messages):
                    dropped += 1
                else:
                    remaining.append(message)
            conversation.messages = remaining
        export.conversations[:] = kept
        return dropped

    def after_ingest(self, delivery: Delivery) -> None:
        delivery.refresh_from_db()
        for conversation_ref, label in self.seen.pop(delivery.pk, []):
            if delivery.status == DeliveryStatus.INGESTED:  # the business phone still carries the chat
                private_contacts.record(
                    delivery.custodian_id,
                    delivery.pk,
                    category=label,
                    by="excluded_conversation",
                    conversation_id=None,
                    subject=f"delivery:{delivery.pk}:excluded:{conversation_ref}",
                )
        if delivery.status == DeliveryStatus.DUPLICATE and delivery.duplicate_of_id:
            _follow_twin(delivery)
        elif delivery.status == DeliveryStatus.INGESTED and int((delivery.counts or {}).get("excluded", 0)) > 0:
            _rewrite_at_ingest(delivery)


def _excluded_conversation(custodian_id: int, fingerprint: str) -> tuple[int, str]:
    row = ExcludedConversation.objects.select_related("decision").get(
        custodian_id=custodian_id, fingerprint=fingerprint
    )
    return row.conversation_ref, row.decision.label


def _follow_twin(delivery: Delivery) -> None:
    earlier = delivery.duplicate_of
    assert earlier is not None
    if earlier.original_id is not None:
        return
    from chatarchief.review.exclusion import delete_unreferenced, remove_files

    change = OriginalChange.objects.filter(delivery=earlier).order_by("-id").first()
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(original=None, derived_original=earlier.derived_original_id)
        if change is not None:
            change.pk = None
            change.delivery = delivery
            change.save()
        gone = delete_unreferenced([delivery.sha256])
    remove_files(gone)
    log.excluded_at_ingest(
        ACTOR, delivery, messages=0, original="derived" if earlier.derived_original_id else "destroyed"
    )


def _rewrite_at_ingest(delivery: Delivery) -> None:
    from chatarchief.review.exclusion import delete_unreferenced, excluded_for, remove_files

    custodian = delivery.custodian
    had_defects = bool(delivery.defects)
    with scrub.secure_delete(), transaction.atomic():
        change = originals.rewrite(
            delivery, custodian, excluded_for(custodian), covers_remaining=delivery.coverage.exists()
        )
        if change.kind == "kept" and not delivery.coverage.exists():
            change = originals.Rewrite("destroyed")
        candidates = originals.apply(delivery, change, None)
        gone = delete_unreferenced(candidates)
        log.excluded_at_ingest(ACTOR, delivery, messages=int(delivery.counts["excluded"]), original=change.kind)
    remove_files(gone)
    if had_defects:
        scrub.after_exclusion(("archive_delivery",))


HOOK = ReviewExclusionHook()
