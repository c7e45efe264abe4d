"""The search app's services: what the CLI, the web app, ingest, Woo and exclusion call.

    index_messages(ids), index_conversation(id), index_custodian(id), index_delivery(id)
    remove_messages(ids), remove_conversation(id), remove_orphans(), scrub_freed_space()
    search(custodians, query, *, conversation, date_from, date_to, sender, channel, sort, limit,
           offset, exclude_conversations) -> SearchResult (.as_dict() for JSON)
    excluded_conversation_ids(), register_exclusion(source)

See docs/search.md for the contracts.
"""

from chatarchief.search.services.audited import search_for
from chatarchief.search.services.indexing import (
    index_conversation,
    index_conversations,
    index_custodian,
    index_delivery,
    index_messages,
    remove_conversation,
    remove_messages,
    remove_orphans,
    scrub_freed_space,
)
from chatarchief.search.services.querying import excluded_conversation_ids, register_exclusion, search
from chatarchief.search.services.result import Hit, SearchResult

__all__ = [
    "Hit",
    "SearchResult",
    "excluded_conversation_ids",
    "index_conversation",
    "index_conversations",
    "index_custodian",
    "index_delivery",
    "index_messages",
    "register_exclusion",
    "remove_conversation",
    "remove_messages",
    "remove_orphans",
    "scrub_freed_space",
    "search",
    "search_for",
]
