"""Test-only fault injection: SIGKILL this process at a named write boundary.

``PROXY_ATTENTION_KILL_AT=<pattern>[#N]`` kills the process the N-th time (default 1) it passes
a boundary whose name matches the shell-style ``pattern``. The atomic-write helpers name one
boundary per file, ``write:<file name>`` and ``dir:<folder name>``: the data is complete in its
temporary name and not yet renamed into place, the moment a kill is most likely to leave a
half-finished result that looks finished. Steps name their own, e.g. ``train:before-rename``.
Hand-written because it is a few lines and no library kills at a named point of our own code.
"""

from __future__ import annotations

import fnmatch
import os
import signal

KILL_AT = "PROXY_ATTENTION_KILL_AT"
_passes: dict[str, int] = {}


def boundary(name: str) -> None:
    """Mark a write boundary; a no-op unless ``$PROXY_ATTENTION_KILL_AT`` names it."""
    wanted = os.environ.get(KILL_AT)
    if not wanted:
        return
    pattern, _, count = wanted.partition("#")
    if not fnmatch.fnmatchcase(name, pattern):
        return
    _passes[pattern] = _passes.get(pattern, 0) + 1
    if _passes[pattern] == int(count or 1):
        os.kill(os.getpid(), signal.SIGKILL)
