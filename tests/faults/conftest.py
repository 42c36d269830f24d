"""The fault-injection suite's matrix (step, boundary, outcome), printed after the tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:  # tests.helpers, as in tests/integration/conftest.py
    sys.path.insert(0, _ROOT)

MATRIX: list[tuple[str, str, str]] = []
# (step, bad input, the one line it ended in) from test_bad_inputs.py.
BAD_INPUTS: list[tuple[str, str, str]] = []
# Files of the reference inputs (archive, prepared data, split) that changed or vanished
# while the faults ran; None until the project fixture has checked.
DATA_LOST: list[str] | None = None


@pytest.fixture
def probe():
    """``probe(step, bad_input, line)``: one row of the printed bad-input matrix."""

    def add(step: str, bad_input: str, line: str) -> None:
        BAD_INPUTS.append((step, bad_input, line))

    return add


@pytest.fixture
def record():
    """``record(step, boundary, outcome)``: one row of the printed matrix."""

    def add(step: str, boundary: str, outcome: str) -> None:
        MATRIX.append((step, boundary, outcome))

    return add


def pytest_terminal_summary(terminalreporter) -> None:
    if BAD_INPUTS:
        _bad_input_matrix(terminalreporter)
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


def _bad_input_matrix(terminalreporter) -> None:
    write = terminalreporter.write_line
    terminalreporter.section("bad inputs: one line naming the problem and the fix, no traceback")
    width = max(len(bad) for _, bad, _ in BAD_INPUTS)
    write(f"{'step':<10} {'bad input':<{width}}  the line (start)")
    for step, bad, line in BAD_INPUTS:
        write(f"{step:<10} {bad:<{width}}  {line[:90]}")
    write(f"{len(BAD_INPUTS)} bad inputs tried, each ended in one line; nothing half-written left")
