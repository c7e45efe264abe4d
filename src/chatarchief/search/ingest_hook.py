"""Indexing after ingest: the pipeline calls `after_ingest` once a delivery is processed (it is an
`intake.pipeline.ExclusionHook` that excludes nothing). A delivery that failed is not indexed; one
that brought nothing new costs one check per conversation (see `services.index_delivery`).
`CHATARCHIEF_SEARCH_INDEX_AT_INGEST = False` (settings) leaves indexing to a task or a repair."""

from __future__ import annotations

from typing import Any

from chatarchief.archive.models import DeliveryStatus


class IndexAfterIngest:
    def filter_export(self, delivery: Any, export: Any) -> int:
        return 0

    def after_ingest(self, delivery: Any) -> None:
        from django.conf import settings

        from chatarchief.search.services import index_delivery

        if delivery.status == DeliveryStatus.INGESTED and getattr(settings, "CHATARCHIEF_SEARCH_INDEX_AT_INGEST", True):
            index_delivery(delivery.pk)


HOOK = IndexAfterIngest()
