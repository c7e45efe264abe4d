"""One function per audit event type (views and services call these, never `_record` or the model).

Events are hash-chained: each row's hash covers its fields and the previous row's hash, so
`chatarchief audit verify` proves the log intact. A new kind of event gets its own function below,
named after what happened, with the details it keeps (never message content or secrets).
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from chatarchief.audit import anchor
from chatarchief.audit.chain import GENESIS
from chatarchief.audit.chain import digest as _digest
from chatarchief.audit.models import AuditEvent


def _record(actor: str, action: str, *, obj: Any = None, custodian: str = "", **details: Any) -> AuditEvent:
    """Append one event to the chain."""
    object_type = type(obj).__name__ if obj is not None else ""
    object_id = str(getattr(obj, "pk", "") or "") if obj is not None else ""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(4242)")
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        previous = last or GENESIS
        at = timezone.now()
        clean = json.loads(json.dumps(details, default=str))
        event = AuditEvent(
            at=at,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            custodian_slug=custodian,
            details=clean,
            previous_hash=previous,
            hash=_digest(previous, at.isoformat(), actor, action, object_type, object_id, custodian, clean),
        )
        event.save(force_insert=True)  # written once: the database refuses UPDATE and DELETE (triggers)
        anchor.schedule()  # the chain's head goes to the signed anchor log once the transaction commits
    return event


def verify() -> tuple[bool, int, int | None]:
    """(intact, events checked, id of the first broken event or None)."""
    previous = GENESIS
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator():
        expected = _digest(
            previous,
            event.at.isoformat(),
            event.actor,
            event.action,
            event.object_type,
            event.object_id,
            event.custodian_slug,
            event.details,
        )
        if event.previous_hash != previous or event.hash != expected:
            return False, count, event.pk
        previous = event.hash
        count += 1
    return True, count, None


# --- the events -----------------------------------------------------------------------------------


def custodian_added(actor: str, custodian: Any) -> AuditEvent:
    return _record(actor, "custodian.added", obj=custodian, custodian=custodian.slug, name=custodian.name)


def delivery_received(actor: str, delivery: Any) -> AuditEvent:
    return _record(
        actor,
        "delivery.received",
        obj=delivery,
        custodian=delivery.custodian.slug,
        file=delivery.file_name,
        sha256=delivery.sha256,
        size=delivery.size,
    )


def delivery_finished(actor: str, delivery: Any) -> AuditEvent:
    return _record(
        actor,
        f"delivery.{delivery.status}",
        obj=delivery,
        custodian=delivery.custodian.slug,
        file=delivery.file_name,
        sha256=delivery.sha256,
        format=delivery.format,
        counts=delivery.counts,
        error=delivery.error_code,
    )


def content_read(actor: str, what: str, obj: Any, custodian: str, **details: Any) -> AuditEvent:
    """Every read of message content or media by a person."""
    return _record(actor, "content.read", obj=obj, custodian=custodian, what=what, **details)


def findings_listed(actor: str, custodian: str, count: int) -> AuditEvent:
    return _record(actor, "findings.listed", custodian=custodian, count=count)


def login(actor: str, success: bool) -> AuditEvent:
    return _record(actor, "auth.login" if success else "auth.login_failed")


def master_key_rotated(actor: str, report: dict[str, Any]) -> AuditEvent:
    """Blob data keys re-wrapped under a new master key (the key id only; never key material)."""
    return _record(
        actor,
        "keys.rotated",
        key_id=report["key_id"],
        blobs=report["blobs"],
        rewrapped=report["rewrapped"],
        unchanged=report["unchanged"],
        failed=len(report["failed"]),
    )


def service_account_added(actor: str, account: Any) -> AuditEvent:
    """An integration API account created (its token prefix only; the token itself is never logged)."""
    return _record(
        actor,
        "api.account_added",
        obj=account,
        name=account.name,
        organisation=account.organisation.code,
        operations=list(account.operations),
        token_prefix=account.token_prefix,
    )


def api_read(actor: str, what: str, custodian: str = "", obj: Any = None, **details: Any) -> AuditEvent:
    """A read through the integration API (status, custodian list, compliance): metadata only."""
    return _record(actor, "api.read", obj=obj, custodian=custodian, what=what, **details)


def api_denied(actor: str, operation: str, reason: str, custodian: str = "", **details: Any) -> AuditEvent:
    """A service account asked for something it may not do (missing operation, other organisation)."""
    return _record(actor, "api.denied", custodian=custodian, operation=operation, reason=reason, **details)


def organisation_added(actor: str, organisation: Any) -> AuditEvent:
    return _record(actor, "organisation.added", obj=organisation, code=organisation.code)


def user_added(actor: str, user: Any, *, role: str, custodian: str, organisation: str) -> AuditEvent:
    return _record(
        actor,
        "user.added",
        obj=user,
        username=user.username,
        role=role,
        custodian=custodian,
        organisation=organisation,
    )


def user_disabled(actor: str, user: Any, sessions: int) -> AuditEvent:
    """A user account switched off; its open sessions ended."""
    return _record(actor, "user.disabled", obj=user, user=user.username, sessions=sessions)


def role_granted(actor: str, grant: Any) -> AuditEvent:
    return _record(
        actor,
        "access.role_granted",
        obj=grant,
        custodian=getattr(grant.custodian, "slug", ""),
        user=grant.user.username,
        role=str(grant.role),
        organisation=getattr(grant.organisation, "code", ""),
    )


def role_revoked(actor: str, grant: Any) -> AuditEvent:
    return _record(
        actor,
        "access.role_revoked",
        obj=grant,
        custodian=getattr(grant.custodian, "slug", ""),
        user=grant.user.username,
        role=grant.role,
        organisation=getattr(grant.organisation, "code", ""),
    )


def roles_synced(actor: str, user: Any, source: str, roles: list[str]) -> AuditEvent:
    """A single sign-on replaced the user's grants from the identity provider."""
    return _record(actor, "access.roles_synced", obj=user, user=user.username, source=source, roles=roles)


def login_failed(actor: str, stage: str) -> AuditEvent:
    """A wrong password, or a wrong code at a later stage (`totp`, `totp_setup`, `reauth`)."""
    return _record(actor, "auth.login_failed", stage=stage)


def second_factor_passed(actor: str, method: str) -> AuditEvent:
    return _record(actor, "auth.second_factor", method=method)


def reauthenticated(actor: str) -> AuditEvent:
    return _record(actor, "auth.reauthenticated")


def totp_enrolled(actor: str, user: Any) -> AuditEvent:
    return _record(actor, "auth.totp_enrolled", obj=user, user=user.username)


def totp_reset(actor: str, user: Any, devices: int) -> AuditEvent:
    return _record(actor, "auth.totp_reset", obj=user, user=user.username, devices=devices)


def totp_provisioned(actor: str, user: Any) -> AuditEvent:
    """A device with a known key (demo data and tests only)."""
    return _record(actor, "auth.totp_provisioned", obj=user, user=user.username)


def service_account_revoked(actor: str, account: Any) -> AuditEvent:
    """An integration API account switched off: its token no longer works."""
    return _record(
        actor,
        "api.account_revoked",
        obj=account,
        name=account.name,
        organisation=account.organisation.code,
        token_prefix=account.token_prefix,
    )


def logged_out(actor: str, reason: str, address: str) -> AuditEvent:
    """A web session ended: `user` (logout), `session_expired` (past its lifetime) or `locked_out`."""
    return _record(actor, "auth.logout", reason=reason, address=address)


def locked_out(actor: str, address: str, *, stage: str, failures: int) -> AuditEvent:
    """django-axes refused an account from an address after repeated failed passwords or codes
    (`stage`: password, totp, totp_setup, reauth); again for every attempt while locked out."""
    return _record(actor, "auth.locked_out", address=address, stage=stage, failures=failures)


def blobs_renamed(actor: str, report: dict[str, Any]) -> AuditEvent:
    """Blobs of an older store moved from their plain SHA-256 names to keyed names (`keys rename-blobs`)."""
    return _record(
        actor, "keys.blobs_renamed", legacy=report["legacy"], renamed=report["renamed"], failed=len(report["failed"])
    )


# --- review: contacts, decisions, exclusion (issue 16). Details hold ids, labels, rules and counts:
# never message text, titles of excluded conversations or names of private contacts.


def contacts_imported(actor: str, owner: Any, *, file: str, created: int, changed: int) -> AuditEvent:
    """A contacts file imported for a custodian or an organisation (`owner`)."""
    return _record(
        actor,
        "review.contacts_imported",
        obj=owner,
        custodian=getattr(owner, "slug", ""),
        file=file,
        created=created,
        changed=changed,
    )


def contact_marked(actor: str, contact: Any, custodian_slug: str) -> AuditEvent:
    """A contact's category set by hand (the contact's id only: a private contact's name stays out)."""
    return _record(actor, "review.contact_marked", obj=contact, custodian=custodian_slug, category=contact.category)


def label_proposed(actor: str, proposal: Any) -> AuditEvent:
    return _record(
        actor,
        "review.label_proposed",
        obj=proposal,
        custodian=proposal.custodian.slug,
        conversation=proposal.conversation_ref,
        messages=list(proposal.message_ids),
        label=proposal.label,
    )


def label_decided(actor: str, decision: Any) -> AuditEvent:
    return _record(
        actor,
        "review.label_decided",
        obj=decision,
        custodian=decision.custodian.slug,
        conversation=decision.conversation_ref,
        messages=list(decision.message_ids),
        label=decision.label,
        status=decision.status,
        rules=[r.get("rule") for r in decision.rules],
    )


def confirmation_refused(actor: str, decision: Any, reason: str) -> AuditEvent:
    """A confirmation that was not allowed (e.g. four eyes: the decider's own)."""
    return _record(actor, "review.confirm_refused", obj=decision, custodian=decision.custodian.slug, reason=reason)


def exclusion_executed(actor: str, decision: Any, result: dict[str, Any]) -> AuditEvent:
    """A confirmed private or party decision carried out: what left the archive, in numbers."""
    return _record(
        actor,
        "review.exclusion_executed",
        obj=decision,
        custodian=decision.custodian.slug,
        conversation=decision.conversation_ref,
        label=decision.label,
        decided_by=decision.decided_by_name,
        confirmed_by=decision.confirmed_by_name,
        **{k: v for k, v in result.items() if isinstance(v, int)},
    )


def excluded_at_ingest(actor: str, delivery: Any, *, messages: int, original: str) -> AuditEvent:
    """A delivery brought messages of excluded conversations (or excluded messages) again: skipped,
    and its original destroyed or replaced (`original`: destroyed, derived or kept)."""
    return _record(
        actor,
        "review.excluded_at_ingest",
        obj=delivery,
        custodian=delivery.custodian.slug,
        messages=messages,
        original=original,
    )


def standup_opened(actor: str, session: Any) -> AuditEvent:
    return _record(
        actor,
        "review.standup_opened",
        obj=session,
        organisation=session.organisation.code,
        held_on=session.held_on,
        attendees=list(session.attendees),
    )


def standup_closed(actor: str, session: Any, decisions: int) -> AuditEvent:
    return _record(
        actor, "review.standup_closed", obj=session, organisation=session.organisation.code, decisions=decisions
    )


def suggestions_trained(actor: str, organisation: Any, *, decisions: int, status: str) -> AuditEvent:
    return _record(
        actor,
        "review.suggestions_trained",
        obj=organisation,
        organisation=organisation.code,
        decisions=decisions,
        status=status,
    )


def audit_trail_exported(actor: str, custodian: str, *, events: int, filters: dict[str, Any]) -> AuditEvent:
    """An auditor downloaded (part of) a custodian's audit trail as CSV."""
    return _record(actor, "audit.exported", custodian=custodian, count=events, **{"filter": filters})


# --- preservation (issue 19): fixity, legal holds, disposition, transfer, backup. Ids and counts only.


def fixity_checked(actor: str, run: Any) -> AuditEvent:
    """A fixity check of the blob store (`chatarchief verify` or the scheduled task)."""
    return _record(
        actor,
        "preservation.fixity_checked",
        obj=run,
        checked=run.checked,
        sample_percent=run.sample_percent,
        failures=len(run.failures),
        failed=[f["sha256"] for f in run.failures][:100],
    )


def hold_added(actor: str, hold: Any) -> AuditEvent:
    return _record(
        actor,
        "preservation.hold_added",
        obj=hold,
        custodian=hold.custodian.slug if hold.custodian_id else "",
        conversation=hold.conversation_id,
        period_from=hold.period_from,
        period_to=hold.period_to,
        reason=hold.reason,
    )


def hold_removed(actor: str, hold: Any) -> AuditEvent:
    return _record(
        actor,
        "preservation.hold_removed",
        obj=hold,
        custodian=hold.custodian.slug if hold.custodian_id else "",
        conversation=hold.conversation_id,
    )


def hold_refused(actor: str, hold: Any, action: str) -> AuditEvent:
    """A destruction or exclusion refused because of a legal hold."""
    return _record(
        actor,
        "preservation.hold_refused",
        obj=hold,
        custodian=hold.custodian.slug if hold.custodian_id else "",
        refused=action,
    )


def audit_exported(actor: str, *, start: str, end: str, events: int, file: str) -> AuditEvent:
    """An extract of the audit log written for an auditor (`chatarchief audit export`)."""
    return _record(actor, "audit.exported", start=start, end=end, events=events, file=file)


def retention_category_set(actor: str, category: Any) -> AuditEvent:
    return _record(
        actor,
        "preservation.retention_category_set",
        obj=category,
        code=category.code,
        appraisal=category.action,
        period_years=category.period_years,
        trigger=category.trigger,
        custodian_category=category.custodian_category,
    )


def retention_overridden(actor: str, conversation: Any, code: str) -> AuditEvent:
    return _record(
        actor, "preservation.retention_overridden", obj=conversation, custodian=conversation.custodian.slug, code=code
    )


def term_ended(actor: str, custodian: Any, ended_on: Any) -> AuditEvent:
    return _record(actor, "preservation.term_ended", obj=custodian, custodian=custodian.slug, ended_on=ended_on)


def disposition_proposed(actor: str, record: Any, *, items: int, held: int) -> AuditEvent:
    return _record(actor, "preservation.disposition_proposed", obj=record, items=items, held=held)


def disposition_approved(actor: str, record: Any, *, role: str) -> AuditEvent:
    return _record(actor, "preservation.disposition_approved", obj=record, role=role, status=record.status)


def disposition_executed(actor: str, record: Any, **counts: int) -> AuditEvent:
    """A destruction list carried out: numbers and conversation ids only."""
    return _record(
        actor,
        "preservation.disposition_executed",
        obj=record,
        conversations_destroyed=[i.conversation_ref for i in record.items.all()],
        **counts,
    )


def backup_made(actor: str, *, folder: str) -> AuditEvent:
    """A backup of database, blob store and keys (`chatarchief backup`)."""
    return _record(actor, "preservation.backup_made", folder=folder)


def restored(actor: str, *, folder: str, events: int) -> AuditEvent:
    """An empty instance restored from a backup (`chatarchief restore`)."""
    return _record(actor, "preservation.restored", folder=folder, events=events)


def transfer_packaged(actor: str, custodian: Any, **counts: Any) -> AuditEvent:
    """A transfer package (BagIt + MDTO) written for an e-depot (`chatarchief transfer package`)."""
    return _record(actor, "preservation.transfer_packaged", obj=custodian, custodian=custodian.slug, **counts)


# ---------------------------------------------------------------- compliance (issue 17)


def agreement_recorded(actor: str, agreement: Any) -> AuditEvent:
    return _record(
        actor,
        "agreement.recorded",
        obj=agreement,
        custodian=agreement.custodian.slug,
        frequency=agreement.frequency,
        secured_by=agreement.secured_by,
        secretary=agreement.secretary,
        channels=list(agreement.channels or []),
        valid_from=agreement.valid_from.isoformat(),
    )


def roster_imported(actor: str, *, file: str, created: int, updated: int) -> AuditEvent:
    return _record(actor, "roster.imported", file=file, created=created, updated=updated)


def custodian_scope_changed(actor: str, custodian: Any, changes: dict[str, Any]) -> AuditEvent:
    return _record(actor, "custodian.scope_changed", obj=custodian, custodian=custodian.slug, changes=changes)


def finding_stepped(actor: str, finding: Any, *, source: str, target: str, note: str) -> AuditEvent:
    return _record(
        actor,
        "finding.stepped",
        obj=finding,
        custodian=finding.custodian.slug,
        type=finding.type,
        source=source,
        target=target,
        note=note,
    )


def reminder_sent(actor: str, reminder: Any) -> AuditEvent:
    return _record(
        actor,
        "reminder.sent",
        obj=reminder,
        custodian=reminder.custodian.slug,
        kind=reminder.kind,
        role=reminder.role,
        due_at=reminder.due_at.isoformat(),
    )


def compliance_report_made(actor: str, *, organisation: str, start: str, end: str, output_format: str) -> AuditEvent:
    return _record(actor, "report.compliance", organisation=organisation, start=start, end=end, format=output_format)


def receipt_made(actor: str, delivery: Any, *, lang: str) -> AuditEvent:
    return _record(actor, "receipt.made", obj=delivery, custodian=delivery.custodian.slug, lang=lang)


def search_run(actor: str, where: str, *, query: str, filters: dict[str, Any], total: int) -> AuditEvent:
    """A full-text search: the query, its filters and how many hits it had (where: search, woo:<id>)."""
    return _record(actor, "search.run", where=where, query=query, filters=filters, total=total)


# --- Woo requests (chatarchief.woo): the requester's name is never logged -------------------------


def woo_request_created(actor: str, request: Any, *, custodians: list[str]) -> AuditEvent:
    return _record(
        actor,
        "woo.request_created",
        obj=request,
        reference=request.reference,
        custodians=custodians,
        period=[request.period_from, request.period_to],
    )


def woo_request_changed(actor: str, request: Any, *, change: str, **details: Any) -> AuditEvent:
    return _record(actor, "woo.request_changed", obj=request, reference=request.reference, change=change, **details)


def woo_searched(actor: str, record: Any, *, documents: list[int]) -> AuditEvent:
    """A query run for a Woo request (the zoekslag row), with the documents its hits fell in."""
    return _record(
        actor,
        "woo.searched",
        obj=record,
        reference=record.request.reference,
        query=record.query,
        hits=record.hits,
        documents=documents,
    )


def woo_content_read(actor: str, request: Any, custodian: str, *, what: str, message_ids: list[int]) -> AuditEvent:
    """Message content opened or exported for a Woo request: who read which messages, for which request."""
    return _record(
        actor,
        "content.read",
        obj=request,
        custodian=custodian,
        what=what,
        request=request.reference,
        message_ids=message_ids,
    )


def woo_assessed(actor: str, assessment: Any) -> AuditEvent:
    document = assessment.document
    return _record(
        actor,
        "woo.assessed",
        obj=assessment,
        reference=document.request.reference,
        document=document.number,
        decision=assessment.decision,
        grounds=list(assessment.grounds),
        confirmed_by=assessment.confirmed_by,
    )


def woo_redaction_changed(actor: str, redaction: Any, *, change: str) -> AuditEvent:
    """A redaction added or removed (kind and ground only: never the redacted text)."""
    document = redaction.document
    return _record(
        actor,
        "woo.redaction_" + change,
        obj=redaction,
        reference=document.request.reference,
        document=document.number,
        kind=redaction.kind,
        ground=redaction.ground,
        message=redaction.message,
    )


def woo_exported(actor: str, export: Any, *, files: int) -> AuditEvent:
    return _record(
        actor,
        "woo.exported",
        obj=export,
        reference=export.request.reference,
        documents=export.documents,
        pdfs=export.pdfs,
        files=files,
        manifest_sha256=export.manifest_sha256,
    )


def blobs_collected(actor: str, report: dict[str, Any]) -> AuditEvent:
    """`chatarchief gc` removed blobs no record refers to (what an interrupted ingest left)."""
    return _record(actor, "blobs.collected", removed=len(report["removed"]), sha256=report["removed"][:1000])


def phase_set(actor: str, phase: Any) -> AuditEvent:
    return _record(
        actor,
        "phase.set",
        obj=phase,
        code=phase.code,
        name=phase.name,
        starts_on=phase.starts_on.isoformat() if phase.starts_on else None,
    )
