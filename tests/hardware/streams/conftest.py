from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def clip_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One clip cache for the whole session: each clip is rendered once."""
    return tmp_path_factory.mktemp("clips")
