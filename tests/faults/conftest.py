"""The fault-injection suite's matrix (step, boundary, outcome), printed after the tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:  # tests.helpers, as in tests/integration/conftest.py
    sys.path.insert(0, _ROOT)

MATRIX: list[tuple[str, str, str]] = []
# Files of the reference inputs (archive, prepared data, split) that changed or vanished
# while the faults ran; None until the project fixture has checked.
DATA_LOST: list[str] | None = None


@pytest.fixture
def record():
    """``record(step, boundary, outcome)``: one row of the printed matrix."""

    def add(step: str, boundary: str, outcome: str) -> None:
        MATRIX.append((step, boundary, outcome))

    return add


def pytest_terminal_summary(terminalreporter) -> None:
    if not MATRIX:
        return
    write = terminalreporter.write_line
    terminalreporter.section("fault injection: SIGKILL at a write boundary, then rerun")
    width = max(len(boundary) for _, boundary, _ in MATRIX)
    write(f"{'step':<10} {'boundary':<{width}}  outcome")
    for step, boundary, outcome in MATRIX:
        write(f"{step:<10} {boundary:<{width}}  {outcome}")
    lost = "not checked" if DATA_LOST is None else (", ".join(DATA_LOST) or "none")
    write(f"{len(MATRIX)} faults injected and survived; input files lost or changed: {lost}")
