"""Disk faults (full, read-only, no permission) as one line naming the path and the fix.

Python raises them as OSError with an errno; torch.save raises RuntimeError from its C++ zip
writer ("[enforce fail at inline_container.cc] ... file write failed") with no errno at all.
Every write goes through atomic.py, so a failed write leaves only the previous, complete file.
"""

from __future__ import annotations

import errno

_FIXES = {
    errno.ENOSPC: "no space left on the device; free space there and rerun",
    errno.EDQUOT: "disk quota exceeded; free space there and rerun",
    errno.EROFS: "the file system is read-only; make it writable or run from a writable copy",
    errno.EACCES: "permission denied; make it writable for this user and rerun",
    errno.EPERM: "operation not permitted; make it writable for this user and rerun",
}
# torch's zip writer reports a failed write without an errno.
_TORCH_WRITE_FAILED = ("PytorchStreamWriter failed writing file", "file write failed")


def is_disk_problem(exc: BaseException) -> bool:
    return describe(exc) is not None


def describe(exc: BaseException) -> str | None:
    """One line for a disk fault, or None when ``exc`` is something else."""
    if isinstance(exc, OSError) and exc.errno in _FIXES:
        where = exc.filename or "the output folder"
        return f"cannot write {where}: {_FIXES[exc.errno]} (nothing half-written was kept)"
    if isinstance(exc, RuntimeError) and any(text in str(exc) for text in _TORCH_WRITE_FAILED):
        return (
            "a file write failed (torch: disk full or not writable); free space or make the "
            "output folder writable and rerun (nothing half-written was kept)"
        )
    return None
