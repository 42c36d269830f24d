"""Fixtures for the dataset-source tests: a loopback mirror and a credential-free Kaggle setup."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The helpers are imported as ``tests.helpers``; the repository root is not on sys.path when
# pytest runs from the console script (a `pythonpath = ["."]` pytest option would do this).
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.helpers.server import MirrorServer  # noqa: E402


@pytest.fixture
def mirror() -> Iterator[MirrorServer]:
    server = MirrorServer()
    yield server
    server.close()


@pytest.fixture
def no_kaggle_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A HOME without ~/.kaggle and no KAGGLE_* variables; returns that HOME."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in (
        "KAGGLE_USERNAME",
        "KAGGLE_KEY",
        "KAGGLE_API_TOKEN",
        "KAGGLE_CONFIG_DIR",
        "PROXY_ATTENTION_MIRROR",
    ):
        monkeypatch.delenv(name, raising=False)
    return home
