"""Where the shared, read-only fixtures live: `../shared/fixtures` beside the repository root."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = REPO_ROOT.parent / "shared" / "fixtures"
PEER = SHARED_FIXTURES / "peer"
