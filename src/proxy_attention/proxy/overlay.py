"""The replacement overlay: "training index i now reads from proxy artifact k, row r".

Proxy images stay on disk in their step's artifact and are memory-mapped, so the training set
never grows, is never copied, and never holds the proxies in memory.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from proxy_attention.data.views import read_rows
from proxy_attention.proxy.artifacts import IMAGES, INDICES


class ProxyOverlay:
    """The Overlay (data/views.py) of the proxy steps applied so far."""

    def __init__(self, size: int) -> None:
        self._step = np.full(size, -1, dtype=np.int32)
        self._row = np.full(size, -1, dtype=np.int64)
        self._sources: list[np.ndarray] = []

    def __len__(self) -> int:
        return int((self._step >= 0).sum())

    def clear(self) -> None:
        self._step[:] = -1
        self._row[:] = -1

    def apply_step(self, step_dir: str | Path) -> None:
        """Point every index the step replaced at its proxy image (later steps win)."""
        step_dir = Path(step_dir)
        indices = np.load(step_dir / INDICES)
        self._sources.append(np.load(step_dir / IMAGES, mmap_mode="r"))
        self._step[indices] = len(self._sources) - 1
        self._row[indices] = np.arange(len(indices))

    def replaced(self) -> np.ndarray:
        return np.flatnonzero(self._step >= 0)

    def image(self, index: int, base: np.ndarray) -> np.ndarray:
        step = self._step[index]
        return base[index] if step < 0 else self._sources[step][self._row[index]]

    def replaced_in(self, indices: np.ndarray) -> np.ndarray:
        """Positions in ``indices`` that read a proxy image."""
        return np.flatnonzero(self._step[indices] >= 0)

    def batch(self, indices: np.ndarray, base: np.ndarray) -> np.ndarray:
        """Images for ``indices`` (in that order), reading originals and proxies as mapped."""
        out = read_rows(base, indices)
        for position in self.replaced_in(indices):
            out[position] = self.image(int(indices[position]), base)
        return out


def rebuild_overlay(run_dir: str | Path, size: int, rounds: int, clear_every_step: bool):
    """The overlay in force after ``rounds`` proxy steps of a finished run, from its artifacts."""
    overlay = ProxyOverlay(size)
    for step_dir in sorted((Path(run_dir) / "proxy").glob("step-*"))[:rounds]:
        if clear_every_step:
            overlay.clear()
        overlay.apply_step(step_dir)
    return overlay
