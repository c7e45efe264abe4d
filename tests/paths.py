"""Where the shared, read-only fixtures live: `../shared/fixtures` beside the repository root.

The shared corpus (peer projects' exports, hand-made Signal backups) is not part of the repository:
a fresh clone has no `../shared`. A test that reads it carries the `shared_corpus` mark (see
`SHARED_CORPUS`); tests/conftest.py skips such tests with one line when the folder is absent, and
the generated fixtures in tests/generators/ cover the same behaviour. Read shared files lazily (in
the test, or with `shared_bytes`), never at import.
"""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = REPO_ROOT.parent / "shared" / "fixtures"
PEER = SHARED_FIXTURES / "peer"
HAVE_SHARED = SHARED_FIXTURES.is_dir()
SHARED_ABSENT = (
    "../shared/fixtures is absent: the shared peer corpus is not part of the repository "
    "(tests/generators/ covers the same behaviour)"
)
SHARED_CORPUS = pytest.mark.shared_corpus


def shared_bytes(path: Path) -> bytes | None:
    """The bytes of a shared fixture, or None when the shared corpus is absent."""
    return path.read_bytes() if HAVE_SHARED else None
