"""Append-only .npy writing: arrays far larger than memory, written in one sequential pass.

NumPy can only write a whole array at once, and a write-mode memory map keeps every written
page resident in the process; this writer streams rows to disk instead, then fixes the header.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

_PREAMBLE = 10  # magic (6) + version (2) + header length (2)


class NpyAppender:
    """Write rows of ``dtype`` and ``item_shape`` to ``path``; the count is settled on close."""

    def __init__(
        self, path: str | Path, dtype: np.dtype | str, item_shape: tuple[int, ...], capacity: int
    ) -> None:
        self.dtype = np.dtype(dtype)
        self.item_shape = tuple(item_shape)
        self.capacity = capacity
        self.count = 0
        self._handle = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._header_size = self._write_header(capacity)

    def append(self, rows: np.ndarray) -> None:
        rows = np.ascontiguousarray(rows, dtype=self.dtype)
        if rows.shape[1:] != self.item_shape:
            raise ValueError(f"rows of shape {rows.shape[1:]}, expected {self.item_shape}")
        if self.count + len(rows) > self.capacity:
            raise ValueError(f"more rows than the declared capacity {self.capacity}")
        self._handle.write(rows.tobytes())
        self.count += len(rows)

    def close(self) -> None:
        self._handle.seek(0)
        self._write_header(self.count, self._header_size)
        self._handle.close()

    def _write_header(self, count: int, size: int | None = None) -> int:
        text = repr(
            {
                "descr": np.lib.format.dtype_to_descr(self.dtype),
                "fortran_order": False,
                "shape": (count, *self.item_shape),
            }
        )
        if size is None:
            # Room for a longer count than the final one, aligned to 64 bytes like NumPy's.
            size = 64 * -(-(_PREAMBLE + len(text) + 32) // 64)
        body = text.ljust(size - _PREAMBLE - 1) + "\n"
        self._handle.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(body)) + body.encode())
        return size
