"""Fault injection for the crash tests: `CHATARCHIEF_FAULT=<point>` kills this process (SIGKILL, as
`kill -9` would) when the ingest reaches that point; `<point>:sleep=<seconds>` pauses there instead
(the concurrency tests use it to make two workers overlap). Unset (always, in production) it costs one
dictionary lookup.

The points, in the order an ingest passes them (intake/pipeline.py, intake/queue.py):
`claimed` (the delivery marked running), `parsed`, `media` (media kept in the blob store),
`loading` (inside the load transaction, after the first conversation), `loaded` (everything written,
before the commit), `committed` (after the commit, before the worker records the task's result).
"""

from __future__ import annotations

import os
import signal
import time

POINTS = ("claimed", "parsed", "media", "loading", "loaded", "committed")


def point(name: str) -> None:
    spec = os.environ.get("CHATARCHIEF_FAULT", "")
    if not spec:
        return
    where, _, action = spec.partition(":")
    if where != name:
        return
    if action.startswith("sleep="):
        time.sleep(float(action.removeprefix("sleep=")))
        return
    os.kill(os.getpid(), signal.SIGKILL)
