"""Searching on behalf of a principal: the one call the CLI (`chatarchief search`) and the web's
search page make. Scope from `access.services` (READ_CONTENT), the search itself, and the audit
events (one `search.run` with the query and the count, and one `content.read` per custodian whose
messages the page shows, naming those messages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chatarchief.access import services as access
from chatarchief.access.constants import Action
from chatarchief.audit import log
from chatarchief.core.errors import ChatarchiefError
from chatarchief.search.services.querying import search
from chatarchief.search.services.result import SearchResult


def _unknown_custodian(slug: str) -> ChatarchiefError:
    return ChatarchiefError(
        "search.unknown_custodian",
        nl=f"Functionaris {slug!r} bestaat niet of u mag de berichten niet lezen.",
        en=f"Custodian {slug!r} does not exist or you may not read its messages.",
    )


def search_for(
    principal: Any,
    actor: str,
    query: str,
    *,
    custodian: str | None = None,
    conversation: int | None = None,
    date_from: dt.date | str | None = None,
    date_to: dt.date | str | None = None,
    sender: str | None = None,
    channel: str | None = None,
    sort: str = "time",
    limit: int = 50,
    offset: int = 0,
    where: str = "search",
) -> SearchResult:
    """One page of hits for `principal`, only in the archives it may read; audited.

    `custodian` (a slug) narrows the scope; a slug outside the scope is refused exactly as an
    unknown one. Raises `QueryError` for a malformed query or option."""
    if custodian:
        found = access.custodian_by_slug(principal, Action.READ_CONTENT, custodian)
        if found is None:
            raise _unknown_custodian(custodian)
        scope: Any = [found.pk]
    else:
        scope = access.custodians(principal, Action.READ_CONTENT)
    result = search(
        scope,
        query,
        conversation=conversation,
        date_from=date_from,
        date_to=date_to,
        sender=sender,
        channel=channel,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    filters = {
        "custodian": custodian,
        "conversation": conversation,
        "from": str(date_from) if date_from else None,
        "to": str(date_to) if date_to else None,
        "sender": sender,
        "channel": channel,
        "sort": sort,
        "limit": limit,
        "offset": offset,
    }
    log.search_run(
        actor, where, query=query, filters={k: v for k, v in filters.items() if v is not None}, total=result.total
    )
    for slug in sorted({hit.custodian for hit in result.hits}):
        log.content_read(
            actor,
            where,
            None,
            slug,
            query=query,
            total=result.total,
            message_ids=[hit.message_id for hit in result.hits if hit.custodian == slug],
        )
    return result
