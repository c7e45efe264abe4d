from __future__ import annotations

import pytest

from tests.woo.world import build


@pytest.fixture
def world(db, tmp_path):
    return build(tmp_path / "exports")
